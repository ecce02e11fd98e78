// Leader duties of the single server: register this server in the catalog (node, the `consul`
// service, the passing `serfHealth` check), destroy sessions whose TTL ran out, and reap KV
// tombstones once they have served blocking queries long enough (Consul's tombstone GC).
import { SessionTTLTracker, TombstoneGC, type ApplyResult, type Catalog, type Command } from '@proconsul/catalog';
import type { Applier } from './apply/applier.js';
import type { Logger } from './log.js';
import { CONSUL_VERSION } from './version.js';

export const SERF_HEALTH_CHECK_ID = 'serfHealth';
export const CONSUL_SERVICE_ID = 'consul';

export interface LeaderOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  nodeName: string;
  nodeId: string;
  address: string;
  serverPort: number;
  nodeMeta: Record<string, string>;
  logger: Logger;
  now: () => number;
  /** How often expired sessions (and tombstones due for reaping) are looked for. */
  sessionCheckMs?: number;
  /** Tombstone GC; default: Consul's 15-minute TTL in 30-second buckets. */
  tombstones?: TombstoneGC;
}

export class Leader {
  readonly sessions = new SessionTTLTracker();
  readonly tombstones: TombstoneGC;
  #tombstoneIndexSeen = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LeaderOptions) {
    this.tombstones = opts.tombstones ?? new TombstoneGC();
  }

  /** Registers this server as Consul's leader does on establishing leadership. */
  async establish(): Promise<void> {
    await this.reconcile();
    this.#schedule();
  }

  /** Re-registers this server and restarts every session's TTL timer (after a restore). */
  async reconcile(): Promise<void> {
    await this.ensureRegistered();
    // A new leader restarts every session's TTL timer.
    this.sessions.resetAll(this.opts.catalog.sessionList().value, this.opts.now());
  }

  /** Makes sure this server's node, `consul` service and passing serfHealth are in the catalog. */
  async ensureRegistered(): Promise<void> {
    const o = this.opts;
    const tagged = { lan: o.address, lan_ipv4: o.address, wan: o.address, wan_ipv4: o.address };
    const cmd: Command = {
      Type: 'Register',
      ID: o.nodeId,
      Node: o.nodeName,
      Address: o.address,
      TaggedAddresses: tagged,
      NodeMeta: { 'consul-network-segment': '', 'consul-version': CONSUL_VERSION, ...o.nodeMeta },
      Service: {
        ID: CONSUL_SERVICE_ID,
        Service: 'consul',
        Port: o.serverPort,
        Meta: {
          non_voter: 'false',
          raft_version: '3',
          read_replica: 'false',
          serf_protocol_current: '2',
          serf_protocol_max: '5',
          serf_protocol_min: '1',
          version: CONSUL_VERSION,
        },
      },
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

  /** A session was created or renewed: (re)start its timer. */
  touchSession(id: string, ttl: string): void {
    this.sessions.reset(id, ttl, this.opts.now());
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
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
    } catch (err) {
      this.opts.logger.error({ err }, 'leader housekeeping failed');
    } finally {
      if (this.#timer) this.#schedule();
    }
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
    if (node.Node.Address !== cmd.Address || node.Node.ID !== cmd.ID) return false;
    if (JSON.stringify(node.Node.Meta) !== JSON.stringify(cmd.NodeMeta)) return false;
    const svc = node.Services[CONSUL_SERVICE_ID];
    if (!svc || svc.Port !== o.serverPort || JSON.stringify(svc.Meta) !== JSON.stringify(cmd.Service!.Meta)) return false;
    const serf = o.catalog.nodeChecks(o.nodeName).value.find((c) => c.CheckID === SERF_HEALTH_CHECK_ID);
    return serf?.Status === 'passing';
  }
}
