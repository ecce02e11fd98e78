/**
 * Config entry replication in a secondary datacenter (Consul's agent/consul/config_replication.go
 * and leader.go startConfigReplication): while this server leads, it copies the primary
 * datacenter's config entries of every kind (service-intentions included, so intentions are
 * global) into this datacenter's Raft log. Each round is a blocking query on the primary's list
 * of all entries (`?stale&index=`, with the replication token), a diff by kind and name
 * (diffConfigEntries: an entry only here is deleted, one only there written, one on both sides
 * written when the primary changed it after the last round), applied entry by entry; rounds,
 * retries and their limits as every replication here (replication-rounds.ts).
 */
import { configEntryName, type ApplyResult, type Catalog, type Command, type ConfigEntry } from '@proconsul/catalog';
import { REPLICATION_WAIT, type PrimaryGet } from '../acl/replication.js';
import { runReplicationRounds } from '../replication-rounds.js';
import type { Applier } from '../apply/applier.js';
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { AgentConfig } from '../config/types.js';
import type { Logger } from '../log.js';

export interface ConfigReplicationOptions {
  /** acl.tokens.replication (read at each round). */
  replicationToken: () => string;
  get: PrimaryGet;
  /** This datacenter's entries, every kind. */
  local: () => ConfigEntry[];
  apply: (cmd: Command) => Promise<ApplyResult>;
  log: Logger;
  now?: () => number;
}

/** Entries the primary may send in one list (a bound, as the table's own). */
const REMOTE_ENTRIES_MAX = 100_000;
/** Exported services only apply to the primary datacenter (reconcileLocalConfig). */
const PRIMARY_ONLY_KINDS = new Set(['exported-services']);

/** cmpConfigLess / configSameID: kind, then name (OSS: no enterprise meta). */
const sortKey = (e: ConfigEntry): string => `${e.Kind}\u0000${configEntryName(e.Kind, e as unknown as Record<string, unknown>)}`;
const byKey = (a: ConfigEntry, b: ConfigEntry): number => {
  const x = sortKey(a);
  const y = sortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** diffConfigEntries: what to delete here and what to write here, in key order. Pure. */
export function diffConfigEntries(local: readonly ConfigEntry[], remote: readonly ConfigEntry[], lastRemoteIndex: number): { deletions: ConfigEntry[]; updates: ConfigEntry[] } {
  const here = [...local].sort(byKey);
  const there = [...remote].sort(byKey);
  const deletions: ConfigEntry[] = [];
  const updates: ConfigEntry[] = [];
  let l = 0;
  let r = 0;
  while (l < here.length && r < there.length) {
    const c = byKey(here[l]!, there[r]!);
    if (c === 0) {
      if (there[r]!.ModifyIndex > lastRemoteIndex) updates.push(there[r]!);
      l++;
      r++;
    } else if (c < 0) {
      deletions.push(here[l++]!);
    } else {
      updates.push(there[r++]!);
    }
  }
  for (; l < here.length; l++) deletions.push(here[l]!);
  for (; r < there.length; r++) updates.push(there[r]!);
  return { deletions, updates };
}

class ReplicationError extends Error {}

export class ConfigEntryReplicator {
  #run: AbortController | undefined;
  readonly #now: () => number;

  constructor(private readonly o: ConfigReplicationOptions) {
    this.#now = o.now ?? Date.now;
  }

  /** Leadership acquired: starts the routine unless running. */
  start(): void {
    if (this.#run) return;
    const run = (this.#run = new AbortController());
    this.o.log.info('started Config Entry replication');
    void this.#routine(run.signal);
  }

  stop(): void {
    if (!this.#run) return;
    this.#run.abort();
    this.#run = undefined;
  }

  #routine(signal: AbortSignal): Promise<void> {
    return runReplicationRounds({
      signal,
      now: this.#now,
      round: (lastRemoteIndex) => this.#round(lastRemoteIndex, signal),
      onSuccess: (index) => this.o.log.debug({ index }, 'Config Entry replication completed through remote index'),
      onError: (err) => this.o.log.warn({ error: err.message }, 'Config Entry replication error (will retry if still leader)'),
    });
  }

  /** One round (replicateConfig): the primary's index this datacenter is in step with. */
  async #round(lastRemoteIndex: number, signal: AbortSignal): Promise<number> {
    let res: { status: number; index: number; body: string };
    try {
      res = await this.o.get(`/v1/config/?stale&index=${lastRemoteIndex}&wait=${REPLICATION_WAIT}`, this.o.replicationToken());
    } catch (err) {
      throw new ReplicationError(`failed to retrieve remote config entries: ${(err as Error).message}`);
    }
    if (res.status !== 200) throw new ReplicationError(`failed to retrieve remote config entries: ${res.status} ${res.body.trim()}`);
    if (signal.aborted) return 0;
    const remote = JSON.parse(res.body) as unknown;
    if (!Array.isArray(remote) || remote.length > REMOTE_ENTRIES_MAX) throw new ReplicationError('failed to retrieve remote config entries: not a list');
    let since = lastRemoteIndex;
    if (res.index < since) {
      this.o.log.warn({ from: since, to: res.index }, 'Config Entry replication remote index moved backwards, forcing a full Config Entry sync');
      since = 0;
    }
    const entries = (remote as ConfigEntry[]).filter((e) => typeof e === 'object' && e !== null && typeof e.Kind === 'string');
    const { deletions, updates } = diffConfigEntries(this.o.local(), entries, since);
    this.o.log.debug({ deletions: deletions.length, updates: updates.length }, 'Config Entry replication');
    const errors: string[] = [];
    for (const [list, op] of [[deletions, 'delete'], [updates, 'upsert']] as const) {
      for (const entry of list) {
        if (signal.aborted) return 0;
        if (PRIMARY_ONLY_KINDS.has(entry.Kind)) continue;
        const r = await this.o.apply({ Type: 'ConfigEntry', Op: op, Entry: entry });
        if (!r.ok) errors.push(`Failed to apply config entry ${op}: ${r.error ?? 'apply failed'}`);
      }
    }
    if (errors.length > 0) throw new ReplicationError(errors.join('; '));
    return res.index;
  }
}

/** Beyond the blocking query's wait (REPLICATION_WAIT), what one read of the primary may take. */
const PRIMARY_READ_TIMEOUT_MS = 100_000;

/** The replicator of a secondary's server: reads through a server of the primary (stale reads, as Consul's). */
export function configEntryReplicator(cluster: ServerCluster, config: AgentConfig, catalog: Catalog, applier: Applier<Command, ApplyResult>, log: Logger): ConfigEntryReplicator {
  return new ConfigEntryReplicator({
    replicationToken: () => config.acl.tokens.replication,
    get: async (url, token) => {
      const r = await cluster.forwardToDatacenter(config.primaryDatacenter, { method: 'GET', url, headers: token ? { 'x-consul-token': token } : {} }, PRIMARY_READ_TIMEOUT_MS);
      return { status: r.status, index: Number(r.headers['x-consul-index'] ?? 0), body: Buffer.from(r.body).toString('utf8') };
    },
    local: () => catalog.configEntryList().value,
    apply: (cmd) => applier.apply(cmd),
    log,
  });
}
