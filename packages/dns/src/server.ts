// The listeners: one UDP socket and one TCP server on the same host:port (Consul's 8600).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server as TcpServer, type Socket } from 'node:net';
import { DnsHandler } from './handler.js';
import type { DnsServer, DnsServerOptions, DnsStats } from './options.js';
import { newStats } from './stats.js';

/** Largest query accepted over TCP; a longer length prefix closes the connection. */
export const MAX_TCP_QUERY_BYTES = 4096;
/** A TCP connection with no complete query for this long is closed (miekg/dns idle timeout). */
const TCP_IDLE_TIMEOUT_MS = 8000;
/** Queries in flight per TCP connection before reading pauses. */
const TCP_MAX_INFLIGHT = 64;
const BIND_ATTEMPTS_PORT_ZERO = 5;
/** Open TCP connections at most; more are refused by the kernel backlog/Node. */
const TCP_MAX_CONNECTIONS = 1024;

export function createDnsServer(options: DnsServerOptions): DnsServer {
  const stats = newStats();
  const logger = options.logger;
  const handler = new DnsHandler(options, stats, logger);
  const host = options.host ?? '127.0.0.1';
  let udp: UdpSocket | undefined;
  let tcp: TcpServer | undefined;
  const connections = new Set<Socket>();

  /** The handler never throws by design; if a bug made it, the listener must survive. */
  function handle(msg: Buffer, transport: 'udp' | 'tcp'): ReturnType<DnsHandler['handle']> {
    try {
      return handler.handle(msg, transport);
    } catch (err) {
      stats.malformed++;
      logger?.error(`dns: handler failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  function serveUdp(socket: UdpSocket): void {
    socket.on('message', (msg, rinfo) => {
      const reply = handle(msg, 'udp');
      if (reply instanceof Promise) {
        reply.then(
          (r) => {
            if (r) socket.send(r, rinfo.port, rinfo.address);
          },
          () => {
            stats.malformed++;
          },
        );
      } else if (reply) {
        socket.send(reply, rinfo.port, rinfo.address);
      }
    });
    socket.on('error', (err) => logger?.warn(`dns: udp socket error: ${err.message}`));
  }

  function serveTcpConnection(conn: Socket): void {
    connections.add(conn);
    conn.setNoDelay(true);
    conn.setTimeout(TCP_IDLE_TIMEOUT_MS, () => conn.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    let inflight = 0;
    const frame = Buffer.alloc(2);
    conn.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (length < 12 || length > MAX_TCP_QUERY_BYTES) {
          stats.tcpOversized++;
          conn.destroy();
          return;
        }
        if (buffered.length < 2 + length) break;
        const msg = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        inflight++;
        if (inflight >= TCP_MAX_INFLIGHT) conn.pause();
        Promise.resolve(handle(Buffer.from(msg), 'tcp'))
          .then(
            (reply) => {
              if (reply && !conn.destroyed) {
                frame.writeUInt16BE(reply.length);
                conn.write(Buffer.concat([frame, reply]));
              }
            },
            () => {
              stats.malformed++;
            },
          )
          .finally(() => {
            inflight--;
            if (conn.isPaused() && inflight < TCP_MAX_INFLIGHT) conn.resume();
          });
      }
    });
    conn.on('error', () => conn.destroy());
    conn.on('close', () => connections.delete(conn));
  }

  async function bindUdp(port: number): Promise<UdpSocket> {
    const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket;
  }

  async function bindTcp(port: number): Promise<TcpServer> {
    const server = createServer(serveTcpConnection);
    server.maxConnections = TCP_MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  return {
    async start() {
      const wanted = options.port ?? 8600;
      for (let attempt = 1; ; attempt++) {
        const u = await bindUdp(wanted);
        const port = u.address().port;
        try {
          tcp = await bindTcp(port);
        } catch (err) {
          u.close();
          // Port 0: the free UDP port may be taken over TCP; try another.
          if (wanted === 0 && attempt < BIND_ATTEMPTS_PORT_ZERO) continue;
          throw err;
        }
        udp = u;
        serveUdp(u);
        logger?.info(`dns: listening on ${host}:${port} (udp, tcp)`);
        return { host, port };
      }
    },
    async close() {
      const u = udp;
      const t = tcp;
      udp = undefined;
      tcp = undefined;
      for (const c of connections) c.destroy();
      await Promise.all([
        u ? new Promise<void>((resolve) => u.close(() => resolve())) : undefined,
        t ? new Promise<void>((resolve) => t.close(() => resolve())) : undefined,
      ]);
    },
    stats(): DnsStats {
      return { ...stats };
    },
  };
}
