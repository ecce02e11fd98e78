// Leader duties of the single server: write the autopilot configuration when the state has
// none, create the config_entries.bootstrap entries that do not exist (config-entries/),
// register this server in the catalog (node, the `consul` service, the passing `serfHealth`
// check), destroy sessions whose TTL ran out, and reap KV tombstones once they
// have served blocking queries long enough (Consul's tombstone GC); in a secondary datacenter,
// replicate ACLs from the primary (acl/replication.ts).
import { SessionTTLTracker, TombstoneGC, type ApplyResult, type AutopilotConfig, type Catalog, type Command, type ConfigEntry } from '@proconsul/catalog';
import type { Applier } from './apply/applier.js';
import type { Logger } from './log.js';
import { CONSUL_VERSION } from './version.js';
import type { AgentMember } from './gossip/index.js';
import { reconcileMembers } from './member-reconcile.js';
import { nodeInfoInSync } from './local/node-view.js';
import { bootstrapConfigEntries } from './config-entries/bootstrap.js';

export const SERF_HEALTH_CHECK_ID = 'serfHealth';
export const CONSUL_SERVICE_ID = 'consul';
/** Consul's leader loop tries to establish leadership again 5 s after a failure. */
const ESTABLISH_RETRY_MS = 5_000;

export interface LeaderOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  nodeName: string;
  nodeId: string;
  address: string;
  /** The node's tagged addresses (addresses.ts nodeTaggedAddresses). */
  taggedAddresses: Record<string, string>;
  serverPort: number;
  nodeMeta: Record<string, string>;
  logger: Logger;
  now: () => number;
  /** How often expired sessions (and tombstones due for reaping) are looked for. */
  sessionCheckMs?: number;
  /** Tombstone GC; default: Consul's 15-minute TTL in 30-second buckets. */
  tombstones?: TombstoneGC;
  /** Resolves once everything committed before this leadership is applied here (Raft barrier). */
  barrier?: () => Promise<void>;
  /** How long after a failed establish() it is tried again while still leading (default 5 s). */
  establishRetryMs?: number;
  /** The LAN gossip members, reconciled into the catalog while leading. */
  members?: () => AgentMember[];
  datacenter?: string;
  /** The agent config's `autopilot` block, written into the state when it holds none yet. */
  autopilot?: AutopilotConfig;
  /** `config_entries.bootstrap` (already empty outside the primary datacenter): created when absent. */
  configEntries?: readonly ConfigEntry[];
  /** ACL replication from the primary datacenter (a secondary's servers): runs while leading. */
  aclReplication?: { start(): void; stop(): void };
  /** The Connect CA (connect/ca-manager.ts): initialized once leadership is established. */
  connectCA?: { start(): void; stop(): void };
  /** Config entry replication from the primary datacenter (a secondary's servers): runs while leading. */
  configReplication?: { start(): void; stop(): void };
  /** Cluster peering (peering/manager.ts): the dialing streams and deletions, while leading. */
  peering?: { start(): void; stop(): void };
}

/** The `consul` service of a server (registered by the leader), as Consul's leader writes it. */
export function consulServiceOf(serverPort: number) {
  return {
    ID: CONSUL_SERVICE_ID,
    Service: 'consul',
    Port: serverPort,
    Meta: {
      non_voter: 'false',
      raft_version: '3',
      read_replica: 'false',
      serf_protocol_current: '2',
      serf_protocol_max: '5',
      serf_protocol_min: '1',
      version: CONSUL_VERSION,
    },
  };
}

/** The node fields every agent registers itself with (Consul's anti-entropy node sync). */
export function nodeRegistration(o: { nodeId: string; nodeName: string; address: string; taggedAddresses: Record<string, string>; nodeMeta: Record<string, string> }) {
  return {
    ID: o.nodeId,
    Node: o.nodeName,
    Address: o.address,
    TaggedAddresses: o.taggedAddresses,
    NodeMeta: { 'consul-network-segment': '', 'consul-version': CONSUL_VERSION, ...o.nodeMeta },
  };
}

