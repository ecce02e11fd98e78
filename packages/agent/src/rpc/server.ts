// The server port (8300): one listener for Raft (protocol byte 0x01) and agent RPC (0x00), as
// Consul multiplexes its RPC port. Connections per client IP are bounded
// (limits.rpc_max_conns_per_client); a malformed frame closes its connection and is counted.
import type { Socket } from 'node:net';
import { TcpTransport } from '@proconsul/raft';
import type { Logger } from '../log.js';
import { writeBatched } from './batch.js';
import { encodeRpcFrame, RPC_CONSUL_BYTE, RpcFrameDecoder } from './frames.js';
import type { RpcRequest, RpcResponse } from './messages.js';

export type RpcHandler = (body: unknown) => Promise<unknown>;

/** Calls one connection may have running at once (blocking queries included), and waiting. */
const CALLS_PER_CONN_MAX = 512;
const QUEUED_PER_CONN_MAX = 4096;

export interface RpcServerStats {
  malformed: number;
  refused: number;
}

export class RpcServer {
  readonly stats: RpcServerStats = { malformed: 0, refused: 0 };
  readonly #handlers = new Map<string, RpcHandler>();
  readonly #perClient = new Map<string, number>();
  readonly #sockets = new Set<Socket>();

  constructor(
    private readonly maxConnsPerClient: number,
    private readonly log: Logger,
  ) {}

  handle(method: string, handler: RpcHandler): void {
    this.#handlers.set(method, handler);
  }

  /** A Raft transport whose listener is this port: Raft connections go to it, RPC ones here. */
  transport(id: string): TcpTransport {
    return new TcpTransport({ id, onOtherProtocol: (byte, socket, rest) => this.#accept(byte, socket, rest) });
  }

  /** Starts listening for both protocols on `host:port` through `transport`. */
  async listen(transport: TcpTransport, host: string, port: number): Promise<void> {
    await transport.listen(host, port);
  }

  #admit(socket: Socket): boolean {
    const ip = socket.remoteAddress ?? '';
    const n = this.#perClient.get(ip) ?? 0;
    if (this.maxConnsPerClient > 0 && n >= this.maxConnsPerClient) {
      this.stats.refused++;
      socket.destroy();
      return false;
    }
    this.#perClient.set(ip, n + 1);
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      const left = (this.#perClient.get(ip) ?? 1) - 1;
      if (left > 0) this.#perClient.set(ip, left);
      else this.#perClient.delete(ip);
    });
    return true;
  }

  #accept(byte: number, socket: Socket, rest: Buffer): void {
    if (byte !== RPC_CONSUL_BYTE) {
      this.stats.malformed++;
      socket.destroy();
      return;
    }
    if (!this.#admit(socket)) return;
    const decoder = new RpcFrameDecoder();
    let running = 0;
    const queue: RpcRequest[] = [];
    const run = (req: RpcRequest): void => {
      running++;
      const handler = this.#handlers.get(req.Method);
      const done = (res: RpcResponse): void => {
        running--;
        if (!socket.destroyed) writeBatched(socket, encodeRpcFrame(res));
        const next = queue.shift();
        if (next) run(next);
      };
      if (!handler) return done({ Seq: req.Seq, Error: `rpc: can't find method ${req.Method}` });
      handler(req.Body).then(
        (Body) => done({ Seq: req.Seq, Body }),
        (err: Error) => done({ Seq: req.Seq, Error: err.message }),
      );
    };
    const onData = (chunk: Buffer): void => {
      let frames: unknown[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.stats.malformed++;
        this.log.warn({ err, from: socket.remoteAddress }, 'closing an RPC connection after a malformed frame');
        socket.destroy();
        return;
      }
      for (const f of frames) {
        const req = f as RpcRequest;
        if (typeof req !== 'object' || req === null || typeof req.Seq !== 'number' || typeof req.Method !== 'string') {
          this.stats.malformed++;
          socket.destroy();
          return;
        }
        if (running < CALLS_PER_CONN_MAX) run(req);
        else if (queue.length < QUEUED_PER_CONN_MAX) queue.push(req);
        else {
          this.log.warn({ from: socket.remoteAddress }, 'closing an RPC connection with too many calls waiting');
          socket.destroy();
          return;
        }
      }
    };
    socket.on('error', () => undefined);
    socket.on('data', onData);
    if (rest.length > 0) onData(rest);
  }

  close(): void {
    for (const s of this.#sockets) s.destroy();
  }
}
