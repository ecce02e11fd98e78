/** /v1/txn: several operations applied atomically. */
import type { HttpClient } from './http.js';
import { writeParams, type WriteOptions } from './query.js';
import type { TxnOp, TxnResponse } from './types.js';

export interface TxnOutcome extends TxnResponse {
  /** True when applied (200); false when rolled back (409), with `Errors` saying why. */
  ok: boolean;
}

export class Txn {
  constructor(private readonly http: HttpClient) {}

  async execute(ops: TxnOp[], opts: WriteOptions & { stale?: boolean; consistent?: boolean } = {}): Promise<TxnOutcome> {
    const params = writeParams(opts, this.http.datacenter);
    if (opts.stale) params.push(['stale', '']);
    if (opts.consistent) params.push(['consistent', '']);
    const res = await this.http.json<TxnResponse>({ method: 'PUT', path: '/txn', params, body: ops, token: opts.token, signal: opts.signal, allowStatus: [409] });
    return { ok: res.status === 200, Results: res.data?.Results ?? null, Errors: res.data?.Errors ?? null };
  }
}
