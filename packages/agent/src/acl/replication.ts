/**
 * ACL replication in a secondary datacenter, as Consul's leader runs it (agent/consul/leader.go
 * startACLReplication, acl_replication.go, acl_replication_types.go): while this server leads, one
 * routine per type copies the primary datacenter's policies and roles (and, with
 * acl.enable_token_replication, its global tokens: never local ones, here or there) into this
 * datacenter's Raft log. Each round is a blocking query on the primary's list (`?stale&index=`),
 * a diff by ID, ModifyIndex and Hash (replication-diff.ts), the changed items fetched, deletions
 * and upserts applied in bounded batches; an error resets the index (a full sync next) and waits
 * 2, 4, ... 64 s. Rounds are rate limited (Consul: 1 a second, bursts of 5). Leadership lost: the
 * routines stop after the request in flight. The status is what GET /v1/acl/replication shows.
 */
import type { AclPolicyRecord, AclRoleRecord, AclStore, AclTemplatedPolicy, AclTokenRecord, ApplyResult, Command } from '@proconsul/catalog';
import type { Logger } from '../log.js';
import { diffAclType, type ReplicaMeta } from './replication-diff.js';
import { goTime } from '../go-time.js';
import { pause, runReplicationRounds } from '../replication-rounds.js';

export type AclReplicationType = 'policies' | 'roles' | 'tokens';

/** Consul's structs.ACLReplicationStatus (times: RFC 3339, rounded to the second, UTC). */
export interface AclReplicationStatus {
  Enabled: boolean;
  Running: boolean;
  SourceDatacenter: string;
  ReplicationType: string;
  ReplicatedIndex: number;
  ReplicatedRoleIndex: number;
  ReplicatedTokenIndex: number;
  LastSuccess: string;
  LastError: string;
  LastErrorMessage: string;
}

/** Go's zero time.Time as encoding/json writes it. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** A GET on the primary datacenter: status, X-Consul-Index and body text. */
export type PrimaryGet = (pathAndQuery: string, token: string) => Promise<{ status: number; index: number; body: string }>;

export interface AclReplicationOptions {
  primaryDatacenter: string;
  tokenReplication: boolean;
  /** acl.tokens.replication (read at each round: PUT /v1/agent/token/replication changes it). */
  replicationToken: () => string;
  get: PrimaryGet;
  store: () => Readonly<AclStore>;
  apply: (cmd: Command) => Promise<ApplyResult>;
  log: Logger;
  now?: () => number;
}

/** How long one blocking query on the primary waits for a change. */
export const REPLICATION_WAIT = '60s';
/** Between two batches written (Consul's ticker of 1 s / ACLReplicationApplyLimit, 100). */
const BATCH_INTERVAL_MS = 10;
/** Items per log entry (Consul batches by estimated size; a count bounds ours). */
const UPSERT_BATCH = 128;
const DELETE_BATCH = 512;
/** Items fetched from the primary at once. */
const FETCH_CONCURRENCY = 8;
/** Consul's aclfilter.RedactedToken. */
const REDACTED = '<hidden>';

const PLURAL: Record<AclReplicationType, string> = { policies: 'policies', roles: 'roles', tokens: 'tokens' };
const SINGULAR: Record<AclReplicationType, string> = { policies: 'policy', roles: 'role', tokens: 'token' };

class ReplicationError extends Error {}

/** Consul's status times: time.Now().Round(time.Second).UTC(). */
const statusTime = (ms: number): string => goTime(Math.round(ms / 1000) * 1000);

function initialStatus(): AclReplicationStatus {
  return {
    Enabled: false, Running: false, SourceDatacenter: '', ReplicationType: '',
    ReplicatedIndex: 0, ReplicatedRoleIndex: 0, ReplicatedTokenIndex: 0,
    LastSuccess: GO_ZERO_TIME, LastError: GO_ZERO_TIME, LastErrorMessage: '',
  };
}

export class AclReplicator {
  #status = initialStatus();
  #run: AbortController | undefined;
  readonly #now: () => number;

  constructor(private readonly o: AclReplicationOptions) {
    this.#now = o.now ?? Date.now;
  }

