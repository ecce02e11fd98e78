// The server port (8300): one listener for Raft (protocol byte 0x01) and agent RPC (0x00), as
// Consul multiplexes its RPC port, either of them inside TLS after the RPCTLS byte (0x03).
// Connections per client IP are bounded (limits.rpc_max_conns_per_client); a malformed frame
// closes its connection and is counted. With verify_incoming only TLS is accepted.
// RPCTLSInsecure (0x07, Consul's insecure RPC server): TLS without a client certificate, agent RPC
// right inside, for AutoEncrypt.Sign and AutoConfig.InitialConfiguration only (a client agent
// asking for its first certificate or configuration).
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { RAFT_PROTOCOL_BYTE, TcpTransport } from '@proconsul/raft';
import type { Logger } from '../log.js';
import { RPC_TLS_BYTE, RPC_TLS_INSECURE_BYTE, TLS_HANDSHAKE_TIMEOUT_MS, type RpcTls } from '../tls/rpc-tls.js';
import { serverDialer } from './dial.js';
import { writeBatched } from './batch.js';
import { encodeRpcFrame, RPC_CONSUL_BYTE, RpcFrameDecoder } from './frames.js';
import { RPC_CANCEL, type RpcRequest, type RpcResponse } from './messages.js';

/** `signal` aborts when the caller cancelled the call or its connection closed. */
export type RpcHandler = (body: unknown, signal: AbortSignal) => Promise<unknown>;

const NEVER_ABORTED = new AbortController().signal;

/** Calls one connection may have running at once (blocking queries included), and waiting. */
const CALLS_PER_CONN_MAX = 512;
const QUEUED_PER_CONN_MAX = 4096;
/** The methods of Consul's insecureRPCServer. */
const INSECURE_METHODS: ReadonlySet<string> = new Set(['AutoEncrypt.Sign', 'AutoConfig.InitialConfiguration']);

export interface RpcServerStats {
  malformed: number;
  refused: number;
  /** Connections refused for TLS: plaintext under verify_incoming, failed handshakes, TLS in TLS. */
  tlsRefused: number;
}

export class RpcServer {
  readonly stats: RpcServerStats = { malformed: 0, refused: 0, tlsRefused: 0 };
  readonly #handlers = new Map<string, RpcHandler>();
  readonly #perClient = new Map<string, number>();
  readonly #sockets = new Set<Socket>();

  #transport: TcpTransport | undefined;

  constructor(
    private readonly maxConnsPerClient: number,
    private readonly log: Logger,
    private readonly tls: RpcTls | null = null,
  ) {}

  handle(method: string, handler: RpcHandler): void {
    this.#handlers.set(method, handler);
  }

  /**
   * Runs a method: a call from a connection, or from this agent itself (Consul's server-side
   * Delegate.RPC). A handler that throws before its promise exists still rejects.
   */
  invoke(method: string, body: unknown, signal: AbortSignal = NEVER_ABORTED): Promise<unknown> {
    const handler = this.#handlers.get(method);
    if (!handler) return Promise.reject(new Error(`rpc: can't find method ${method}`));
    return new Promise((resolve) => resolve(handler(body, signal)));
  }

