/**
 * GET /v1/exported-services and /v1/imported-services: which services this cluster shares
 * and which it takes in (Consul's api/exported_services.go and api/imported_services.go).
 */
import type { HttpClient } from './http.js';
import { queryParams, type QueryOptions, type QueryResult } from './query.js';

/** api.ResolvedExportedService. */
export interface ResolvedExportedService {
  Service: string;
  Partition?: string;
  Namespace?: string;
  Consumers: { Peers?: string[]; Partitions?: string[] };
}

/** api.ImportedService. */
export interface ImportedService {
  Service: string;
  Partition?: string;
  Namespace?: string;
  SourcePeer?: string;
  SourcePartition?: string;
}

export class ServiceExports {
  constructor(private readonly http: HttpClient) {}

  /** GET /v1/exported-services: a blocking query; needs mesh:read (or operator:read). */
  async exported(opts: QueryOptions = {}): Promise<QueryResult<ResolvedExportedService[]>> {
    const res = await this.http.json<ResolvedExportedService[]>({ method: 'GET', path: '/exported-services', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  /**
   * GET /v1/imported-services. Enterprise answers `{Partition, ImportedServices}`, CE a bare
   * list; both are read, as the Go client does.
   */
  async imported(opts: QueryOptions = {}): Promise<QueryResult<ImportedService[]>> {
    const res = await this.http.json<ImportedService[] | { Partition?: string; ImportedServices?: ImportedService[] } | null>({
      method: 'GET', path: '/imported-services', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal,
    });
    const d = res.data;
    const list = Array.isArray(d) ? d : (d?.ImportedServices ?? []);
    return { data: list, meta: res.meta };
  }
}
