/** Consul's shared HTTP flags (-http-addr, -token, -datacenter, -stale, ...) and the client built from them. */
import { readFileSync } from 'node:fs';
import { createClient, type Consul } from '@proconsul/api/node';
import { FlagSet, type ParsedFlags } from './flags.js';
import type { Ui } from './io.js';

export function clientFlags(): FlagSet {
  return new FlagSet([
    { name: 'http-addr', kind: 'string', usage: 'The `address` and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR environment variable. The default value is http://127.0.0.1:8500.' },
    { name: 'token', kind: 'string', usage: 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable.' },
    { name: 'token-file', kind: 'string', usage: 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' },
    { name: 'ca-file', kind: 'string', usage: 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' },
    { name: 'ca-path', kind: 'string', usage: 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' },
    { name: 'client-cert', kind: 'string', usage: 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' },
    { name: 'client-key', kind: 'string', usage: 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' },
    { name: 'tls-server-name', kind: 'string', usage: 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' },
  ]);
}

export function serverFlags(): FlagSet {
  return new FlagSet([
    { name: 'datacenter', kind: 'string', usage: 'Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.' },
    { name: 'stale', kind: 'bool', usage: 'Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.' },
  ]);
}

/** The HTTP flags of commands that reach the servers (Consul's ClientFlags + ServerFlags). */
export function clientAndServerFlags(): FlagSet {
  return clientFlags().merge(serverFlags());
}

/** `?dc=` for a raw API call, from -datacenter (the typed API methods add it themselves). */
export function dcParams(client: Consul): Array<[string, string]> {
  return client.http.datacenter ? [['dc', client.http.datacenter]] : [];
}

function readToken(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/**
 * Builds the API client from the flags and the environment; on a bad address or token
 * file prints `Error connecting to Consul agent: ...` and returns undefined.
 */
export function apiClient(f: ParsedFlags, ui: Ui): Consul | undefined {
  const env = ui.io.env;
  try {
    let token = f.set.has('token') ? f.string('token') : '';
    if (!token && f.set.has('token-file')) token = readToken(f.string('token-file'));
    if (!token) token = env['CONSUL_HTTP_TOKEN'] ?? '';
    if (!token && env['CONSUL_HTTP_TOKEN_FILE']) token = readToken(env['CONSUL_HTTP_TOKEN_FILE']);
    const address = f.set.has('http-addr') ? f.string('http-addr') : undefined;
    const datacenter = f.set.has('datacenter') ? f.string('datacenter') : undefined;
    const tls = {
      ...(f.set.has('ca-file') ? { caFile: f.string('ca-file') } : {}),
      ...(f.set.has('ca-path') ? { caPath: f.string('ca-path') } : {}),
      ...(f.set.has('tls-server-name') ? { serverName: f.string('tls-server-name') } : {}),
      ...(f.set.has('client-cert') ? { certFile: f.string('client-cert') } : {}),
      ...(f.set.has('client-key') ? { keyFile: f.string('client-key') } : {}),
    };
    return createClient({ address, token: token || undefined, datacenter, env, tls });
  } catch (err) {
    ui.error(`Error connecting to Consul agent: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

export function staleFlag(f: ParsedFlags): boolean {
  return f.set.has('stale') && f.bool('stale');
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
