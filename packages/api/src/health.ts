/** /v1/health/*: checks and service instances with their health. */
import type { HttpClient } from './http.js';
import { queryParams, type QueryOptions, type QueryResult } from './query.js';
import type { HealthCheck, ServiceEntry } from './types.js';

export type HealthStateFilter = 'any' | 'passing' | 'warning' | 'critical';

export interface HealthServiceOptions extends QueryOptions {
  /** `?tag=`, repeatable; every tag must be present. */
  tags?: string[];
  /** `?passing`: only instances whose checks (node checks included) all pass. */
  passing?: boolean;
}

export class Health {
  constructor(private readonly http: HttpClient) {}

  async node(node: string, opts: QueryOptions = {}): Promise<QueryResult<HealthCheck[]>> {
    return this.list<HealthCheck>(`/health/node/${encodeURIComponent(node)}`, opts);
  }

  async checks(service: string, opts: QueryOptions = {}): Promise<QueryResult<HealthCheck[]>> {
    return this.list<HealthCheck>(`/health/checks/${encodeURIComponent(service)}`, opts);
  }

  async service(service: string, opts: HealthServiceOptions = {}): Promise<QueryResult<ServiceEntry[]>> {
    return this.entries(`/health/service/${encodeURIComponent(service)}`, opts);
  }

  /**
   * GET /v1/health/connect/:service: the instances that accept Connect traffic for the
   * service (its proxies and Connect-native instances), with the same options as `service`
   * (Consul's Health().Connect).
   */
  async connect(service: string, opts: HealthServiceOptions = {}): Promise<QueryResult<ServiceEntry[]>> {
    return this.entries(`/health/connect/${encodeURIComponent(service)}`, opts);
  }

  async state(state: HealthStateFilter, opts: QueryOptions = {}): Promise<QueryResult<HealthCheck[]>> {
    return this.list<HealthCheck>(`/health/state/${encodeURIComponent(state)}`, opts);
  }

  private async entries(path: string, opts: HealthServiceOptions): Promise<QueryResult<ServiceEntry[]>> {
    const params = queryParams(opts, this.http.datacenter);
    for (const t of opts.tags ?? []) params.push(['tag', t]);
    if (opts.passing) params.push(['passing', '1']);
    const res = await this.http.json<ServiceEntry[]>({ method: 'GET', path, params, token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  private async list<T>(path: string, opts: QueryOptions): Promise<QueryResult<T[]>> {
    const res = await this.http.json<T[]>({ method: 'GET', path, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }
}
