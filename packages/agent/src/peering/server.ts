/**
 * A server's peering: the service (HTTP operations, the accepting side of the stream), its RPC
 * methods on the server port, and the leader's manager. Servers load this module on demand
 * (dynamic import), so a client agent never holds it.
 */
import type { ApplyResult, Catalog, Command } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { ServerCluster } from '../cluster/server-cluster.js';
import { serversIn } from '../cluster/servers.js';
import type { AgentConfig } from '../config/types.js';
import type { LanMembership } from '../gossip/index.js';
import type { Logger } from '../log.js';
import { PeeringManager } from './manager.js';
import { PeeringService, PULL_WAIT_MS, STREAM_CALL_MARGIN_MS, type PeerCall } from './service.js';
import { joinHostPort } from './token.js';

export interface ServerPeering {
  service: PeeringService;
  manager: PeeringManager;
}

type Obj = Record<string, unknown>;
const asObj = (b: unknown): Obj => (typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Obj) : {});

export function startServerPeering(sc: ServerCluster, config: AgentConfig, catalog: Catalog, applier: Applier<Command, ApplyResult>, lan: LanMembership, log: Logger): ServerPeering {
  const call: PeerCall = (host, port, method, body, timeoutMs) => sc.rpcClient.call(host, port, method, body, timeoutMs);
  const service = new PeeringService({
    catalog,
    applier,
    datacenter: config.datacenter,
    domain: config.domain,
    serverAddresses: () => serversIn(lan, config.datacenter).map((s) => joinHostPort(s.addr, s.port)),
    call,
    log,
  });
  // The accepting side's methods run on the leader: a follower passes the call on (Consul's forwarding).
  const onLeader = (method: string, timeoutMs: number, here: (body: Obj) => Promise<unknown>) =>
    sc.rpc.handle(method, (body) => sc.onLeader(method, asObj(body), timeoutMs, false, () => here(asObj(body))));
  onLeader('PeerStream.ExchangeSecret', STREAM_CALL_MARGIN_MS, (b) => service.exchangeSecret(b));
  onLeader('PeerStream.Pull', PULL_WAIT_MS + STREAM_CALL_MARGIN_MS, (b) => service.pull(b));
  onLeader('PeerStream.Push', STREAM_CALL_MARGIN_MS, (b) => service.push(b));
  onLeader('PeerStream.Terminate', STREAM_CALL_MARGIN_MS, (b) => service.terminate(b));
  const manager = new PeeringManager({ catalog, applier, service, datacenter: config.datacenter, call, log });
  return { service, manager };
}
