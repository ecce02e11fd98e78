// The HTTPS listener's node:tls options from the configured files; a missing or unreadable
// file stops the agent at start with the file named. With auto_encrypt.tls and no cert_file the
// agent's certificate from the servers serves, and their CAs and the Connect roots are trusted
// too (tlsutil's IncomingHTTPSConfig: the manual cert first, else the auto one).
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

/** What auto_encrypt gave: the agent certificate and the CAs it brought. */
export interface AutoHttpsTls {
  certPem: string;
  keyPem: string;
  caPems: Buffer[];
}

export function readHttpsTls(c: HttpsTlsConfig, auto?: AutoHttpsTls): ServerOptions {
  const own = c.certFile !== '' && c.keyFile !== '' ? { cert: read('cert_file', c.certFile), key: read('key_file', c.keyFile) } : auto ? { cert: auto.certPem, key: auto.keyPem } : {};
  const ca = [...(c.caFile || c.caPath ? loadCas(c.caFile, c.caPath) : []), ...(auto?.caPems ?? [])];
  return {
    ...own,
    ...(ca.length > 0 ? { ca } : {}),
    // verify_incoming: a client certificate signed by the CA is required.
    requestCert: c.verifyIncoming,
    rejectUnauthorized: c.verifyIncoming,
    minVersion: c.minVersion,
  };
}
