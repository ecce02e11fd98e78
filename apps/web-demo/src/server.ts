import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';

/** The first non-internal IPv4 address of this host: the address registrator registers. */
export function serverAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const nic of list ?? []) if (nic.family === 'IPv4' && !nic.internal) return nic.address;
  }
  return '127.0.0.1';
}

/** Behind nginx the peer is the load balancer; the client is in X-Real-IP / X-Forwarded-For. */
function clientAddress(headers: Record<string, string | string[] | undefined>, peer: string | undefined): string {
  const forwarded = headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const real = headers['x-real-ip'];
  return first || (Array.isArray(real) ? real[0] : real) || (peer ?? 'unknown').replace(/^::ffff:/, '');
}

/**
 * The demo backend of the dynamic-scaling tutorial: every answer names this instance, so a
 * user watching `curl` through the load balancer sees traffic spread over the instances.
 * `/health` is for HTTP checks and is not counted.
 */
export function createWebDemo(options: { name?: string; address?: string } = {}): Server {
  const address = options.address ?? serverAddress();
  const name = options.name ?? 'WebServer';
  let requests = 0;
  return createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    requests++;
    const client = clientAddress(req.headers, req.socket.remoteAddress);
    res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': address });
    res.end(`${requests} requests from ${client} to ${name} ${address}\n`);
  });
}
