/**
 * Node-only entry (`@proconsul/api/node`): a fetch on undici with its header/body
 * timeouts switched off (a blocking query may legally take 10 min plus wait/16 jitter,
 * past fetch's default 300 s) and with unix-socket support for `unix:///path` addresses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Agent as UndiciAgent, fetch as undiciFetch } from 'undici';
import { Consul } from './client.js';
import { parseAddress } from './address.js';
import type { ConsulOptions, FetchLike } from './http.js';

export interface NodeTransportOptions {
  /** Connect through this unix socket instead of TCP. */
  socketPath?: string;
  /** Milliseconds to establish a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** PEM files for HTTPS: the CA to verify the agent with, and a client certificate and key. */
  tls?: TlsFiles;
}

/** Consul's api.TLSConfig: how an `https://` agent is verified and what this client presents. */
export interface TlsFiles {
  /** PEM CA to verify the agent with. */
  caFile?: string;
  /** A directory of PEM CAs (used when caFile is not set). */
  caPath?: string;
  certFile?: string;
  keyFile?: string;
  /** SNI and the name the agent's certificate must carry (default: the address's host). */
  serverName?: string;
  /** Skip verification of the agent's certificate (CONSUL_HTTP_SSL_VERIFY=false). */
  insecureSkipVerify?: boolean;
}

/**
 * The Go client's environment: CONSUL_CACERT, CONSUL_CAPATH, CONSUL_CLIENT_CERT,
 * CONSUL_CLIENT_KEY, CONSUL_TLS_SERVER_NAME, CONSUL_HTTP_SSL_VERIFY.
 */
export function tlsFromEnv(env: Record<string, string | undefined>): TlsFiles {
  const verify = env['CONSUL_HTTP_SSL_VERIFY'];
  return {
    ...(env['CONSUL_CACERT'] ? { caFile: env['CONSUL_CACERT'] } : {}),
    ...(env['CONSUL_CAPATH'] ? { caPath: env['CONSUL_CAPATH'] } : {}),
    ...(env['CONSUL_CLIENT_CERT'] ? { certFile: env['CONSUL_CLIENT_CERT'] } : {}),
    ...(env['CONSUL_CLIENT_KEY'] ? { keyFile: env['CONSUL_CLIENT_KEY'] } : {}),
    ...(env['CONSUL_TLS_SERVER_NAME'] ? { serverName: env['CONSUL_TLS_SERVER_NAME'] } : {}),
    ...(verify !== undefined && /^(0|f|false)$/i.test(verify) ? { insecureSkipVerify: true } : {}),
  };
}

function readCaPath(dir: string): Buffer[] {
  return readdirSync(dir)
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
    .map((p) => readFileSync(p));
}

function tlsConnect(t: TlsFiles | undefined): { ca?: Buffer[]; cert?: Buffer; key?: Buffer; servername?: string; rejectUnauthorized?: boolean } {
  if (!t) return {};
  const ca = t.caFile ? [readFileSync(t.caFile)] : t.caPath ? readCaPath(t.caPath) : [];
  return {
    ...(ca.length > 0 ? { ca } : {}),
    ...(t.certFile ? { cert: readFileSync(t.certFile) } : {}),
    ...(t.keyFile ? { key: readFileSync(t.keyFile) } : {}),
    ...(t.serverName ? { servername: t.serverName } : {}),
    ...(t.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
  };
}

/** A fetch function without response timeouts (blocking queries are bounded by `?wait=` and AbortSignal). */
export function createNodeFetch(opts: NodeTransportOptions = {}): FetchLike {
  const dispatcher = new UndiciAgent({
    headersTimeout: 0,
    bodyTimeout: 0,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    connect: { ...tlsConnect(opts.tls), ...(opts.socketPath ? { socketPath: opts.socketPath } : {}) },
  });
  return ((url: string, init: RequestInit) =>
    undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as FetchLike;
}

/**
 * A Consul client for Node: reads CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_HTTP_SSL and the TLS
 * variables (tlsFromEnv; `options.tls` wins key by key), supports unix sockets, no 300 s cut.
 */
export function createClient(options: ConsulOptions & { tls?: TlsFiles } = {}): Consul {
  const env = options.env ?? process.env;
  const useTls = /^(1|t|true)$/i.test(env['CONSUL_HTTP_SSL'] ?? '');
  const address = parseAddress(options.address || env['CONSUL_HTTP_ADDR'] || '127.0.0.1:8500', useTls);
  const tls = { ...tlsFromEnv(env), ...options.tls };
  const fetch = options.fetch ?? createNodeFetch({ tls, ...(address.socketPath ? { socketPath: address.socketPath } : {}) });
  return new Consul({ ...options, env, fetch });
}

export * from './index.js';
