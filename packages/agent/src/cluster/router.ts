// The router to other datacenters (Consul's agent/router): for each datacenter, the servers the
// WAN pool shows alive; a request for that datacenter goes to one of them over agent RPC
// (`HTTP.Forward`, executed there as if asked there), failing over to another server of that
// datacenter when one cannot be reached before anything was sent (failover.ts). A server that
// the WAN pool shows failed or left is not tried.
import type { LanMembership } from '../gossip/index.js';
import { MemberStatus } from '../gossip/index.js';
import { HttpError } from '../http/http-error.js';
import type { RpcClient } from '../rpc/client.js';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import type { Coordinate } from '@proconsul/gossip';
import { datacentersByDistance } from './datacenter-order.js';
import { ServerFailover } from './failover.js';
import { hedgeMs, isRead, type ForwardCall } from './role.js';
import { isAlive, serverOf, type ServerInfo } from './servers.js';

/** Consul's structs.ErrNoDCPath, answered as a 500. */
export const NO_DC_PATH = 'No path to datacenter';

export class WanRouter {
  /** One failover state per datacenter (its preferred server). */
  readonly #failover = new Map<string, ServerFailover>();
  /** The WAN pool's servers, read again after any member event (not on every request). */
  #cached: ServerInfo[] | null = null;

  constructor(
    /** The WAN pool; undefined when it is off (serf_wan -1): only the local datacenter is known. */
    private readonly wan: LanMembership | undefined,
    private readonly localDatacenter: string,
    private readonly rpc: RpcClient,
    /** The WAN pool's network coordinates (its GossipNode); datacenters are then nearest first. */
    private readonly coordinates?: { coordinate(): Coordinate | undefined; memberCoordinate(name: string): Coordinate | undefined },
  ) {
    wan?.onMember(() => (this.#cached = null));
  }

  /** Every datacenter with a server in the WAN pool that has not left, nearest first (datacenter-order.ts). */
  datacenters(): string[] {
    const names = new Set([this.localDatacenter]);
    const servers = this.#servers().filter((s) => s.status !== MemberStatus.left);
    for (const s of servers) names.add(s.datacenter);
    const c = this.coordinates;
    const located = servers.map((s) => ({ datacenter: s.datacenter, coord: c?.memberCoordinate(s.name) }));
    return datacentersByDistance([...names], this.localDatacenter, c?.coordinate(), located);
  }

  /** The alive servers of `datacenter` in the WAN pool. */
  servers(datacenter: string): ServerInfo[] {
    return this.#servers().filter((s) => s.datacenter === datacenter && isAlive(s));
  }

  /** Runs an HTTP request on a server of `datacenter` (never the local one: the caller handles that). */
  async forward(datacenter: string, req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse> {
    const alive = this.servers(datacenter);
    if (alive.length === 0) throw new HttpError(500, NO_DC_PATH);
    // ToLeader false: the remote server forwards to its own leader when it is not the leader.
    return (await this.#failoverFor(datacenter).call(alive, 'HTTP.Forward', { Request: req, ToLeader: false } satisfies ForwardCall, timeoutMs, isRead(req), hedgeMs(req))) as ForwardedResponse;
  }

  /**
   * Calls an RPC method on a server of `datacenter` (a read: sent again to another server when a
   * connection breaks). What a secondary datacenter's server asks of the primary's ACLs.
   */
  async call(datacenter: string, method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const alive = this.servers(datacenter);
    if (alive.length === 0) throw new HttpError(500, NO_DC_PATH);
    return this.#failoverFor(datacenter).call(alive, method, body, timeoutMs, true);
  }

  #failoverFor(datacenter: string): ServerFailover {
    let failover = this.#failover.get(datacenter);
    if (!failover) this.#failover.set(datacenter, (failover = new ServerFailover(this.rpc)));
    return failover;
  }

  #servers(): ServerInfo[] {
    if (!this.wan) return [];
    return (this.#cached ??= this.wan.members().map(serverOf).filter((s): s is ServerInfo => s !== null));
  }
}
