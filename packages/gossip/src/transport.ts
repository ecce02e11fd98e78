// UDP and TCP I/O for one member (memberlist net_transport.go): best-effort packets over UDP,
// request/reply streams over TCP on the same port. A stream is one length-prefixed frame each
// way: [u32 big-endian length][payload]. Everything here is I/O; decisions live in the core.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { STREAM_BYTES_MAX } from './messages.js';
import type { Address } from './state.js';

export interface TransportHandlers {
  onPacket(from: Address, bytes: Buffer): void;
  /** Returns the reply frame, or undefined to close without one. */
  onStream(from: Address, bytes: Buffer): Buffer | Uint8Array | undefined;
}

const FRAME_BYTES_MAX = STREAM_BYTES_MAX + 64;

/** Reads one length-prefixed frame from a socket; undefined on EOF, error, or an oversized frame. */
function readFrame(sock: Socket, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let want = -1;
    const done = (v: Buffer | undefined) => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('error', onEnd);
      sock.off('close', onEnd);
      resolve(v);
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      have += c.length;
      if (want < 0 && have >= 4) {
        want = Buffer.concat(chunks).readUInt32BE(0);
        if (want > FRAME_BYTES_MAX) return done(undefined);
      }
      if (want >= 0 && have >= 4 + want) done(Buffer.concat(chunks).subarray(4, 4 + want));
    };
    const onEnd = () => done(undefined);
    const timer = setTimeout(onEnd, timeoutMs);
    sock.on('data', onData);
    sock.once('end', onEnd);
    sock.once('error', onEnd);
    sock.once('close', onEnd);
  });
}

function frame(payload: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(payload.length, 0);
  return Buffer.concat([h, payload]);
}

export class NetTransport {
  private constructor(
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
    readonly addr: string,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  /** Binds UDP and TCP on the same port (port 0: any free port, the same for both). */
  static async listen(bindAddr: string, bindPort: number, timeoutMs: number, h: TransportHandlers): Promise<NetTransport> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < 10; attempt++) {
      const tcp = createServer({ noDelay: true });
      const udp = createSocket({ type: bindAddr.includes(':') ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen(bindPort, bindAddr, () => { tcp.off('error', rej); res(); }); });
        const port = (tcp.address() as { port: number }).port;
        await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind(port, bindAddr, () => { udp.off('error', rej); res(); }); });
        const t = new NetTransport(udp, tcp, bindAddr, port, timeoutMs);
        t.wire(h);
        return t;
      } catch (e) {
        lastErr = e;
        tcp.close();
        try { udp.close(); } catch { /* not bound */ }
        if (bindPort !== 0) break; // a fixed port that is taken will stay taken
      }
    }
    throw lastErr;
  }

  private readonly open = new Set<Socket>();

  private wire(h: TransportHandlers): void {
    this.udp.on('message', (msg, rinfo) => h.onPacket({ addr: rinfo.address, port: rinfo.port }, msg));
    this.udp.on('error', () => { /* a send error on UDP is a lost packet */ });
    this.tcp.on('connection', (sock) => {
      sock.setNoDelay(true);
      this.open.add(sock);
      sock.once('close', () => this.open.delete(sock));
      sock.on('error', () => sock.destroy());
      const from = { addr: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
      void readFrame(sock, this.timeoutMs).then((req) => {
        let reply: Uint8Array | undefined;
        if (req) {
          try { reply = h.onStream(from, req); } catch { reply = undefined; }
        }
        if (reply) sock.end(frame(reply));
        else sock.destroy();
      });
    });
  }

  sendPacket(to: Address, bytes: Uint8Array): void {
    try {
      this.udp.send(bytes, to.port, to.addr);
    } catch {
      // closed socket or bad address: the packet is lost, as UDP packets may be
    }
  }

  /** One request/reply exchange over TCP; undefined on any failure or timeout. */
  request(to: Address, bytes: Uint8Array): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = connect({ host: to.addr, port: to.port, noDelay: true });
      const timer = setTimeout(() => { sock.destroy(); resolve(undefined); }, this.timeoutMs);
      sock.once('error', () => { clearTimeout(timer); sock.destroy(); resolve(undefined); });
      sock.once('connect', () => {
        sock.write(frame(bytes));
        void readFrame(sock, this.timeoutMs).then((reply) => {
          clearTimeout(timer);
          sock.destroy();
          resolve(reply);
        });
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((r) => this.tcp.close(() => r()));
    await new Promise<void>((r) => { try { this.udp.close(() => r()); } catch { r(); } });
  }
}
