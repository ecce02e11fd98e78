// The api client's options from consul-template's `consul` block and flags: the address and
// token, HTTPS (`ssl`, -consul-ssl-*) and HTTP basic auth (`auth`, -consul-auth).

import type { ConsulOptions, TlsFiles } from '@proconsul/api/node';
import type { RunnerConfig } from './config.js';

export function clientOptions(consul: RunnerConfig['consul'], env: Record<string, string | undefined> = process.env): ConsulOptions & { tls?: TlsFiles } {
  const ssl = consul.ssl;
  // consul-template's SSLConfig.Finalize: any TLS setting turns HTTPS on, unless `enabled = false`.
  const https = ssl.enabled ?? ([ssl.cert, ssl.key, ssl.caCert, ssl.caPath, ssl.serverName].some((v) => v) || ssl.verify !== undefined);
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
  return {
    ...(address !== undefined ? { address } : {}),
    ...(consul.token !== undefined ? { token: consul.token } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
    ...(auth ? { headers: { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } } : {}),
  };
}
