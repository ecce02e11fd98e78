import { networkInterfaces } from 'node:os';

/**
 * The address advertised to other nodes: -advertise, else -bind; for 0.0.0.0 the one private
 * IPv4 of the host (Consul refuses to guess between several).
 */
export function resolveAdvertiseAddr(advertise: string, bind: string): string {
  if (advertise) return advertise;
  if (bind && bind !== '0.0.0.0' && bind !== '::' && bind !== '[::]') return bind;
  const privates: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal && /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(a.address)) {
        privates.push(a.address);
      }
    }
  }
  if (privates.length > 1) {
    throw new Error(`Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.`);
  }
  return privates[0] ?? '127.0.0.1';
}

/** host:port with brackets for IPv6. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
