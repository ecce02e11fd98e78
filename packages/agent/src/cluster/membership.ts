// The leader keeps the Raft configuration in step with the servers gossip shows, as Consul's
// leader (reconcileMember) and autopilot do: an alive server that is not in the configuration is
// added as a non-voter, promoted to voter once it has caught up with the leader's log; a server
// that left the cluster (gossip status left) is removed. One change at a time, as Raft requires.
import type { RaftNode } from '@proconsul/raft';
import { MemberStatus } from '../gossip/index.js';
import type { LanMembership } from '../gossip/index.js';
import type { Logger } from '../log.js';
import { serversIn } from './servers.js';

/** A non-voter is promoted once its log is within this many entries of the leader's. */
const CAUGHT_UP_ENTRIES = 64;

export async function reconcileRaftMembership(node: RaftNode, lan: LanMembership, datacenter: string, log: Logger): Promise<void> {
  if (!node.isLeader()) return;
  const status = node.status();
  const inConfig = new Map(status.peers.map((p) => [p.id, p]));
  const servers = serversIn(lan, datacenter);
  for (const s of servers) {
    const peer = inConfig.get(s.id);
    if (s.status === MemberStatus.alive && !peer) {
      log.info({ server: s.name, id: s.id }, 'adding a server to the Raft configuration as a non-voter');
      await node.changeMembership({ type: 'addLearner', id: s.id });
      return;
    }
    if (s.status === MemberStatus.alive && peer && !peer.voter && (peer.matchIndex ?? 0) + CAUGHT_UP_ENTRIES >= status.lastIndex) {
      log.info({ server: s.name, id: s.id }, 'promoting a caught-up server to voter');
      await node.changeMembership({ type: 'promote', id: s.id });
      return;
    }
    if (s.status === MemberStatus.left && peer && s.id !== node.id) {
      log.info({ server: s.name, id: s.id }, 'removing a server that left from the Raft configuration');
      await node.changeMembership({ type: 'remove', id: s.id });
      return;
    }
  }
}
