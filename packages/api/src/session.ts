/** /v1/session/*: sessions, the basis of KV locks. */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';
import type { SessionCreateRequest, SessionEntry } from './types.js';

export class Session {
  constructor(private readonly http: HttpClient) {}

  /** Creates a session and returns its ID. */
  async create(req: SessionCreateRequest = {}, opts: WriteOptions = {}): Promise<string> {
    const res = await this.http.json<{ ID: string }>({ method: 'PUT', path: '/session/create', params: writeParams(opts, this.http.datacenter), body: req, token: opts.token, signal: opts.signal });
    return res.data.ID;
  }

  async destroy(id: string, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'PUT', path: `/session/destroy/${encodeURIComponent(id)}`, params: writeParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
  }

  /** Renews a TTL session; null when the session no longer exists (404). Adopt the returned TTL. */
  async renew(id: string, opts: WriteOptions = {}): Promise<SessionEntry | null> {
    const res = await this.http.json<SessionEntry[]>({ method: 'PUT', path: `/session/renew/${encodeURIComponent(id)}`, params: writeParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal, allowStatus: [404] });
    return res.status === 404 ? null : (res.data?.[0] ?? null);
  }

  /** One session; `data` is null when unknown. */
  async info(id: string, opts: QueryOptions = {}): Promise<QueryResult<SessionEntry | null>> {
    const res = await this.http.json<SessionEntry[]>({ method: 'GET', path: `/session/info/${encodeURIComponent(id)}`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data?.[0] ?? null, meta: res.meta };
  }

  async node(node: string, opts: QueryOptions = {}): Promise<QueryResult<SessionEntry[]>> {
    const res = await this.http.json<SessionEntry[]>({ method: 'GET', path: `/session/node/${encodeURIComponent(node)}`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  async list(opts: QueryOptions = {}): Promise<QueryResult<SessionEntry[]>> {
    const res = await this.http.json<SessionEntry[]>({ method: 'GET', path: '/session/list', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }
}
