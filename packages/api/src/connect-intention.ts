/**
 * Intentions (Consul's api/connect_intention.go) and the agent's authorize call
 * (api/agent.go ConnectAuthorize), as functions over the transport: `consul.http`.
 */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';

/** api.Intention. */
export interface Intention {
  ID?: string;
  Description?: string;
  SourceNS?: string;
  SourceName: string;
  DestinationNS?: string;
  DestinationName: string;
  SourceType?: string;
  Action?: 'allow' | 'deny' | string;
  Permissions?: Array<Record<string, unknown>>;
  Meta?: Record<string, string>;
  Precedence?: number;
  CreatedAt?: string;
  UpdatedAt?: string;
  Hash?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

export type IntentionMatchType = 'source' | 'destination';

/** Intention.String(): `web => db (allow)`, the namespace shown only when not the default. */
export function intentionString(i: Intention): string {
  return `${intentionPart(i.SourceNS, i.SourceName)} => ${intentionPart(i.DestinationNS, i.DestinationName)} (${i.Action ?? ''})`;
}

export function intentionPart(ns: string | undefined, name: string): string {
  return ns && ns !== 'default' ? `${ns}/${name}` : name;
}

/** GET /v1/connect/intentions. */
export async function intentionList(http: HttpClient, opts: QueryOptions = {}): Promise<QueryResult<Intention[]>> {
  const res = await http.json<Intention[]>({ method: 'GET', path: '/connect/intentions', params: queryParams(opts, http.datacenter), token: opts.token, signal: opts.signal });
  return { data: res.data ?? [], meta: res.meta };
}

/** GET /v1/connect/intentions/:id; null when there is none (404). */
export async function intentionGet(http: HttpClient, id: string, opts: QueryOptions = {}): Promise<Intention | null> {
  const res = await http.json<Intention>({ method: 'GET', path: `/connect/intentions/${encodeURIComponent(id)}`, params: queryParams(opts, http.datacenter), token: opts.token, allowStatus: [404] });
  return res.status === 404 ? null : res.data;
}

/** GET /v1/connect/intentions/exact; null when there is none (404). */
export async function intentionGetExact(http: HttpClient, source: string, destination: string, opts: QueryOptions = {}): Promise<Intention | null> {
  const params = [...queryParams(opts, http.datacenter), ['source', source], ['destination', destination]] as Array<[string, string]>;
  const res = await http.json<Intention>({ method: 'GET', path: '/connect/intentions/exact', params, token: opts.token, allowStatus: [404] });
  return res.status === 404 ? null : res.data;
}

/** POST /v1/connect/intentions (legacy create): the new intention's ID. */
export async function intentionCreate(http: HttpClient, ixn: Intention, opts: WriteOptions = {}): Promise<string> {
  const res = await http.json<{ ID: string }>({ method: 'POST', path: '/connect/intentions', params: writeParams(opts, http.datacenter), body: ixn, token: opts.token });
  return res.data.ID;
}

/** PUT /v1/connect/intentions/:id (legacy update). */
export async function intentionUpdate(http: HttpClient, ixn: Intention, opts: WriteOptions = {}): Promise<void> {
  await http.json<unknown>({ method: 'PUT', path: `/connect/intentions/${encodeURIComponent(ixn.ID ?? '')}`, params: writeParams(opts, http.datacenter), body: ixn, token: opts.token });
}

/** PUT /v1/connect/intentions/exact: creates or replaces the intention of this source and destination. */
export async function intentionUpsert(http: HttpClient, ixn: Intention, opts: WriteOptions = {}): Promise<void> {
  const params = [...writeParams(opts, http.datacenter), ['source', ixn.SourceName], ['destination', ixn.DestinationName]] as Array<[string, string]>;
  await http.json<unknown>({ method: 'PUT', path: '/connect/intentions/exact', params, body: ixn, token: opts.token });
}

/** DELETE /v1/connect/intentions/:id. */
export async function intentionDelete(http: HttpClient, id: string, opts: WriteOptions = {}): Promise<void> {
  await http.json<unknown>({ method: 'DELETE', path: `/connect/intentions/${encodeURIComponent(id)}`, params: writeParams(opts, http.datacenter), token: opts.token });
}

/** DELETE /v1/connect/intentions/exact. */
export async function intentionDeleteExact(http: HttpClient, source: string, destination: string, opts: WriteOptions = {}): Promise<void> {
  const params = [...writeParams(opts, http.datacenter), ['source', source], ['destination', destination]] as Array<[string, string]>;
  await http.json<unknown>({ method: 'DELETE', path: '/connect/intentions/exact', params, token: opts.token });
}

/** GET /v1/connect/intentions/match: per name, the intentions in the order they are evaluated. */
export async function intentionMatch(http: HttpClient, by: IntentionMatchType, names: string[], opts: QueryOptions = {}): Promise<Record<string, Intention[]>> {
  const params = [...queryParams(opts, http.datacenter), ['by', by], ...names.map((n) => ['name', n])] as Array<[string, string]>;
  const res = await http.json<Record<string, Intention[]>>({ method: 'GET', path: '/connect/intentions/match', params, token: opts.token, signal: opts.signal });
  return res.data;
}

/** GET /v1/connect/intentions/check: whether the source may connect to the destination. */
export async function intentionCheck(http: HttpClient, source: string, destination: string, opts: QueryOptions & { sourceType?: string } = {}): Promise<boolean> {
  const params = [...queryParams(opts, http.datacenter), ['source', source], ['destination', destination], ...(opts.sourceType ? [['source-type', opts.sourceType]] : [])] as Array<
    [string, string]
  >;
  const res = await http.json<{ Allowed: boolean }>({ method: 'GET', path: '/connect/intentions/check', params, token: opts.token });
  return res.data.Allowed;
}

/** api.AgentAuthorizeParams / api.AgentAuthorize. */
export interface AgentAuthorizeParams {
  Target: string;
  ClientCertURI: string;
  ClientCertSerial: string;
}

export interface AgentAuthorize {
  Authorized: boolean;
  Reason: string;
}

/** POST /v1/agent/connect/authorize. */
export async function connectAuthorize(http: HttpClient, auth: AgentAuthorizeParams, opts: WriteOptions = {}): Promise<AgentAuthorize> {
  const res = await http.json<AgentAuthorize>({ method: 'POST', path: '/agent/connect/authorize', body: auth, token: opts.token });
  return res.data;
}
