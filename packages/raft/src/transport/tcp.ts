// TCP transport for Raft messages: one outbound connection per peer (messages to it),
// reconnect with capped exponential backoff, bounded send queues (Raft tolerates loss, so a
// full queue drops). Inbound connections are read-only. A malformed or oversized frame
// closes that one connection and is counted; nothing else happens.

import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Message, NodeId } from '../types.js';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, RAFT_PROTOCOL_BYTE } from './frame.js';

export interface PeerAddress {
  host: string;
  port: number;
}

/** What the RaftNode needs from any transport (the seam the simulator also fills). */
export interface Transport {
  send(messages: Message[]): void;
  setHandler(handler: (m: Message) => void): void;
}

export interface TcpTransportOptions {
  id: NodeId;
  peers?: Record<NodeId, PeerAddress>;
  maxFrameBytes?: number;
  /** Bytes queued per peer (socket buffer or backlog) before further messages to it are dropped. Default 64 MiB. */
  maxQueuedBytes?: number;
  /** Inbound connections per client IP; more are closed at once (Consul's limits.rpc_max_conns_per_client, default 100). */
  maxConnsPerClient?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /**
   * Called with connections whose first byte is not RAFT_PROTOCOL_BYTE (agent RPC on the same
   * port). Without it, such connections are closed and counted as malformed.
   */
  onOtherProtocol?: (firstByte: number, socket: Socket, rest: Buffer) => void;
  /**
   * Called with every inbound connection's first byte before it is dispatched; false closes
   * the connection (the agent refuses plaintext when TLS is required).
   */
  admitProtocol?: (firstByte: number, socket: Socket) => boolean;
  /**
   * Opens an outbound connection ready for the protocol byte (the agent wraps it in TLS).
   * Default: a plain TCP connection.
   */
  dial?: (addr: PeerAddress) => Promise<Socket>;
}

function plainDial(addr: PeerAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: addr.host, port: addr.port });
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

export interface TransportMetrics {
  framesSent: number;
  framesReceived: number;
  malformedFrames: number;
  dropped: number;
  connects: number;
  connectFailures: number;
  /** Inbound connections closed because their client IP had maxConnsPerClient open. */
  refusedConnections: number;
}

interface Peer {
  addr: PeerAddress;
  socket: Socket | null;
  connected: boolean;
  queue: Buffer[];
  queuedBytes: number;
  /** A dial is under way. */
  dialing: boolean;
  backoffMs: number;
  timer: NodeJS.Timeout | null;
}

export class TcpTransport implements Transport {
  readonly metrics: TransportMetrics = {
    framesSent: 0,
    framesReceived: 0,
    malformedFrames: 0,
    dropped: 0,
    connects: 0,
    connectFailures: 0,
    refusedConnections: 0,
  };
  private handler: (m: Message) => void = () => {};
  private peers = new Map<NodeId, Peer>();
  private inbound = new Set<Socket>();
  private connsPerClient = new Map<string, number>();
  private readonly maxConnsPerClient: number;
  private server: Server | null = null;
  private closed = false;
  private readonly maxFrameBytes: number;
  private readonly maxQueuedBytes: number;
  private readonly backoffMinMs: number;
  private readonly backoffMaxMs: number;

  constructor(private readonly opts: TcpTransportOptions) {
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.maxConnsPerClient = opts.maxConnsPerClient ?? 100;
    this.backoffMinMs = opts.backoffMinMs ?? 20;
    this.backoffMaxMs = opts.backoffMaxMs ?? 1000;
    for (const [id, addr] of Object.entries(opts.peers ?? {})) this.setPeer(id, addr);
  }

  setHandler(handler: (m: Message) => void): void {
    this.handler = handler;
  }

