// Agent RPC to other servers: one connection per server address, calls multiplexed by Seq,
// each with a deadline; a broken connection fails its calls and is redialled on the next call.
import { connect, type Socket } from 'node:net';
import { encodeRpcFrame, RPC_CONSUL_BYTE, RpcFrameDecoder } from './frames.js';
import type { RpcResponse } from './messages.js';

/** Calls waiting for an answer on one connection; more fail at once rather than queue. */
const PENDING_MAX = 4096;
const DIAL_TIMEOUT_MS = 2_000;

export class RpcError extends Error {
  override name = 'RpcError';
  /**
   * Whether the call may have reached the server: then its effect is unknown and it must not
   * be sent again elsewhere (a write would happen twice). False only when nothing was sent.
   */
  constructor(
    message: string,
    readonly sent: boolean,
  ) {
    super(message);
  }
}

/**
 * The connection broke (closed by either side, or dropped when gossip saw the server fail)
 * after the call was sent: a read may be sent again to another server (Consul retries a read
 * on EOF), a write must not.
 */
export class RpcConnectionLost extends RpcError {
  override name = 'RpcConnectionLost';
  constructor(message: string) {
    super(message, true);
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
  readonly #socket: Socket;
  readonly ready: Promise<void>;
  closed = false;

  constructor(host: string, port: number, onClose: () => void) {
    this.#socket = connect({ host, port });
    this.#socket.setNoDelay(true);
    const decoder = new RpcFrameDecoder();
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        reject(new RpcError(`rpc: dial ${host}:${port} timed out`, false));
        this.#socket.destroy();
      }, DIAL_TIMEOUT_MS);
      this.#socket.once('connect', () => {
        clearTimeout(t);
        this.#socket.write(Buffer.of(RPC_CONSUL_BYTE));
        resolve();
      });
      this.#socket.once('error', (err) => {
        clearTimeout(t);
        reject(new RpcError(`rpc: ${host}:${port}: ${err.message}`, false));
      });
    });
    this.ready.catch(() => undefined);
    this.#socket.on('data', (chunk: Buffer) => {
      let frames: unknown[];
      try {
        frames = decoder.push(chunk);
      } catch {
        this.#socket.destroy();
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
    });
    this.#socket.on('error', () => undefined);
    this.#socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new RpcConnectionLost(`rpc: connection to ${host}:${port} closed`));
      }
      this.pending.clear();
      onClose();
    });
  }

  async call(method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    await this.ready;
    if (this.pending.size >= PENDING_MAX) throw new RpcError('rpc: too many calls in flight to this server', false);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new RpcError(`rpc: ${method} timed out after ${timeoutMs} ms`, true));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
      this.#socket.write(encodeRpcFrame({ Seq: seq, Method: method, Body: body }));
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

export class RpcClient {
  readonly #conns = new Map<string, Conn>();

  /** Calls `method` on the server at `host:port`. */
  call(host: string, port: number, method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const key = `${host}:${port}`;
    let c = this.#conns.get(key);
    if (!c || c.closed) {
      const conn = new Conn(host, port, () => {
        if (this.#conns.get(key) === conn) this.#conns.delete(key);
      });
      this.#conns.set(key, conn);
      c = conn;
    }
    return c.call(method, body, timeoutMs);
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
