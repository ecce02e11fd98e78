// -bootstrap-expect N (Consul's maybeBootstrap): once N alive servers of this datacenter that
// expect N are seen in gossip, and none of them has Raft state already (asked over RPC), every
// one of them bootstraps Raft with the same founding voters: all of those servers. A server
// that finds a peer with state (a cluster that exists) joins instead and waits to be added.
import type { LanMembership } from '../gossip/index.js';
import type { Logger } from '../log.js';
import { isAlive, serversIn, type ServerInfo } from './servers.js';

const POLL_MS = 200;
const RAFT_STATE_TIMEOUT_MS = 2_000;

export interface BootstrapOptions {
  lan: LanMembership;
  datacenter: string;
  expect: number;
  selfId: string;
  /** Whether a server already has Raft state (agent RPC `Status.RaftState`). */
  hasRaftState: (server: ServerInfo, timeoutMs: number) => Promise<boolean>;
  log: Logger;
  signal: AbortSignal;
}

/** Resolves with the founding voters, or undefined when this server must join an existing cluster. */
export async function awaitBootstrap(o: BootstrapOptions): Promise<string[] | undefined> {
  let warned = '';
  while (!o.signal.aborted) {
    const servers = serversIn(o.lan, o.datacenter).filter(isAlive);
    const conflicting = servers.filter((s) => s.expect !== 0 && s.expect !== o.expect);
    if (servers.some((s) => s.bootstrap)) {
      o.log.info('a server in bootstrap mode is present: joining its cluster instead of bootstrapping');
      return undefined;
    }
    if (conflicting.length > 0) {
      const msg = `Member ${conflicting[0]!.name} has a conflicting expect value. All nodes should expect the same number.`;
      if (msg !== warned) o.log.error(msg);
      warned = msg;
    } else if (servers.length >= o.expect) {
      const others = servers.filter((s) => s.id !== o.selfId);
      let withState: ServerInfo | undefined;
      let unreachable = false;
      for (const s of others) {
        try {
          if (await o.hasRaftState(s, RAFT_STATE_TIMEOUT_MS)) withState = s;
        } catch {
          unreachable = true;
        }
      }
      if (withState) {
        o.log.info({ server: withState.name }, 'existing Raft peers reported by a server, not bootstrapping');
        return undefined;
      }
      if (!unreachable) {
        const voters = servers.map((s) => s.id).sort();
        o.log.info({ servers: servers.map((s) => s.name).sort() }, 'found expected number of peers, attempting to bootstrap cluster...');
        return voters;
      }
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}
