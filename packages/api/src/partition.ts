/** GET /v1/partitions: admin partitions (Consul's api/partition.go). Consul Enterprise only: CE has no such route. */
import type { HttpClient } from './http.js';
import { queryParams, type QueryOptions, type QueryResult } from './query.js';

/** api.Partition (the fields a client reads). */
export interface Partition {
  Name: string;
  Description: string;
  DeletedAt?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export class Partitions {
  constructor(private readonly http: HttpClient) {}

  async list(opts: QueryOptions = {}): Promise<QueryResult<Partition[]>> {
    const res = await this.http.json<Partition[]>({ method: 'GET', path: '/partitions', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }
}
