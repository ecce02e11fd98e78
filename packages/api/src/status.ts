/** /v1/status/*: Raft leader and peers. */
import type { HttpClient } from './http.js';
import { writeParams, type WriteOptions } from './query.js';

export class Status {
  constructor(private readonly http: HttpClient) {}

  /** `ip:port` of the Raft leader; "" when there is none. */
  async leader(opts: WriteOptions = {}): Promise<string> {
    const res = await this.http.json<string>({ method: 'GET', path: '/status/leader', params: writeParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return res.data ?? '';
  }

  async peers(opts: WriteOptions = {}): Promise<string[]> {
    const res = await this.http.json<string[]>({ method: 'GET', path: '/status/peers', params: writeParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return res.data ?? [];
  }
}
