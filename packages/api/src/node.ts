/**
 * Node-only entry (`@proconsul/api/node`): a fetch on undici with its header/body
 * timeouts switched off (a blocking query may legally take 10 min plus wait/16 jitter,
 * past fetch's default 300 s) and with unix-socket support for `unix:///path` addresses.
 */
import { Agent as UndiciAgent, fetch as undiciFetch } from 'undici';
import { Consul } from './client.js';
import { parseAddress } from './address.js';
import type { ConsulOptions, FetchLike } from './http.js';

export interface NodeTransportOptions {
  /** Connect through this unix socket instead of TCP. */
  socketPath?: string;
  /** Milliseconds to establish a connection. Default 10 s. */
  connectTimeoutMs?: number;
}

/** A fetch function without response timeouts (blocking queries are bounded by `?wait=` and AbortSignal). */
export function createNodeFetch(opts: NodeTransportOptions = {}): FetchLike {
  const dispatcher = new UndiciAgent({
    headersTimeout: 0,
    bodyTimeout: 0,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    ...(opts.socketPath ? { connect: { socketPath: opts.socketPath } } : {}),
  });
  return ((url: string, init: RequestInit) =>
    undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as FetchLike;
}

/** A Consul client for Node: reads CONSUL_HTTP_ADDR/CONSUL_HTTP_TOKEN, supports unix sockets, no 300 s cut. */
export function createClient(options: ConsulOptions = {}): Consul {
  const env = options.env ?? process.env;
  const useTls = /^(1|t|true)$/i.test(env['CONSUL_HTTP_SSL'] ?? '');
  const address = parseAddress(options.address || env['CONSUL_HTTP_ADDR'] || '127.0.0.1:8500', useTls);
  const fetch = options.fetch ?? createNodeFetch(address.socketPath ? { socketPath: address.socketPath } : {});
  return new Consul({ ...options, env, fetch });
}

export * from './index.js';
