// The api client's options from consul-template's `consul` block and flags: the address and
// token, HTTPS (`ssl`, -consul-ssl-*) and HTTP basic auth (`auth`, -consul-auth).

import { readFileSync } from 'node:fs';
import type { ConsulOptions, TlsFiles } from '@proconsul/api/node';
import { sslEnabled, type RunnerConfig } from './config.js';

/** The token file cannot be read: consul-template's NewRunner fails (exit 14, cli.go ExitCodeRunnerError). */
export class TokenFileError extends Error {}

export function clientOptions(consul: RunnerConfig['consul'], env: Record<string, string | undefined> = process.env): ConsulOptions & { tls?: TlsFiles } {
  const ssl = consul.ssl;
  const https = sslEnabled(ssl);
  let address = consul.address;
  if (https) {
    const given = address || env['CONSUL_HTTP_ADDR'] || '127.0.0.1:8500';
    address = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `https://${given}`;
  }
  const tls: TlsFiles = {};
  if (ssl.caCert) tls.caFile = ssl.caCert;
  if (ssl.caPath) tls.caPath = ssl.caPath;
  if (ssl.cert) tls.certFile = ssl.cert;
  if (ssl.key) tls.keyFile = ssl.key;
  if (ssl.serverName) tls.serverName = ssl.serverName;
  if (https && ssl.verify === false) tls.insecureSkipVerify = true;
  const auth = consul.auth;
  const token = tokenFromFile(consul.tokenFile) || consul.token;
  return {
    ...(address !== undefined ? { address } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
    ...(auth ? { headers: { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } } : {}),
  };
}

/**
 * Consul's api NewClient: a token file is read when the client is made (at start and on each
 * reload), trimmed, and its token, when not empty, wins over the configured one.
 */
function tokenFromFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch (e) {
    throw new TokenFileError(`runner: Error loading token file: ${(e as Error).message}`);
  }
}
