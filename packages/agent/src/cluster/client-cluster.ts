// A client agent keeps no catalog (Consul's client mode): it finds the servers of its
// datacenter through LAN gossip tags and sends every state request and write to one of them
// over agent RPC, moving to another server when a call cannot reach it.
import type { ApplyResult, Command } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { LanMembership } from '../gossip/index.js';
import { HttpError } from '../http/http-error.js';
import { encodeCommand } from '../raft/catalog-fsm.js';
import type { Committed } from '../raft/raft-applier.js';
import { RpcClient, RpcError } from '../rpc/client.js';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import type { ApplyCall, ClusterRole, ForwardCall } from './role.js';
import { isAlive, serversIn, type ServerInfo } from './servers.js';

const APPLY_TIMEOUT_MS = 30_000;
const STATUS_TIMEOUT_MS = 5_000;

export class ClientCluster implements ClusterRole {
  readonly server = false;
  readonly rpc = new RpcClient();
  readonly applier: Applier<Command, ApplyResult>;
  #preferred: string | null = null;

  constructor(
    private readonly lan: LanMembership,
    private readonly datacenter: string,
  ) {
    const call = this.#call.bind(this);
    const applyIndexed = async (command: Command) => {
      const c = (await call('Raft.Apply', { Data: encodeCommand(command), Hops: 0 } satisfies ApplyCall, APPLY_TIMEOUT_MS)) as Committed;
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
    return (await this.#call('Status.Leader', {}, STATUS_TIMEOUT_MS)) as string;
  }

  async peerAddrs(): Promise<string[]> {
    return (await this.#call('Status.Peers', {}, STATUS_TIMEOUT_MS)) as string[];
  }

  async forward(req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse> {
    return (await this.#call('HTTP.Forward', { Request: req, ToLeader: false } satisfies ForwardCall, timeoutMs)) as ForwardedResponse;
  }

  async beforeLeave(): Promise<void> {}

  stats(): Record<string, Record<string, string>> {
    return { consul: { known_servers: String(serversIn(this.lan, this.datacenter).filter(isAlive).length), server: 'false' } };
  }

  async close(): Promise<void> {
    this.rpc.close();
  }

  /**
   * Calls a server, starting with the last one that answered; moves to the next alive server
   * only when the call never left this agent (a sent call may have taken effect).
   */
  async #call(method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const servers = this.#servers();
    if (servers.length === 0) throw new HttpError(500, 'No known Consul servers');
    let lastErr: unknown;
    for (const s of servers) {
      try {
        const r = await this.rpc.call(s.addr, s.port, method, body, timeoutMs);
        this.#preferred = s.id;
        return r;
      } catch (err) {
        // An answer (an error text) is final, and so is a call that may have reached the server.
        if (!(err instanceof RpcError)) throw err;
        if (this.#preferred === s.id) this.#preferred = null;
        if (err.sent) throw new HttpError(500, `rpc error making call: ${err.message}`);
        lastErr = err;
      }
    }
    throw new HttpError(500, `rpc error: no server answered: ${(lastErr as Error).message}`);
  }

  #servers(): ServerInfo[] {
    const alive = serversIn(this.lan, this.datacenter).filter(isAlive);
    // The preferred server first, the rest in a random order so clients spread over servers.
    const rest = alive.filter((s) => s.id !== this.#preferred).sort(() => Math.random() - 0.5);
    const first = alive.find((s) => s.id === this.#preferred);
    return first ? [first, ...rest] : rest;
  }
}
