// The HTTPS listener's node:tls options from the configured files; a missing or unreadable
// file stops the agent at start with the file named.
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import type { HttpsTlsConfig } from './config.js';
import { loadCas } from './files.js';

function read(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`Failed to load ${what} ${path}: ${(err as Error).message}`);
  }
}

export function readHttpsTls(c: HttpsTlsConfig): ServerOptions {
  return {
    cert: read('cert_file', c.certFile),
    key: read('key_file', c.keyFile),
    ...(c.caFile || c.caPath ? { ca: loadCas(c.caFile, c.caPath) } : {}),
    // verify_incoming: a client certificate signed by the CA is required.
    requestCert: c.verifyIncoming,
    rejectUnauthorized: c.verifyIncoming,
    minVersion: c.minVersion,
  };
}
