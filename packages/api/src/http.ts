/**
 * The HTTP layer under every endpoint group: builds `/v1` URLs, adds the token and the
 * default datacenter, sends through a fetch function, maps failures to typed errors and
 * reads the query meta headers. Free of Node-only imports (runs in browsers); Node callers
 * that need unix sockets or 10-minute blocking queries pass a fetch/dispatcher from `./node`.
 */
import { parseAddress, DEFAULT_ADDRESS, type AgentAddress } from './address.js';
import { ConsulError, connectionError, isAbortError } from './errors.js';
import { encodeParams, parseQueryMeta, type Params, type QueryMeta } from './query.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ConsulOptions {
  /** Agent address: `host:port`, `http://...`, `https://...` or `unix:///path`. Default: CONSUL_HTTP_ADDR, then 127.0.0.1:8500. */
  address?: string;
  /** ACL token sent as X-Consul-Token. Default: CONSUL_HTTP_TOKEN. */
  token?: string;
  /** Default `?dc=` for reads and writes. */
  datacenter?: string;
  /** Fetch implementation; default globalThis.fetch. */
  fetch?: FetchLike;
  /** Extra fields merged into every fetch init (e.g. undici's `dispatcher`). */
  fetchInit?: Record<string, unknown>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Environment to read CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN / CONSUL_HTTP_SSL / CONSUL_HTTP_AUTH from; default process.env when it exists. */
  env?: Record<string, string | undefined>;
}

/** CONSUL_HTTP_AUTH (`user[:password]`) as the Go client reads it: HTTP basic auth on every request. */
function basicAuth(auth: string | undefined): Record<string, string> {
  if (!auth) return {};
  // btoa takes Latin-1 only: encode UTF-8 first (no Buffer: this file runs in browsers too).
  const bytes = new TextEncoder().encode(auth.includes(':') ? auth : `${auth}:`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return { Authorization: `Basic ${btoa(binary)}` };
}

export interface RequestSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path under /v1, starting with `/`, already encoded. */
  path: string;
  params?: Params;
  /** JSON-encoded unless it is a string or bytes, which are sent as they are. */
  body?: unknown;
  token?: string;
  signal?: AbortSignal;
  /** Statuses that are answers rather than errors (e.g. 404 for a missing KV key). */
  allowStatus?: number[];
}

export interface RawResponse {
  status: number;
  text: string;
  bytes: Uint8Array;
  headers: Headers;
  meta: QueryMeta;
}

function defaultEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

export class HttpClient {
  readonly address: AgentAddress;
  readonly token: string | undefined;
  readonly datacenter: string | undefined;
  private readonly fetchFn: FetchLike;
  private readonly fetchInit: Record<string, unknown>;
  private readonly headers: Record<string, string>;

  constructor(options: ConsulOptions = {}) {
    const env = options.env ?? defaultEnv();
    const useTls = /^(1|t|true)$/i.test(env['CONSUL_HTTP_SSL'] ?? '');
    this.address = parseAddress(options.address || env['CONSUL_HTTP_ADDR'] || DEFAULT_ADDRESS, useTls);
    this.token = options.token || env['CONSUL_HTTP_TOKEN'] || undefined;
    this.datacenter = options.datacenter || undefined;
    // Bound: browsers throw "Illegal invocation" when fetch is called with another `this`.
    const f = options.fetch ?? (globalThis.fetch ? (globalThis.fetch.bind(globalThis) as FetchLike) : undefined);
    if (!f) throw new Error('no fetch implementation available; pass options.fetch');
    this.fetchFn = f;
    this.fetchInit = options.fetchInit ?? {};
    this.headers = { ...basicAuth(env['CONSUL_HTTP_AUTH']), ...(options.headers ?? {}) };
  }

  url(path: string, params: Params = []): string {
    return `${this.address.baseUrl}/v1${path}${encodeParams(params)}`;
  }

  async request(spec: RequestSpec): Promise<RawResponse> {
    const started = Date.now();
    const { res, url } = await this.send(spec);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw connectionError(spec.method, url, this.address.hostPort, err);
    }
    const text = new TextDecoder().decode(bytes);
    const meta = parseQueryMeta(res.headers, Date.now() - started);
    const ok = res.status >= 200 && res.status < 300;
    if (!ok && !spec.allowStatus?.includes(res.status)) {
      throw new ConsulError(res.status, text.trim(), spec.method, url);
    }
    return { status: res.status, text, bytes, headers: res.headers, meta };
  }

  /**
   * Sends the request and, once the agent has answered 2xx, gives the body's lines as they
   * arrive, without their newline (`GET /v1/agent/monitor`). They end when the agent ends the
   * response; abort with `spec.signal`, or stop iterating, to close the connection.
   */
  async lines(spec: RequestSpec): Promise<AsyncGenerator<string>> {
    const { res, url } = await this.send(spec);
    if (res.status < 200 || res.status >= 300) throw new ConsulError(res.status, (await res.text()).trim(), spec.method, url);
    return this.readLines(res, spec, url);
  }

  private async *readLines(res: Response, spec: RequestSpec, url: string): AsyncGenerator<string> {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    let ended = false;
    try {
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (isAbortError(err)) throw err;
          throw connectionError(spec.method, url, this.address.hostPort, err);
        }
        if (chunk.done) {
          ended = true;
          break;
        }
        pending += decoder.decode(chunk.value, { stream: true });
        const parts = pending.split('\n');
        pending = parts.pop()!;
        yield* parts;
      }
      pending += decoder.decode();
      if (pending !== '') yield pending;
    } finally {
      // A caller that stops reading early closes the connection, and with it the agent's stream.
      if (!ended) await reader.cancel().catch(() => undefined);
    }
  }

  /** Sends the request; a connection failure becomes Consul's client error text. */
  private async send(spec: RequestSpec): Promise<{ res: Response; url: string }> {
    const url = this.url(spec.path, spec.params);
    const headers: Record<string, string> = { ...this.headers };
    const token = spec.token ?? this.token;
    if (token) headers['X-Consul-Token'] = token;
    let body: string | Uint8Array | undefined;
    if (spec.body !== undefined) {
      if (typeof spec.body === 'string' || spec.body instanceof Uint8Array) {
        body = spec.body;
      } else {
        body = JSON.stringify(spec.body);
        headers['Content-Type'] = 'application/json';
      }
    }
    const fetchFn = this.fetchFn; // called detached, never as a method of this client
    try {
      const res = await fetchFn(url, {
        ...this.fetchInit,
        method: spec.method,
        headers,
        body: body as RequestInit["body"],
        signal: spec.signal,
      });
      return { res, url };
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw connectionError(spec.method, url, this.address.hostPort, err);
    }
  }

  /** Sends the request and parses a JSON body (`null` for an empty one). */
  async json<T>(spec: RequestSpec): Promise<{ data: T; meta: QueryMeta; status: number; text: string }> {
    const res = await this.request(spec);
    // An allowed error status (404 for a missing key, ...) carries a text body, not JSON;
    // 409 from /txn is the exception: its body has the usual shape.
    const ok = res.status >= 200 && res.status < 300;
    const data = ok || res.status === 409 ? parseJson<T>(res, spec) : (null as T);
    return { data, meta: res.meta, status: res.status, text: res.text };
  }
}

function parseJson<T>(res: RawResponse, spec: RequestSpec): T {
  if (res.text.trim() === '') return null as T;
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw new ConsulError(res.status, `invalid JSON in response: ${res.text.slice(0, 200)}`, spec.method, spec.path);
  }
}
