/**
 * /v1/query: prepared queries (the Go client's PreparedQuery: Create, Update, List, Get,
 * Delete, Execute, plus Explain). Execute and Explain take an ID or a name (a template
 * answers every name it is the longest prefix of).
 */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';
import type { ServiceEntry } from './types.js';

export interface QueryFailoverTarget {
  Peer?: string;
  Datacenter?: string;
}

export interface QueryFailoverOptions {
  NearestN?: number;
  Datacenters?: string[] | null;
  Targets?: QueryFailoverTarget[] | null;
}

export interface ServiceQuery {
  Service: string;
  SamenessGroup?: string;
  Near?: string;
  Failover?: QueryFailoverOptions;
  IgnoreCheckIDs?: string[] | null;
  OnlyPassing?: boolean;
  /** Required tags; `!tag` excludes. */
  Tags?: string[] | null;
  NodeMeta?: Record<string, string> | null;
  ServiceMeta?: Record<string, string> | null;
  Connect?: boolean;
  Peer?: string;
}

export interface QueryTemplate {
  /** `name_prefix_match`. */
  Type: string;
  Regexp?: string;
  RemoveEmptyTags?: boolean;
}

export interface PreparedQueryDefinition {
  ID?: string;
  Name?: string;
  Session?: string;
  Token?: string;
  Service: ServiceQuery;
  DNS?: { TTL?: string };
  Template?: QueryTemplate;
  CreateIndex?: number;
  ModifyIndex?: number;
}

export interface PreparedQueryExecuteResponse {
  Service: string;
  Nodes: ServiceEntry[];
  DNS: { TTL: string };
  /** The datacenter that answered (another one after a failover). */
  Datacenter: string;
  /** How many other datacenters were asked. */
  Failovers: number;
}

export interface PreparedQueryExecuteOptions extends QueryOptions {
  /** Keep at most this many nodes (after sorting or shuffling). */
  limit?: number;
  /** Only Connect-capable instances. */
  connect?: boolean;
}

export class PreparedQuery {
  constructor(private readonly http: HttpClient) {}

  /** Creates a query and returns its ID. */
  async create(query: PreparedQueryDefinition, opts: WriteOptions = {}): Promise<string> {
    const res = await this.http.json<{ ID: string }>({ method: 'POST', path: '/query', params: writeParams(opts, this.http.datacenter), body: query, token: opts.token, signal: opts.signal });
    return res.data.ID;
  }

  /** Replaces the query with `query.ID`. */
  async update(query: PreparedQueryDefinition & { ID: string }, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'PUT', path: `/query/${encodeURIComponent(query.ID)}`, params: writeParams(opts, this.http.datacenter), body: query, token: opts.token, signal: opts.signal });
  }

  /** Every query the token may read. */
  async list(opts: QueryOptions = {}): Promise<QueryResult<PreparedQueryDefinition[]>> {
    const res = await this.http.json<PreparedQueryDefinition[]>({ method: 'GET', path: '/query', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  /** The query with this ID, as a one-element list (Consul's shape); an unknown ID throws (404). */
  async get(id: string, opts: QueryOptions = {}): Promise<QueryResult<PreparedQueryDefinition[]>> {
    const res = await this.http.json<PreparedQueryDefinition[]>({ method: 'GET', path: `/query/${encodeURIComponent(id)}`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  async delete(id: string, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/query/${encodeURIComponent(id)}`, params: writeParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
  }

  /** Runs the query found by ID or name; an unknown one throws (404). */
  async execute(idOrName: string, opts: PreparedQueryExecuteOptions = {}): Promise<QueryResult<PreparedQueryExecuteResponse>> {
    const params = queryParams(opts, this.http.datacenter);
    if (opts.limit !== undefined && opts.limit > 0) params.push(['limit', String(Math.floor(opts.limit))]);
    if (opts.connect) params.push(['connect', 'true']);
    const res = await this.http.json<PreparedQueryExecuteResponse>({ method: 'GET', path: `/query/${encodeURIComponent(idOrName)}/execute`, params, token: opts.token, signal: opts.signal });
    return { data: { ...res.data, Nodes: res.data.Nodes ?? [] }, meta: res.meta };
  }

  /** The query a name resolves to, a template rendered for it. */
  async explain(idOrName: string, opts: QueryOptions = {}): Promise<QueryResult<PreparedQueryDefinition>> {
    const res = await this.http.json<{ Query: PreparedQueryDefinition }>({ method: 'GET', path: `/query/${encodeURIComponent(idOrName)}/explain`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data.Query, meta: res.meta };
  }
}
