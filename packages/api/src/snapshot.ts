/** /v1/snapshot: point-in-time archives of the server state (a gzipped tar in Consul). */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';

export class Snapshot {
  constructor(private readonly http: HttpClient) {}

  /** Downloads a snapshot; `meta.lastIndex` is the index it was taken at. */
  async save(opts: QueryOptions = {}): Promise<QueryResult<Uint8Array>> {
    const params = queryParams({ datacenter: opts.datacenter, stale: opts.stale }, this.http.datacenter);
    const res = await this.http.request({ method: 'GET', path: '/snapshot', params, token: opts.token, signal: opts.signal });
    return { data: res.bytes, meta: res.meta };
  }

  /** Uploads a snapshot archive, replacing the server state. */
  async restore(archive: Uint8Array, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'PUT', path: '/snapshot', params: writeParams(opts, this.http.datacenter), body: archive, token: opts.token, signal: opts.signal });
  }
}
