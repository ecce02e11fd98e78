// What the HTTP layer and the agent need from this agent's place in the cluster, whether it is
// a server (ServerCluster: Raft, the server port) or a client (ClientCluster: stateless, every
// state request goes to a server).
import type { RaftNode } from '@proconsul/raft';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import { READ_HEDGE_MS } from './failover.js';

export interface ClusterRole {
  readonly server: boolean;
  /** This server's Raft node (null on a client, or before it starts). */
  node(): RaftNode | null;
  isLeader(): boolean;
  /** A server's read point (default reads: the lease, `?consistent`: a ReadIndex round); 500 without a leader. */
  readBarrier(mode: 'safe' | 'lease'): Promise<void>;
  /** `addr:port` of the Raft leader ('' when none is known): /v1/status/leader. */
  leaderAddr(): Promise<string>;
  /** `addr:port` of every Raft voter: /v1/status/peers. */
  peerAddrs(): Promise<string[]>;
  /**
   * Calls a server RPC method as Consul's agent does (its Delegate.RPC): a client calls one of
   * its servers, a server runs the method itself; methods that need the leader go there.
   * `read`: the call changes nothing, so it may be sent again when a connection breaks.
   */
  /** `signal`: the caller gives up; the server then aborts the call (RPC.Cancel). */
  serverRpc(method: string, body: unknown, timeoutMs: number, read: boolean, signal?: AbortSignal): Promise<unknown>;
  /** Has the cluster answer an HTTP request: the leader, or (a client's `?stale` read) any server. */
  forward(req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse>;
  /**
   * Runs an HTTP request in datacenter `dc` and answers as that datacenter does (its `?dc=` is
   * set to `dc`): a server sends it to a server of `dc` through the WAN router, a client to a
   * server of its own datacenter, which does that. The local datacenter goes to `forward`.
   * An unknown datacenter: HttpError 500 `No path to datacenter`. This is the seam for
   * `?dc=`, DNS `.<dc>.` names and prepared-query failover.
   */
  forwardToDatacenter(dc: string, req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse>;
  /** Every known datacenter, ordered as /v1/catalog/datacenters lists them. */
  datacenters(): Promise<string[]>;
  /** Before a graceful leave: a leading server hands leadership to another voter first. */
  beforeLeave(): Promise<void>;
  /** The `consul` and (servers) `raft` sections of /v1/agent/self's Stats. */
  stats(): Record<string, Record<string, string>>;
  close(): Promise<void>;
}

/** The body of the `HTTP.Forward` RPC. */
export interface ForwardCall {
  Request: ForwardedRequest;
  /** Sent by a server to the leader: execute here, never forward again. */
  ToLeader: boolean;
}

/** The body of the `Raft.Apply` RPC: an encoded catalog entry and how many servers it passed. */
export interface ApplyCall {
  Data: Uint8Array;
  Hops: number;
  /** A client agent's ACL token for this write (its service's, check's or agent token). */
  Token?: string;
}

/** `url` with its `?dc=` set to `dc` (the other parameters kept as they were written). */
export function withDatacenter(url: string, dc: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const others = q < 0 ? [] : url.slice(q + 1).split('&').filter((p) => p !== '' && p !== 'dc' && !p.startsWith('dc='));
  return `${path}?${[...others, `dc=${encodeURIComponent(dc)}`].join('&')}`;
}

/** Whether a forwarded HTTP request only reads (every GET and HEAD of Consul's API does). */
export function isRead(req: ForwardedRequest): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

/** How long a forwarded request may wait on a silent server before the next is asked too: reads that answer at once (not blocking queries, `?index=`). */
export function hedgeMs(req: ForwardedRequest): number {
  if (!isRead(req)) return 0;
  const index = new URL(req.url, 'http://agent').searchParams.get('index');
  return index === null || Number(index) === 0 ? READ_HEDGE_MS : 0;
}