  /** A Raft transport whose listener is this port: Raft connections go to it, RPC ones here. */
  transport(id: string): TcpTransport {
    const dial = serverDialer(this.tls, TLS_HANDSHAKE_TIMEOUT_MS);
    this.#transport = new TcpTransport({
      id,
      onOtherProtocol: (byte, socket, rest) => this.#accept(byte, socket, rest),
      admitProtocol: (byte, socket) => this.#admitPlain(byte, socket),
      dial: (addr) =>
        dial(addr.host, addr.port).catch((err: Error) => {
          this.#warnDial(`${addr.host}:${addr.port}`, err);
          throw err;
        }),
    });
    return this.#transport;
  }

  readonly #dialWarned = new Map<string, number>();

  /** A TLS failure towards a peer is a configuration problem: said once a minute per peer, not per retry. */
  #warnDial(addr: string, err: Error): void {
    if (!this.tls?.outgoing || /ECONNREFUSED|EHOSTUNREACH|timed out/.test(err.message)) return;
    const now = Date.now();
    if ((this.#dialWarned.get(addr) ?? 0) > now - 60_000) return;
    if (this.#dialWarned.size > 1024) this.#dialWarned.clear();
    this.#dialWarned.set(addr, now);
    this.log.warn({ peer: addr, error: err.message }, 'raft: failed to connect over TLS');
  }

  /** Consul's handleConn: with verify_incoming, only RPCTLS may open a connection. */
  #admitPlain(byte: number, socket: Socket): boolean {
    if (byte === RPC_TLS_BYTE || byte === RPC_TLS_INSECURE_BYTE || !this.tls?.verifyIncoming) return true;
    this.stats.tlsRefused++;
    this.log.warn({ conn: `from=${socket.remoteAddress}:${socket.remotePort}` }, 'Non-TLS connection attempted with VerifyIncoming set');
    return false;
  }

  /** RPCTLS: the handshake, then the protocol byte inside the TLS stream (none for RPCTLSInsecure). */
  #acceptTls(socket: Socket, rest: Buffer, insecure = false): void {
    const from = `from=${socket.remoteAddress}:${socket.remotePort}`;
    if (!this.tls?.canServe) {
      this.stats.tlsRefused++;
      this.log.warn({ conn: from }, 'TLS connection attempted, server not configured for TLS');
      socket.destroy();
      return;
    }
    if (!this.#admit(socket)) return;
    const timer = setTimeout(() => socket.destroy(), TLS_HANDSHAKE_TIMEOUT_MS);
    let secure = false;
    let why = 'client certificate not accepted';
    socket.once('close', () => {
      clearTimeout(timer);
      if (secure) return;
      this.stats.tlsRefused++;
      this.log.warn({ conn: from, error: why }, 'TLS handshake failed');
    });
    this.tls.accept(socket, rest, insecure, { secure: (t) => this.#secure(t, from, timer, insecure, () => (secure = true)), fail: (reason) => (why = reason) });
  }

  /** After the handshake: the protocol byte inside the TLS stream (none for RPCTLSInsecure). */
  #secure(t: TLSSocket, from: string, timer: NodeJS.Timeout, insecure: boolean, handshook: () => void): void {
    handshook();
    t.on('error', () => t.destroy());
    t.once('data', (first: Buffer) => {
      clearTimeout(timer);
      const inner = first[0];
      if (insecure) {
        this.#serve(t, first, INSECURE_METHODS);
      } else if (inner === RAFT_PROTOCOL_BYTE) {
        const why = this.tls!.refuseServer(t);
        if (why !== undefined) {
          this.stats.tlsRefused++;
          this.log.warn({ conn: from, operation: 'raft RPC' }, why);
          t.destroy();
          return;
        }
        this.#transport?.readFrames(t, first.subarray(1));
      } else if (inner === RPC_CONSUL_BYTE) {
        this.#serve(t, first.subarray(1));
      } else {
        // RPCTLS again would be TLS in TLS, which Consul refuses too.
        this.stats.malformed++;
        this.log.error({ conn: from, byte: inner }, inner === RPC_TLS_BYTE ? 'TLS connection attempting to establish inner TLS connection' : 'unrecognized RPC byte');
        t.destroy();
      }
    });
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
    if (byte === RPC_TLS_BYTE) return this.#acceptTls(socket, rest);
    if (byte === RPC_TLS_INSECURE_BYTE) return this.#acceptTls(socket, rest, true);
    if (byte !== RPC_CONSUL_BYTE) {
      this.stats.malformed++;
      socket.destroy();
      return;
    }
    if (!this.#admit(socket)) return;
    this.#serve(socket, rest);
  }

  /** Serves agent RPC calls on an admitted connection (plain or TLS). */
  #serve(socket: Socket | TLSSocket, rest: Buffer, only?: ReadonlySet<string>): void {
    const decoder = new RpcFrameDecoder();
    let running = 0;
    const queue: RpcRequest[] = [];
    // The calls running, by Seq: a cancel or the connection's end aborts them.
    const inflight = new Map<number, AbortController>();
    socket.once('close', () => {
      for (const a of inflight.values()) a.abort();
    });
    const run = (req: RpcRequest): void => {
      running++;
      const abort = new AbortController();
      inflight.set(req.Seq, abort);
      const done = (res: RpcResponse): void => {
        running--;
        inflight.delete(req.Seq);
        if (!socket.destroyed) writeBatched(socket, encodeRpcFrame(res));
        const next = queue.shift();
        if (next) run(next);
      };
      const call = only && !only.has(req.Method) ? Promise.reject(new Error(`rpc: can't find method ${req.Method}`)) : this.invoke(req.Method, req.Body, abort.signal);
      call.then(
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
        if (req.Method === RPC_CANCEL) {
          // Not queued and not answered: a call still queued just runs and finds nobody waiting.
          const seq = (req.Body as { Seq?: unknown } | null)?.Seq;
          if (typeof seq === 'number') inflight.get(seq)?.abort();
          continue;
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
