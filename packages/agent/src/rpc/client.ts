// Agent RPC to other servers: one connection per server address, calls multiplexed by Seq,
// each with a deadline; a broken connection fails its calls and is redialled on the next call.
import type { Socket } from 'node:net';
import { writeBatched } from './batch.js';
import { serverDialer, type Dialer } from './dial.js';
import { encodeRpcFrame, RPC_CONSUL_BYTE, RpcFrameDecoder } from './frames.js';
import { RPC_CANCEL, type RpcResponse } from './messages.js';

/** Calls waiting for an answer on one connection; more fail at once rather than queue. */
const PENDING_MAX = 4096;
export const DIAL_TIMEOUT_MS = 2_000;

export class RpcError extends Error {
  override name = 'RpcError';
  /**
   * Whether the call may have reached the server: then its effect is unknown and it must not
   * be sent again elsewhere (a write would happen twice). False only when nothing was sent.
   */
  constructor(
    message: string,
    readonly sent: boolean,
    /**
     * The connection closed before the answer came (the server went away): a read may be sent
     * again elsewhere (Consul's canRetry for reads on EOF), a write may not.
     */
    readonly closed = false,
  ) {
    super(message);
  }
}

/** The remote side answered with an error (its text is Consul's, for the user). */
export class RpcRemoteError extends Error {
  override name = 'RpcRemoteError';
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

class Conn {
  readonly pending = new Map<number, Pending>();
  #seq = 0;
  #socket: Socket | undefined;
  readonly ready: Promise<void>;
  closed = false;

  constructor(host: string, port: number, dial: Dialer, onClose: () => void) {
    const decoder = new RpcFrameDecoder();
    const onData = (chunk: Buffer): void => {
      let frames: unknown[];
      try {
        frames = decoder.push(chunk);
      } catch {
        this.#socket?.destroy();
        return;
      }
      for (const f of frames) {
        const res = f as RpcResponse;
        const p = this.pending.get(res.Seq);
        if (!p) continue;
        this.pending.delete(res.Seq);
        clearTimeout(p.timer);
        if (res.Error !== undefined) p.reject(new RpcRemoteError(res.Error));
        else p.resolve(res.Body);
      }
    };
    const closed = (): void => {
      this.closed = true;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new RpcError(`rpc: connection to ${host}:${port} closed`, true, true));
      }
      this.pending.clear();
      onClose();
    };
    this.ready = dial(host, port).then(
      (socket) => {
        if (this.closed) {
          socket.destroy();
          throw new RpcError(`rpc: connection to ${host}:${port} closed`, false);
        }
        this.#socket = socket;
        socket.write(Buffer.of(RPC_CONSUL_BYTE));
        socket.on('data', onData);
        socket.on('error', () => undefined);
        socket.on('close', closed);
      },
      (err: Error) => {
        closed();
        throw new RpcError(`rpc: ${host}:${port}: ${err.message}`, false);
      },
    );
    this.ready.catch(() => undefined);
  }

  async call(method: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    await this.ready;
    if (this.closed) throw new RpcError('rpc: connection closed before the call was sent', false);
    if (signal?.aborted) throw new RpcError(`rpc: ${method} cancelled`, false);
    if (this.pending.size >= PENDING_MAX) throw new RpcError('rpc: too many calls in flight to this server', false);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      const cancel = (): void => {
        if (!this.pending.delete(seq)) return;
        clearTimeout(timer);
        // The server aborts the call (a blocking query ends there too).
        if (!this.closed) writeBatched(this.#socket!, encodeRpcFrame({ Seq: ++this.#seq, Method: RPC_CANCEL, Body: { Seq: seq } }));
        reject(new RpcError(`rpc: ${method} cancelled`, true));
      };
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        signal?.removeEventListener('abort', cancel);
        reject(new RpcError(`rpc: ${method} timed out after ${timeoutMs} ms`, true));
      }, timeoutMs);
      const settle = <T>(f: (v: T) => void) => (v: T): void => {
        signal?.removeEventListener('abort', cancel);
        f(v);
      };
      this.pending.set(seq, { resolve: settle(resolve), reject: settle(reject), timer });
      signal?.addEventListener('abort', cancel, { once: true });
      writeBatched(this.#socket!, encodeRpcFrame({ Seq: seq, Method: method, Body: body }));
    });
  }

  close(): void {
    this.closed = true;
    this.#socket?.destroy();
  }
}

export class RpcClient {
  readonly #conns = new Map<string, Conn>();

  /** `dial` opens a connection ready for the protocol byte (plain TCP or TLS). */
  constructor(private readonly dial: Dialer = serverDialer(null, DIAL_TIMEOUT_MS)) {}

  /** Calls `method` on the server at `host:port`. */
  call(host: string, port: number, method: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const key = `${host}:${port}`;
    let c = this.#conns.get(key);
    if (!c || c.closed) {
      const conn = new Conn(host, port, this.dial, () => {
        if (this.#conns.get(key) === conn) this.#conns.delete(key);
      });
      this.#conns.set(key, conn);
      c = conn;
    }
    return c.call(method, body, timeoutMs, signal);
  }

  /**
   * Closes the connection to a server gossip saw fail or leave: its calls fail now instead of
   * at their deadline (a blocking query's is its wait, up to 10 minutes), as no answer comes
   * from a host that is gone and no TCP reset tells.
   */
  drop(host: string, port: number): void {
    this.#conns.get(`${host}:${port}`)?.close();
  }

  close(): void {
    for (const c of this.#conns.values()) c.close();
    this.#conns.clear();
  }
}
