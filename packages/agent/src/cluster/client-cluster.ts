// A client agent keeps no catalog (Consul's client mode): it finds the servers of its
// datacenter through LAN gossip tags and sends every state request and write to one of them
// over agent RPC, moving to another server when a call cannot reach it.
import type { ApplyResult, Command } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { LanMembership } from '../gossip/index.js';
import { ANONYMOUS_TOKEN_SECRET } from '../acl/identities.js';
import { HttpError } from '../http/http-error.js';
import { encodeCommand } from '../raft/catalog-fsm.js';
import type { Committed } from '../raft/raft-applier.js';
import { DIAL_TIMEOUT_MS, RpcClient } from '../rpc/client.js';
import { serverDialer } from '../rpc/dial.js';
import type { RpcTls } from '../tls/rpc-tls.js';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import { hedgeMs, isRead, withDatacenter, type ApplyCall, type ClusterRole, type ForwardCall } from './role.js';
import { READ_HEDGE_MS, ServerFailover } from './failover.js';
import { isAlive, serverOf, serversIn } from './servers.js';

const APPLY_TIMEOUT_MS = 30_000;
const STATUS_TIMEOUT_MS = 5_000;

export class ClientCluster implements ClusterRole {
  readonly server = false;
  readonly rpc: RpcClient;
  readonly applier: Applier<Command, ApplyResult>;
  readonly #failover: ServerFailover;
  /** With ACLs: the token each of this agent's own writes carries (acl/agent-tokens.ts). */
  writeToken: ((command: Command) => string) | null = null;
  readonly #offMember: () => void;

  constructor(
    private readonly lan: LanMembership,
    private readonly datacenter: string,
    rpcTls: RpcTls | null = null,
  ) {
    this.rpc = new RpcClient(serverDialer(rpcTls, DIAL_TIMEOUT_MS));
    this.#failover = new ServerFailover(this.rpc);
    // A server seen failed or leaving: its calls in flight fail now (reads then go elsewhere).
    this.#offMember = lan.onMember((e) => {
      if (e.type !== 'member-failed' && e.type !== 'member-leave') return;
      const s = serverOf(e.member);
      if (s) this.rpc.drop(s.addr, s.port);
    });
    const call = this.#call.bind(this);
    const applyIndexed = async (command: Command) => {
      const token = this.writeToken?.(command);
      // No token is the anonymous token (a server would otherwise apply its own default token).
      const body: ApplyCall = { Data: encodeCommand(command), Hops: 0, ...(token !== undefined ? { Token: token || ANONYMOUS_TOKEN_SECRET } : {}) };
      const c = (await call('Raft.Apply', body, APPLY_TIMEOUT_MS)) as Committed;
      return { result: c.result as ApplyResult, index: c.index };
    };
    this.applier = {
      lastIndex: 0,
      apply: async (command) => (await applyIndexed(command)).result,
      applyIndexed,
      restore: async () => {
        throw new HttpError(500, 'a client agent cannot restore a snapshot: send it to a server');
      },
      close: async () => undefined,
    };
  }

  node(): null {
    return null;
  }

  readBarrier(): Promise<void> {
    return Promise.reject(new Error('a client agent has no Raft log to read from'));
  }

  isLeader(): boolean {
    return false;
  }

  async leaderAddr(): Promise<string> {
    return (await this.#call('Status.Leader', {}, STATUS_TIMEOUT_MS, true, READ_HEDGE_MS)) as string;
  }

  async peerAddrs(): Promise<string[]> {
    return (await this.#call('Status.Peers', {}, STATUS_TIMEOUT_MS, true, READ_HEDGE_MS)) as string[];
  }

  serverRpc(method: string, body: unknown, timeoutMs: number, read: boolean, signal?: AbortSignal): Promise<unknown> {
    return this.#call(method, body, timeoutMs, read, 0, signal);
  }

  async forward(req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse> {
    return (await this.#call('HTTP.Forward', { Request: req, ToLeader: false } satisfies ForwardCall, timeoutMs, isRead(req), hedgeMs(req))) as ForwardedResponse;
  }

  /** The servers of this datacenter route it (their WAN router); this agent has no WAN pool. */
  async forwardToDatacenter(dc: string, req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse> {
    return this.forward({ ...req, url: withDatacenter(req.url, dc) }, timeoutMs);
  }

  async datacenters(): Promise<string[]> {
    const res = await this.forward({ method: 'GET', url: '/v1/catalog/datacenters?stale', headers: {} }, STATUS_TIMEOUT_MS);
    if (res.status !== 200) throw new HttpError(500, Buffer.from(res.body).toString());
    return JSON.parse(Buffer.from(res.body).toString()) as string[];
  }

  async beforeLeave(): Promise<void> {}

  stats(): Record<string, Record<string, string>> {
    return { consul: { known_servers: String(serversIn(this.lan, this.datacenter).filter(isAlive).length), server: 'false' } };
  }

  async close(): Promise<void> {
    this.#offMember();
    this.rpc.close();
  }

  call(method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    return this.#call(method, body, timeoutMs);
  }

  /** Calls a server of this datacenter (see failover.ts). */
  async #call(method: string, body: unknown, timeoutMs: number, read = false, hedge = 0, signal?: AbortSignal): Promise<unknown> {
    const alive = serversIn(this.lan, this.datacenter).filter(isAlive);
    if (alive.length === 0) throw new HttpError(500, 'No known Consul servers');
    return this.#failover.call(alive, method, body, timeoutMs, read, hedge, signal);
  }
}
