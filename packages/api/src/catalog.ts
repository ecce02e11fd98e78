/** /v1/catalog/*: the cluster-wide registry of nodes and services. */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';
import type {
  CatalogDeregistration,
  CatalogNode,
  CatalogNodeServiceList,
  CatalogRegistration,
  CatalogService,
  Node,
} from './types.js';

export interface ServiceQueryOptions extends QueryOptions {
  /** `?tag=`, repeatable; every tag must be present. */
  tags?: string[];
}

export class Catalog {
  constructor(private readonly http: HttpClient) {}

  async register(reg: CatalogRegistration, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'PUT', path: '/catalog/register', params: writeParams(opts, this.http.datacenter), body: reg, token: opts.token, signal: opts.signal });
  }

  async deregister(dereg: CatalogDeregistration, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'PUT', path: '/catalog/deregister', params: writeParams(opts, this.http.datacenter), body: dereg, token: opts.token, signal: opts.signal });
  }

  async datacenters(opts: WriteOptions = {}): Promise<string[]> {
    const res = await this.http.json<string[]>({ method: 'GET', path: '/catalog/datacenters', token: opts.token, signal: opts.signal });
    return res.data ?? [];
  }

  async nodes(opts: QueryOptions = {}): Promise<QueryResult<Node[]>> {
    return this.query<Node[]>('/catalog/nodes', opts, []);
  }

  /** Service name to the tags of all its instances. */
  async services(opts: QueryOptions = {}): Promise<QueryResult<Record<string, string[]>>> {
    return this.query<Record<string, string[]>>('/catalog/services', opts, {});
  }

  async service(service: string, opts: ServiceQueryOptions = {}): Promise<QueryResult<CatalogService[]>> {
    const params = queryParams(opts, this.http.datacenter);
    for (const t of opts.tags ?? []) params.push(['tag', t]);
    const res = await this.http.json<CatalogService[]>({ method: 'GET', path: `/catalog/service/${encodeURIComponent(service)}`, params, token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  /** A node and its services; `data` is null for an unknown node (Consul answers 200 `null`). */
  async node(node: string, opts: QueryOptions = {}): Promise<QueryResult<CatalogNode | null>> {
    const res = await this.http.json<CatalogNode | null>({ method: 'GET', path: `/catalog/node/${encodeURIComponent(node)}`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data, meta: res.meta };
  }

  async nodeServiceList(node: string, opts: QueryOptions = {}): Promise<QueryResult<CatalogNodeServiceList>> {
    const res = await this.http.json<CatalogNodeServiceList>({ method: 'GET', path: `/catalog/node-services/${encodeURIComponent(node)}`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? { Node: null, Services: null }, meta: res.meta };
  }

  private async query<T>(path: string, opts: QueryOptions, empty: T): Promise<QueryResult<T>> {
    const res = await this.http.json<T>({ method: 'GET', path, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? empty, meta: res.meta };
  }
}
