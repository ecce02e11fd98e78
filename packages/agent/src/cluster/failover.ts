// Calling one of several equivalent servers (the servers of this datacenter from a client, the
// servers of another datacenter from the router): the preferred one first, then the others; a
// call moves on only when it never left this agent, because a call that was sent may have taken
// effect (a write would happen twice); a read whose server closed the connection before
// answering is sent again (Consul's canRetry: reads are safe to retry on EOF).
import { HttpError } from '../http/http-error.js';
import { RpcError, type RpcClient } from '../rpc/client.js';
import type { ServerInfo } from './servers.js';

export class ServerFailover {
  #preferred: string | null = null;

  constructor(private readonly rpc: RpcClient) {}

  /** The servers in calling order: the last one that answered first, the rest shuffled (spreads load). */
  order(alive: ServerInfo[]): ServerInfo[] {
    const rest = alive.filter((s) => s.id !== this.#preferred).sort(() => Math.random() - 0.5);
    const first = alive.find((s) => s.id === this.#preferred);
    return first ? [first, ...rest] : rest;
  }

  /** Calls `method` on the first of `alive` (in `order`) that can be reached; `read`: the call changes nothing. */
  async call(alive: ServerInfo[], method: string, body: unknown, timeoutMs: number, read = false): Promise<unknown> {
    let lastErr: unknown;
    for (const s of this.order(alive)) {
      try {
        const r = await this.rpc.call(s.addr, s.port, method, body, timeoutMs);
        this.#preferred = s.id;
        return r;
      } catch (err) {
        // An answer (an error text) is final, and so is a call that may have reached the server.
        if (!(err instanceof RpcError)) throw err;
        if (this.#preferred === s.id) this.#preferred = null;
        if (err.sent && !(read && err.closed)) throw new HttpError(500, `rpc error making call: ${err.message}`);
        lastErr = err;
      }
    }
    throw new HttpError(500, `rpc error: no server answered: ${(lastErr as Error).message}`);
  }
}