  /** Listens on host:port (port 0 picks one); returns the bound address. */
  async listen(host: string, port: number): Promise<PeerAddress> {
    const server = createServer((s) => this.acceptConnection(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('raft transport: unexpected server address');
    return { host: a.address, port: a.port };
  }

  /** Takes a new inbound connection (also usable by a shared RPC listener). */
  acceptConnection(socket: Socket): void {
    socket.on('error', () => {});
    const client = socket.remoteAddress ?? '';
    const open = this.connsPerClient.get(client) ?? 0;
    if (open >= this.maxConnsPerClient) {
      this.metrics.refusedConnections++;
      socket.destroy();
      return;
    }
    this.connsPerClient.set(client, open + 1);
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      const n = (this.connsPerClient.get(client) ?? 1) - 1;
      if (n <= 0) this.connsPerClient.delete(client);
      else this.connsPerClient.set(client, n);
    };
    socket.setNoDelay(true);
    this.inbound.add(socket);
    socket.on('close', () => {
      this.inbound.delete(socket);
      release();
    });
    socket.once('data', (first: Buffer) => {
      const kind = first[0]!;
      if (this.opts.admitProtocol && !this.opts.admitProtocol(kind, socket)) {
        socket.destroy();
        return;
      }
      if (kind !== RAFT_PROTOCOL_BYTE) {
        if (this.opts.onOtherProtocol) {
          this.inbound.delete(socket);
          release(); // the other protocol's listener applies its own limits
          this.opts.onOtherProtocol(kind, socket, first.subarray(1));
        } else {
          this.metrics.malformedFrames++;
          socket.destroy();
        }
        return;
      }
      this.readFrames(socket, first.subarray(1));
    });
  }

  /** Reads frames from a connection whose protocol byte was already consumed. */
  readFrames(socket: Socket, rest: Buffer): void {
    const decoder = new FrameDecoder(this.maxFrameBytes);
    const onData = (chunk: Buffer): void => {
      let msgs: Message[];
      try {
        msgs = decoder.push(chunk);
      } catch {
        this.metrics.malformedFrames++;
        socket.off('data', onData);
        socket.destroy();
        return;
      }
      for (const m of msgs) {
        this.metrics.framesReceived++;
        this.handler(m);
      }
    };
    socket.on('data', onData);
    if (rest.length > 0) onData(rest);
  }

  setPeer(id: NodeId, addr: PeerAddress): void {
    const p = this.peers.get(id);
    if (p) {
      if (p.addr.host === addr.host && p.addr.port === addr.port) return;
      p.addr = addr;
      p.socket?.destroy();
      return;
    }
    this.peers.set(id, { addr, socket: null, connected: false, queue: [], queuedBytes: 0, dialing: false, backoffMs: this.backoffMinMs, timer: null });
  }

  removePeer(id: NodeId): void {
    const p = this.peers.get(id);
    if (!p) return;
    this.peers.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.socket?.destroy();
  }

  send(messages: Message[]): void {
    for (const m of messages) {
      const p = this.peers.get(m.to);
      if (!p || this.closed) {
        this.metrics.dropped++;
        continue;
      }
      const frame = encodeFrame(m);
      if (p.connected && p.socket) {
        if (p.socket.writableLength > this.maxQueuedBytes) {
          this.metrics.dropped++;
          continue;
        }
        p.socket.write(frame);
        this.metrics.framesSent++;
        continue;
      }
      // While disconnected keep a bounded backlog: Raft retransmits whatever is lost.
      if (p.queue.length >= 1024 || p.queuedBytes + frame.length > this.maxQueuedBytes) {
        this.metrics.dropped++;
        continue;
      }
      p.queue.push(frame);
      p.queuedBytes += frame.length;
      if (p.socket === null && p.timer === null && !p.dialing) this.dial(m.to, p);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.peers.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.socket?.destroy();
    }
    for (const s of this.inbound) s.destroy();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private dial(id: NodeId, p: Peer): void {
    if (this.closed || this.peers.get(id) !== p) return;
    p.dialing = true;
    const addr = p.addr;
    (this.opts.dial ?? plainDial)(addr).then(
      (s) => {
        p.dialing = false;
        if (this.closed || this.peers.get(id) !== p || p.addr !== addr) {
          s.destroy();
          if (!this.closed && this.peers.get(id) === p) this.dial(id, p); // the address moved meanwhile
          return;
        }
        this.connected(id, p, s);
      },
      () => {
        p.dialing = false;
        this.metrics.connectFailures++;
        this.redial(id, p);
      },
    );
  }

  private connected(id: NodeId, p: Peer, s: Socket): void {
    s.setNoDelay(true);
    p.socket = s;
    p.connected = true;
    p.backoffMs = this.backoffMinMs;
    this.metrics.connects++;
    const queued = p.queue;
    p.queue = [];
    p.queuedBytes = 0;
    s.write(Buffer.from([RAFT_PROTOCOL_BYTE]));
    for (const f of queued) {
      s.write(f);
      this.metrics.framesSent++;
    }
    s.on('data', () => {}); // the peer never writes on our outbound connection
    s.on('error', () => {});
    s.on('close', () => {
      p.connected = false;
      if (p.socket === s) p.socket = null;
      this.redial(id, p);
    });
  }

  /** Reconnects with capped exponential backoff (plus jitter so peers do not synchronize). */
  private redial(id: NodeId, p: Peer): void {
    if (this.closed || this.peers.get(id) !== p || p.timer !== null) return;
    const wait = p.backoffMs + Math.floor(Math.random() * p.backoffMs * 0.2);
    p.backoffMs = Math.min(p.backoffMs * 2, this.backoffMaxMs);
    p.timer = setTimeout(() => {
      p.timer = null;
      if (p.queue.length > 0 && p.socket === null && !p.dialing) this.dial(id, p);
    }, wait);
    p.timer.unref();
  }
}
