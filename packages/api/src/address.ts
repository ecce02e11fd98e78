/**
 * Parses a Consul agent address as CONSUL_HTTP_ADDR and -http-addr take it:
 * `host:port`, `http://host:port`, `https://host:port` or `unix:///path/to/socket`.
 * A bare `host:port` uses http (or https when CONSUL_HTTP_SSL=true, as in the Go client).
 */

export interface AgentAddress {
  /** Base URL requests are built on, without a trailing slash, e.g. `http://127.0.0.1:8500`. */
  baseUrl: string;
  /** `host:port` (or the socket path) as shown in error messages. */
  hostPort: string;
  /** Unix socket path when the address is `unix://...`; requests then need a Node transport. */
  socketPath?: string;
}

export const DEFAULT_ADDRESS = '127.0.0.1:8500';

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

export function parseAddress(address: string, useTls = false): AgentAddress {
  const raw = address.trim();
  if (raw === '') throw new AddressError('empty agent address');
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length);
    if (socketPath === '') throw new AddressError(`invalid unix socket address "${address}"`);
    return { baseUrl: 'http://localhost', hostPort: socketPath, socketPath };
  }
  let scheme = useTls ? 'https' : 'http';
  let rest = raw;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(raw);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = m[2]!;
    if (scheme !== 'http' && scheme !== 'https') {
      throw new AddressError(`unknown protocol scheme: ${m[1]}`);
    }
  }
  rest = rest.replace(/\/+$/, '');
  if (rest === '' || rest.includes('/')) throw new AddressError(`invalid agent address "${address}"`);
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch {
    throw new AddressError(`invalid agent address "${address}"`);
  }
  const port = url.port || (scheme === 'https' ? '443' : '80');
  return { baseUrl: `${scheme}://${url.host}`, hostPort: `${url.hostname}:${port}` };
}
