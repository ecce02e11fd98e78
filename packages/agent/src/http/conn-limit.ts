// Consul's `limits.http_max_conns_per_client`: a client IP holding that many connections gets
// Consul's 429 on the next one, which is then closed. Idle connections are cheap for a client
// to open and cost this process a file descriptor each: without this, one client could exhaust
// them and break everything else (snapshots, the log, other clients).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

const MESSAGE = 'Your IP is issuing too many concurrent connections, please rate limit your calls\n';
const TOO_MANY = Buffer.from(
  `HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(MESSAGE)}\r\nConnection: close\r\n\r\n${MESSAGE}`,
);

export interface ConnLimitStats {
  /** Connections refused since start. */
  refused: number;
}

/** Applies the per-client limit to `server`; `maxPerClient` <= 0 means no limit. */
export function limitConnsPerClient(server: Server, maxPerClient: number): ConnLimitStats {
  const stats: ConnLimitStats = { refused: 0 };
  if (maxPerClient <= 0) return stats;
  const open = new Map<string, number>();
  // Registered first, so a refused socket never reaches the HTTP parser.
  server.prependListener('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? '';
    const n = open.get(ip) ?? 0;
    if (n >= maxPerClient) {
      stats.refused++;
      socket.on('error', () => undefined);
      socket.end(TOO_MANY);
      socket.destroySoon();
      return;
    }
    open.set(ip, n + 1);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
    });
  });
  return stats;
}