export class Leader {
  readonly sessions = new SessionTTLTracker();
  readonly tombstones: TombstoneGC;
  #tombstoneIndexSeen = 0;
  #timer: NodeJS.Timeout | undefined;
  #leading = false;
  /** What the last leadershipChanged call said: a retry of establish() runs only while true. */
  #isLeader = false;
  #retry: NodeJS.Timeout | undefined;
  #transition: Promise<void> = Promise.resolve();
  /** The member reconcile under way, and whether a member changed since it read the members. */
  #memberPass: Promise<void> | undefined;
  #memberPassAgain = false;

  constructor(private readonly opts: LeaderOptions) {
    this.tombstones = opts.tombstones ?? new TombstoneGC();
  }

  /**
   * Leader duties start when this server becomes the Raft leader (after a barrier, so the
   * catalog holds every committed write) and stop when it is not any more, and nowhere else.
   */
  leadershipChanged(isLeader: boolean): Promise<void> {
    this.#isLeader = isLeader;
    clearTimeout(this.#retry);
    this.#transition = this.#transition.then(async () => {
      if (!isLeader) {
        if (this.#leading) this.opts.logger.info('cluster leadership lost');
        this.#leading = false;
        this.stop();
        return;
      }
      if (this.#leading || !this.#isLeader) return;
      try {
        await this.opts.barrier?.();
        await this.establish();
        this.#leading = true;
        this.opts.logger.info({ node: this.opts.nodeName }, 'cluster leadership acquired');
      } catch (err) {
        // A barrier that timed out (a slow disk, a paused process) or a write refused: try again
        // while this server is still the leader, as Consul's leader loop does after 5 s.
        this.opts.logger.error({ err }, 'failed to establish leadership');
        this.stop();
        if (!this.#isLeader) return;
        this.#retry = setTimeout(() => void (this.#isLeader && this.leadershipChanged(true)), this.opts.establishRetryMs ?? ESTABLISH_RETRY_MS);
        this.#retry.unref();
      }
    });
    return this.#transition;
  }

  /** Registers this server as Consul's leader does on establishing leadership. */
  async establish(): Promise<void> {
    await this.#ensureAutopilotConfig();
    await bootstrapConfigEntries(this.opts.catalog, this.opts.applier, this.opts.configEntries ?? []);
    await this.reconcile();
    this.#schedule();
    this.opts.aclReplication?.start();
    this.opts.configReplication?.start();
    this.opts.connectCA?.start();
    this.opts.peering?.start();
  }

  /**
   * As Consul's getOrCreateAutopilotConfig: a state without an autopilot configuration gets the
   * agent config's (only if still none: a check-and-set on index 0).
   */
  async #ensureAutopilotConfig(): Promise<void> {
    const config = this.opts.autopilot;
    if (!config || this.opts.catalog.autopilotConfig().value) return;
    const r = await this.opts.applier.apply({ Type: 'AutopilotSet', Config: config, CAS: true, Index: 0 });
    if (!r.ok) throw new Error(`could not write the autopilot configuration: ${r.error}`);
  }

  /** Re-registers this server and restarts every session's TTL timer (after a restore). */
  async reconcile(): Promise<void> {
    await this.ensureRegistered();
    await this.#reconcileMembers();
    // A new leader restarts every session's TTL timer.
    this.sessions.resetAll(this.opts.catalog.sessionList().value, this.opts.now());
  }

  /** Makes sure this server's node, `consul` service and passing serfHealth are in the catalog. */
  async ensureRegistered(): Promise<void> {
    const o = this.opts;
    const cmd: Command = {
      Type: 'Register',
      ...nodeRegistration(o),
      Service: consulServiceOf(o.serverPort),
      Check: {
        CheckID: SERF_HEALTH_CHECK_ID,
        Name: 'Serf Health Status',
        Status: 'passing',
        Output: 'Agent alive and reachable',
        Type: '',
      },
      Now: o.now(),
    };
    if (!this.#alreadyRegistered(cmd)) {
      const r = await o.applier.apply(cmd);
      if (!r.ok) throw new Error(`could not register this server in the catalog: ${r.error}`);
    }
  }

  /**
   * A gossip member joined, left, failed or was reaped: reconcile it now, as Consul's leader does
   * from its reconcile channel, rather than at the next periodic pass (which stays as the
   * backstop). An agent that restarts right after leaving is then deregistered before it is
   * back, not under it after its first sync. Resolves when the catalog has caught up with it.
   */
  async memberChanged(): Promise<void> {
    if (!this.#leading) return;
    await this.#reconcileMembers().catch((err) => this.opts.logger.error({ err }, 'member reconcile failed'));
  }

  /** A session was created or renewed: (re)start its timer. */
  touchSession(id: string, ttl: string): void {
    this.sessions.reset(id, ttl, this.opts.now());
  }

  /** Stops the leader's timers (housekeeping and a pending retry of establish()). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearTimeout(this.#retry);
    this.opts.aclReplication?.stop();
    this.opts.configReplication?.stop();
    this.opts.connectCA?.stop();
    this.opts.peering?.stop();
  }

  /** The agent is shutting down: no more duties and no retry. */
  close(): void {
    this.#isLeader = false;
    this.stop();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#housekeeping(), this.opts.sessionCheckMs ?? 1000);
    this.#timer.unref();
  }

  async #housekeeping(): Promise<void> {
    try {
      for (const id of this.sessions.expired(this.opts.now())) {
        this.sessions.remove(id);
        this.opts.logger.info({ session: id }, 'session TTL expired, destroying it');
        await this.opts.applier.apply({ Type: 'SessionDestroy', ID: id, Now: this.opts.now() });
      }
      await this.#reapTombstones();
      await this.#reconcileMembers();
    } catch (err) {
      this.opts.logger.error({ err }, 'leader housekeeping failed');
    } finally {
      if (this.#timer) this.#schedule();
    }
  }

  /**
   * One reconcile at a time: a caller that comes while one runs waits for one more pass, which
   * reads the members afresh (an event may have come after the running pass read them).
   */
  #reconcileMembers(): Promise<void> {
    const o = this.opts;
    if (!o.members) return Promise.resolve();
    if (this.#memberPass) {
      this.#memberPassAgain = true;
      return this.#memberPass;
    }
    const pass = async (): Promise<void> => {
      do {
        this.#memberPassAgain = false;
        await reconcileMembers(o.members!(), { catalog: o.catalog, applier: o.applier, datacenter: o.datacenter ?? '', selfName: o.nodeName, now: o.now });
      } while (this.#memberPassAgain);
    };
    // Cleared in a callback, which always runs after this assignment.
    return (this.#memberPass = pass().finally(() => (this.#memberPass = undefined)));
  }

  /** Deleted keys leave tombstones (so prefix indexes never go back); reap them after their TTL. */
  async #reapTombstones(): Promise<void> {
    const now = this.opts.now();
    const index = this.opts.catalog.tableIndex('tombstones');
    if (index > this.#tombstoneIndexSeen) {
      this.#tombstoneIndexSeen = index;
      this.tombstones.hint(index, now);
    }
    const upTo = this.tombstones.expired(now);
    if (upTo > 0) await this.opts.applier.apply({ Type: 'TombstoneReap', Index: upTo });
  }

  #alreadyRegistered(cmd: Extract<Command, { Type: 'Register' }>): boolean {
    const o = this.opts;
    const node = o.catalog.node(o.nodeName).value;
    if (!node) return false;
    if (node.Node.ID !== cmd.ID || !nodeInfoInSync(node.Node, nodeRegistration(o))) return false;
    const svc = node.Services[CONSUL_SERVICE_ID];
    if (!svc || svc.Port !== o.serverPort || JSON.stringify(svc.Meta) !== JSON.stringify(cmd.Service!.Meta)) return false;
    const serf = o.catalog.nodeChecks(o.nodeName).value.find((c) => c.CheckID === SERF_HEALTH_CHECK_ID);
    return serf?.Status === 'passing';
  }
}
