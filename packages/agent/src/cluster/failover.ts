// Calling one of several equivalent servers (the servers of this datacenter from a client, the
// servers of another datacenter from the router): the preferred one first, then the others; a
// call moves on only when it never left this agent, because a call that was sent may have taken
// effect (a write would happen twice); a read whose server closed the connection before
// answering is sent again (Consul's canRetry: reads are safe to retry on EOF). A read that should
// be answered at once may also be hedged: sent to the next server too when the first is silent.
import { HttpError } from '../http/http-error.js';
import { RpcError, type RpcClient } from '../rpc/client.js';
import type { ServerInfo } from './servers.js';

/**
 * How long a hedged read waits for one server before asking the next as well. A server whose
 * host vanished answers nothing and sends no reset; gossip takes seconds to call it failed.
 */
export const READ_HEDGE_MS = 1_000;

export class ServerFailover {
  #preferred: string | null = null;

  constructor(private readonly rpc: RpcClient) {}

  /** The servers in calling order: the last one that answered first, the rest shuffled (spreads load). */
  order(alive: ServerInfo[]): ServerInfo[] {
    const rest = alive.filter((s) => s.id !== this.#preferred).sort(() => Math.random() - 0.5);
    const first = alive.find((s) => s.id === this.#preferred);
    return first ? [first, ...rest] : rest;
  }

  /**
   * Calls `method` on the first of `alive` (in `order`) that can be reached; `read`: the call
   * changes nothing. `hedgeMs` > 0 (reads only): a server silent that long gets company, the
   * next server is called too, and the first answer wins.
   */
  call(alive: ServerInfo[], method: string, body: unknown, timeoutMs: number, read = false, hedgeMs = 0, signal?: AbortSignal): Promise<unknown> {
    const servers = this.order(alive);
    return new Promise((resolve, reject) => {
      let next = 0;
      let pending = 0;
      let settled = false;
      let hedge: NodeJS.Timeout | undefined;
      const settle = (): void => {
        settled = true;
        clearTimeout(hedge);
      };
      const launch = (): void => {
        const s = servers[next++]!;
        pending++;
        clearTimeout(hedge);
        if (read && hedgeMs > 0 && next < servers.length) hedge = setTimeout(launch, hedgeMs);
        this.rpc.call(s.addr, s.port, method, body, timeoutMs, signal).then(
          (r) => {
            pending--;
            if (settled) return;
            this.#preferred = s.id;
            settle();
            resolve(r);
          },
          (err: unknown) => {
            pending--;
            if (settled) return;
            // An answer (an error text) is final, and so is a call that may have reached the server.
            if (!(err instanceof RpcError)) {
              settle();
              return reject(err);
            }
            if (this.#preferred === s.id) this.#preferred = null;
            if (err.sent && !(read && err.closed)) {
              // A hedged read still waits for the others in flight.
              if (pending > 0) return;
              settle();
              return reject(new HttpError(500, `rpc error making call: ${err.message}`));
            }
            if (next < servers.length) return launch();
            if (pending > 0) return;
            settle();
            reject(new HttpError(500, `rpc error: no server answered: ${err.message}`));
          },
        );
      };
      if (servers.length === 0) reject(new HttpError(500, 'rpc error: no server answered'));
      else launch();
    });
  }
}