  status(): AclReplicationStatus {
    return { ...this.#status };
  }

  /** Leadership acquired (Consul's startACLReplication): starts the routines unless running. */
  start(): void {
    if (this.#run) return;
    const run = (this.#run = new AbortController());
    this.#status = { ...this.#status, Enabled: true, Running: true, SourceDatacenter: this.o.primaryDatacenter };
    const types: AclReplicationType[] = this.o.tokenReplication ? ['policies', 'roles', 'tokens'] : ['policies', 'roles'];
    this.#status.ReplicationType = this.o.tokenReplication ? 'tokens' : 'policies';
    for (const t of types) {
      this.o.log.info(`started ACL ${t === 'policies' ? 'Policy' : t === 'roles' ? 'Role' : 'Token'} replication`);
      void this.#routine(t, run.signal);
    }
  }

  /** Leadership lost or shutdown (Consul's stopACLReplication). */
  stop(): void {
    if (!this.#run) return;
    this.#run.abort();
    this.#run = undefined;
    this.#status.Running = false;
  }

  #routine(type: AclReplicationType, signal: AbortSignal): Promise<void> {
    return runReplicationRounds({
      signal,
      now: this.#now,
      round: async (lastRemoteIndex) => {
        const secret = this.o.replicationToken();
        // Consul waits for a token, one round's time at a time.
        return secret === '' ? undefined : this.#round(type, secret, lastRemoteIndex, signal);
      },
      onSuccess: (index) => {
        this.#status.LastSuccess = statusTime(this.#now());
        if (type === 'policies') this.#status.ReplicatedIndex = index;
        else if (type === 'roles') this.#status.ReplicatedRoleIndex = index;
        else this.#status.ReplicatedTokenIndex = index;
        this.o.log.debug({ type, index }, 'ACL replication completed through remote index');
      },
      onError: (err) => {
        this.#status.LastError = statusTime(this.#now());
        this.#status.LastErrorMessage = err.message;
        this.o.log.warn({ type, error: err.message }, 'ACL replication error (will retry if still leader)');
      },
    });
  }

  /** One round (Consul's replicateACLType): the primary's index it is in step with. */
  async #round(type: AclReplicationType, secret: string, lastRemoteIndex: number, signal: AbortSignal): Promise<number> {
    const list = await this.#get(`/v1/acl/${PLURAL[type]}?stale&index=${lastRemoteIndex}&wait=${REPLICATION_WAIT}`, secret, `failed to retrieve remote ACL ${PLURAL[type]}`);
    if (signal.aborted) return 0;
    let remote = JSON.parse(list.body) as Array<Record<string, unknown>>;
    if (!Array.isArray(remote)) throw new ReplicationError(`failed to retrieve remote ACL ${PLURAL[type]}: not a list`);
    if (type === 'tokens') remote = remote.filter((t) => t.Local !== true);
    let since = lastRemoteIndex;
    if (list.index < since) {
      this.o.log.warn({ from: since, to: list.index }, 'ACL replication remote index moved backwards, forcing a full ACL sync');
      since = 0;
    }
    const local = this.#local(type);
    const diff = diffAclType(local, remote.map((r) => meta(type, r)), since);
    this.o.log.debug({ type, local: local.length, remote: remote.length, deletions: diff.deletes.length, updates: diff.upserts.length }, 'acl replication');
    const updated = diff.upserts.length > 0 ? await this.#fetchUpdated(type, secret, diff.upserts, remote) : [];
    for (let i = 0; i < diff.deletes.length && !signal.aborted; i += DELETE_BATCH) {
      if (i > 0) await pause(BATCH_INTERVAL_MS, signal);
      const ids = diff.deletes.slice(i, i + DELETE_BATCH);
      await this.#applyBatch(ids.map((id) => deleteCommand(type, id)), `failed to delete local ACL ${PLURAL[type]}`);
    }
    for (let i = 0; i < updated.length && !signal.aborted; i += UPSERT_BATCH) {
      if (i > 0) await pause(BATCH_INTERVAL_MS, signal);
      await this.#applyBatch(updated.slice(i, i + UPSERT_BATCH), `failed to update local ACL ${PLURAL[type]}`);
    }
    return list.index;
  }

  #local(type: AclReplicationType): ReplicaMeta[] {
    const s = this.o.store();
    if (type === 'policies') return [...s.policies.values()].map((p) => ({ id: p.ID, modifyIndex: p.ModifyIndex, hash: p.Hash }));
    if (type === 'roles') return [...s.roles.values()].map((r) => ({ id: r.ID, modifyIndex: r.ModifyIndex, hash: r.Hash }));
    // Local tokens are this datacenter's own: never compared, never deleted.
    return [...s.tokens.values()].filter((t) => !t.Local).map((t) => ({ id: t.AccessorID, modifyIndex: t.ModifyIndex, hash: t.Hash }));
  }

  /** The set commands for the changed items (roles come whole in the list; the others one by one). */
  async #fetchUpdated(type: AclReplicationType, secret: string, ids: string[], remote: Array<Record<string, unknown>>): Promise<Command[]> {
    if (type === 'roles') {
      const wanted = new Set(ids);
      return remote.filter((r) => wanted.has(String(r.ID))).map((r) => ({ Type: 'ACLRoleSet', Role: roleRecord(r), AllowMissingLinks: true }));
    }
    const out: Command[] = [];
    const what = `failed to retrieve ACL ${SINGULAR[type]} updates`;
    for (let i = 0; i < ids.length; i += FETCH_CONCURRENCY) {
      const batch = await Promise.all(
        ids.slice(i, i + FETCH_CONCURRENCY).map(async (id) => {
          const r = await this.#get(`/v1/acl/${SINGULAR[type]}/${encodeURIComponent(id)}?stale`, secret, what, true);
          return r.status === 404 ? null : (JSON.parse(r.body) as Record<string, unknown>);
        }),
      );
      for (const item of batch) {
        if (!item) continue; // deleted in the primary since the list: the next round deletes it here
        if (type === 'policies') out.push({ Type: 'ACLPolicySet', Policy: policyRecord(item) });
        else {
          if (item.SecretID === REDACTED) throw new ReplicationError('failed to retrieve unredacted tokens - replication token in use does not grant acl:write');
          out.push({ Type: 'ACLTokenSet', Token: tokenRecord(item), AllowMissingLinks: true });
        }
      }
    }
    return out;
  }

