/**
 * HTTP check (Consul's CheckHTTP): 2xx passing, 429 warning, anything else critical.
 * Output `HTTP <METHOD> <url>: <status line> Output: <body tail>`; keep-alive off; redirects
 * followed (at most 10, like Go's client) unless DisableRedirects.
 */
import http from 'node:http';
import type { RequestOptions } from 'node:https';
import type { ProbeResult } from './interval.js';
import { goDialError, urlErrorOp } from './goerrors.js';
import { TailBuffer } from './output.js';
import type { CheckSpec } from './types.js';

/** Consul's checks.UserAgent. */
export const HTTP_CHECK_USER_AGENT = 'Consul Health Check';
const MAX_REDIRECTS = 10;

type HttpSpec = NonNullable<CheckSpec['http']>;

/** OpenSSL verification codes, worded as Go's crypto/x509 words them. */
const X509_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate signed by unknown authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by unknown authority',
  CERT_HAS_EXPIRED: 'certificate has expired or is not yet valid',
  CERT_NOT_YET_VALID: 'certificate has expired or is not yet valid',
};

interface Response {
  statusCode: number;
  statusLine: string;
  body: string;
  location?: string;
}

function buildHeaders(spec: HttpSpec, hostOverride: { value?: string }): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  const lower = new Set<string>();
  for (const [name, values] of Object.entries(spec.header)) {
    if (name.toLowerCase() === 'host') {
      // A Host header overrides the request host (Consul sets req.Host).
      hostOverride.value = values[0];
      continue;
    }
    headers[name] = values.length === 1 ? values[0] : values;
    lower.add(name.toLowerCase());
  }
  if (!lower.has('user-agent')) headers['User-Agent'] = HTTP_CHECK_USER_AGENT;
  if (!lower.has('accept')) headers.Accept = 'text/plain, text/*, */*';
  headers.Connection = 'close';
  return headers;
}

async function request(url: URL, spec: HttpSpec, method: string, body: string, maxBytes: number, signal: AbortSignal): Promise<Response> {
  const hostOverride: { value?: string } = {};
  const headers = buildHeaders(spec, hostOverride);
  if (hostOverride.value !== undefined) headers.Host = hostOverride.value;
  if (body !== '') headers['Content-Length'] = Buffer.byteLength(body);
  const isHttps = url.protocol === 'https:';
  const options: RequestOptions = {
    method,
    headers,
    agent: false,
    signal,
    ...(isHttps
      ? {
          rejectUnauthorized: !spec.tlsSkipVerify,
          servername: spec.tlsServerName || (/^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname),
        }
      : {}),
  };
  // node:https (and with it node:tls) loads with the first HTTPS check, not with every agent.
  const client = isHttps ? (await import('node:https')).default : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, options, (res) => {
      const buffer = new TailBuffer(maxBytes);
      res.on('data', (chunk: Buffer) => buffer.write(chunk));
      res.once('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          statusLine: `${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trimEnd(),
          body: buffer.toString(),
          ...(res.headers.location !== undefined ? { location: res.headers.location } : {}),
        }),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body === '' ? undefined : body);
  });
}

function describeError(err: NodeJS.ErrnoException & { address?: string; port?: number }, url: URL, signal: AbortSignal): string {
  if (signal.aborted) return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  const host = err.address ?? url.hostname;
  const port = err.port ?? (url.port === '' ? defaultPort : Number(url.port));
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const x509 = X509_REASONS[err.code ?? ''];
  if (x509 !== undefined) return `tls: failed to verify certificate: x509: ${x509}`;
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`;
  }
  return goDialError(err, address);
}

export async function probeHttp(spec: HttpSpec, maxOutputBytes: number, signal: AbortSignal): Promise<ProbeResult> {
  const method = spec.method.toUpperCase();
  let url = new URL(spec.url);
  let currentMethod = method;
  let body = spec.body;
  for (let redirects = 0; ; redirects += 1) {
    let res: Response;
    try {
      res = await request(url, spec, currentMethod, body, maxOutputBytes, signal);
    } catch (err) {
      const reason = describeError(err as NodeJS.ErrnoException, url, signal);
      return { status: 'critical', output: `${urlErrorOp(currentMethod)} ${JSON.stringify(url.href === spec.url ? spec.url : url.href)}: ${reason}` };
    }
    const isRedirect = [301, 302, 303, 307, 308].includes(res.statusCode) && res.location !== undefined;
    if (isRedirect && !spec.disableRedirects) {
      if (redirects + 1 >= MAX_REDIRECTS) {
        return { status: 'critical', output: `${urlErrorOp(currentMethod)} ${JSON.stringify(res.location)}: stopped after ${MAX_REDIRECTS} redirects` };
      }
      url = new URL(res.location as string, url);
      // Go's client turns 301/302/303 into GET without a body, and keeps method and body on 307/308.
      if (res.statusCode <= 303 && currentMethod !== 'HEAD') {
        currentMethod = 'GET';
        body = '';
      }
      continue;
    }
    const output = `HTTP ${method} ${spec.url}: ${res.statusLine} Output: ${res.body}`;
    if (res.statusCode >= 200 && res.statusCode <= 299) return { status: 'passing', output };
    if (res.statusCode === 429) return { status: 'warning', output };
    return { status: 'critical', output };
  }
}
