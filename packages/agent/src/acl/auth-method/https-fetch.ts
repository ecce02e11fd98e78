/**
 * GET/POST over HTTP(S) for auth methods (JWKS, OIDC discovery, the Kubernetes API), with a
 * PEM CA bundle when one is configured (else the system's), bounded in time and size.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const RESPONSE_BYTES_MAX = 1024 * 1024;
const TIMEOUT_MS = 10_000;

export interface FetchResult {
  status: number;
  statusText: string;
  body: string;
}

export interface FetchOptions {
  caPem?: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export function fetchText(url: string, o: FetchOptions = {}): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`parse ${JSON.stringify(url)}: invalid URL`));
      return;
    }
    const send = u.protocol === 'https:' ? httpsRequest : u.protocol === 'http:' ? httpRequest : undefined;
    if (!send) {
      reject(new Error(`unsupported protocol scheme ${JSON.stringify(u.protocol.replace(/:$/, ''))}`));
      return;
    }
    const req = send(u, {
      method: o.method ?? 'GET',
      headers: { ...(o.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
      timeout: TIMEOUT_MS,
      ...(o.caPem ? { ca: o.caPem } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > RESPONSE_BYTES_MAX) req.destroy(new Error(`response from ${u.host} larger than ${RESPONSE_BYTES_MAX} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: `${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim(), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request to ${u.host} timed out`)));
    req.on('error', reject);
    req.end(o.body);
  });
}
