// The leader keeps the Raft configuration in step with the servers gossip shows, as Consul's
// leader (reconcileMember) and autopilot do: an alive server that is not in the configuration is
// added as a non-voter and promoted to voter once it has caught up with the leader's log; a
// server that left (gossip status left) is removed; a server that comes back at an address
// under a new ID (its data dir was wiped) replaces the entry of its old ID; and a server that
// has been failed longer than the stabilization time is removed (autopilot's
// cleanup_dead_servers) while that keeps a majority of the voters and at least min_quorum.
// One change at a time, as Raft requires. A server in bootstrap mode (-bootstrap, -dev) is never
// added while another server is in bootstrap mode too: each has its own Raft cluster (Consul's
// joinConsulServer refuses it).
import type { AutopilotConfig } from '@proconsul/catalog';
import type { RaftNode } from '@proconsul/raft';
import { MemberStatus } from '../gossip/index.js';
import type { LanMembership } from '../gossip/index.js';
import type { Logger } from '../log.js';
import { serversIn } from './servers.js';

/** A non-voter is promoted once its log is within this many entries of the leader's. */
const CAUGHT_UP_ENTRIES = 64;

export class RaftMembership {
  /** Server ID -> when gossip first showed it failed. */
  readonly #failedSince = new Map<string, number>();
  /** Bootstrap-mode servers already warned about (once each). */
  readonly #warnedBootstrap = new Set<string>();

  constructor(
    private readonly lan: LanMembership,
    private readonly datacenter: string,
    /** `addr:port` a server ID was last seen at in gossip (it stays known after the ID goes). */
    private readonly addressOf: (id: string) => string | undefined,
    private readonly log: Logger,
    /** Autopilot's configuration as replicated (PUT /v1/operator/autopilot/configuration). */
    private readonly settings: () => AutopilotConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes at most one configuration change; call it periodically on the leader. */
  async reconcile(node: RaftNode): Promise<void> {
    if (!node.isLeader()) return;
    const status = node.status();
    const inConfig = new Map(status.peers.map((p) => [p.id, p]));
    const servers = serversIn(this.lan, this.datacenter);
    const now = this.now();
    for (const s of servers) {
      if (s.status === MemberStatus.failed) {
        if (!this.#failedSince.has(s.id)) this.#failedSince.set(s.id, now);
      } else this.#failedSince.delete(s.id);
    }
    for (const s of servers) {
      const peer = inConfig.get(s.id);
      if (s.status === MemberStatus.alive && !peer) {
        if (s.bootstrap && servers.some((o) => o.id !== s.id && o.bootstrap)) {
          if (!this.#warnedBootstrap.has(s.id)) this.log.error({ server: s.name, id: s.id }, 'Two nodes are in bootstrap mode. Only one node should be in bootstrap mode, not adding Raft peer.');
          this.#warnedBootstrap.add(s.id);
          continue;
        }
        const stale = status.peers.find((p) => p.id !== s.id && this.addressOf(p.id) === `${s.addr}:${s.port}`);
        if (stale) {
          this.log.info({ server: s.name, old: stale.id, id: s.id }, 'removing a Raft server replaced at the same address by a new ID');
          await node.changeMembership({ type: 'remove', id: stale.id });
          return;
        }
        this.log.info({ server: s.name, id: s.id }, 'adding a server to the Raft configuration as a non-voter');
        await node.changeMembership({ type: 'addLearner', id: s.id });
        return;
      }
      if (s.status === MemberStatus.alive && peer && !peer.voter && (peer.matchIndex ?? 0) + CAUGHT_UP_ENTRIES >= status.lastIndex) {
        this.log.info({ server: s.name, id: s.id }, 'promoting a caught-up server to voter');
        await node.changeMembership({ type: 'promote', id: s.id });
        return;
      }
      if (s.status === MemberStatus.left && peer && s.id !== node.id) {
        this.log.info({ server: s.name, id: s.id }, 'removing a server that left from the Raft configuration');
        await node.changeMembership({ type: 'remove', id: s.id });
        return;
      }
    }
    const ap = this.settings();
    if (!ap.CleanupDeadServers) return;
    const voters = status.peers.filter((p) => p.voter);
    const dead = voters.filter((p) => p.id !== node.id && now - (this.#failedSince.get(p.id) ?? now) >= ap.ServerStabilizationTimeMs);
    // Never remove so many that the rest is not a majority of today's voters, nor go below MinQuorum.
    if (dead.length === 0 || dead.length >= voters.length / 2 || voters.length - 1 < ap.MinQuorum) return;
    this.log.info({ id: dead[0]!.id }, 'removing a dead server from the Raft configuration (cleanup_dead_servers)');
    await node.changeMembership({ type: 'remove', id: dead[0]!.id });
  }
}