  async #get(path: string, secret: string, what: string, missingOk = false): Promise<{ status: number; index: number; body: string }> {
    let r: { status: number; index: number; body: string };
    try {
      r = await this.o.get(path, secret);
    } catch (err) {
      throw new ReplicationError(`${what}: ${(err as Error).message}`);
    }
    if (r.status === 200 || (missingOk && r.status === 404)) return r;
    throw new ReplicationError(`${what}: ${r.status} ${r.body.trim()}`);
  }

  async #applyBatch(cmds: Command[], what: string): Promise<void> {
    if (cmds.length === 0) return;
    const r = await this.o.apply({ Type: 'Batch', Commands: cmds });
    const failed = !r.ok ? r : (r as { results?: ApplyResult[] }).results?.find((x) => !x.ok);
    if (failed) throw new ReplicationError(`${what}: ${failed.error ?? 'apply failed'}`);
  }
}

function meta(type: AclReplicationType, r: Record<string, unknown>): ReplicaMeta {
  const id = type === 'tokens' ? r.AccessorID : r.ID;
  return { id: typeof id === 'string' ? id : '', modifyIndex: Number(r.ModifyIndex ?? 0), hash: typeof r.Hash === 'string' ? r.Hash : '' };
}

function deleteCommand(type: AclReplicationType, id: string): Command {
  if (type === 'policies') return { Type: 'ACLPolicyDelete', ID: id };
  if (type === 'roles') return { Type: 'ACLRoleDelete', ID: id };
  return { Type: 'ACLTokenDelete', AccessorID: id };
}

const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A templated policy as the API shows it (variable under `name`) back in the stored shape. */
function templated(v: unknown): AclTemplatedPolicy[] | undefined {
  const list = arr<Record<string, unknown>>(v);
  if (list.length === 0) return undefined;
  return list.map((tp) => {
    const vars = tp.TemplateVariables as Record<string, unknown> | undefined;
    return {
      TemplateID: text(tp.TemplateID),
      TemplateName: text(tp.TemplateName),
      ...(vars ? { TemplateVariables: { Name: text(vars.name ?? vars.Name) } } : {}),
      ...(Array.isArray(tp.Datacenters) && tp.Datacenters.length ? { Datacenters: tp.Datacenters as string[] } : {}),
    };
  });
}

function policyRecord(p: Record<string, unknown>): Omit<AclPolicyRecord, 'CreateIndex' | 'ModifyIndex'> {
  return { ID: text(p.ID), Name: text(p.Name), Description: text(p.Description), Rules: text(p.Rules), Datacenters: arr<string>(p.Datacenters), Hash: text(p.Hash) };
}

function roleRecord(r: Record<string, unknown>): Omit<AclRoleRecord, 'CreateIndex' | 'ModifyIndex'> {
  const tps = templated(r.TemplatedPolicies);
  return {
    ID: text(r.ID), Name: text(r.Name), Description: text(r.Description),
    Policies: arr(r.Policies), ServiceIdentities: arr(r.ServiceIdentities), NodeIdentities: arr(r.NodeIdentities),
    ...(tps ? { TemplatedPolicies: tps } : {}),
    Hash: text(r.Hash),
  };
}

function tokenRecord(t: Record<string, unknown>): Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'> {
  const tps = templated(t.TemplatedPolicies);
  return {
    AccessorID: text(t.AccessorID), SecretID: text(t.SecretID), Description: text(t.Description),
    Policies: arr(t.Policies), Roles: arr(t.Roles), ServiceIdentities: arr(t.ServiceIdentities), NodeIdentities: arr(t.NodeIdentities),
    ...(tps ? { TemplatedPolicies: tps } : {}),
    Local: false,
    CreateTime: text(t.CreateTime),
    ...(typeof t.ExpirationTime === 'string' ? { ExpirationTime: t.ExpirationTime } : {}),
    ...(typeof t.AuthMethod === 'string' && t.AuthMethod !== '' ? { AuthMethod: t.AuthMethod } : {}),
    Hash: text(t.Hash),
  };
}
