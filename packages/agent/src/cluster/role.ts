// What the HTTP layer and the agent need from this agent's place in the cluster, whether it is
// a server (ServerCluster: Raft, the server port) or a client (ClientCluster: stateless, every
// state request goes to a server).
import type { RaftNode } from '@proconsul/raft';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';

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
  /** Has the cluster answer an HTTP request: the leader, or (a client's `?stale` read) any server. */
  forward(req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse>;
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
}
