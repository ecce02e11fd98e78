// The reads the agent cache serves (Consul 1.17's agent/cache-types registered on the agent and
// the HTTP handlers that call cache.Get) and how an entry fetches from the servers: the same
// HTTP read without `?cached`, `?stale` where Consul's cache type sets AllowStale (all but the
// intention match), and `?index`/`?wait` for the background blocking query.
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import { blockingRefreshType, noRefreshType, type CacheFetch, type CacheType } from './agent-cache.js';

/** `ignoresParams`: the request's own parameters are not part of the entry nor sent with its fetch. */
export type CachedReadType = CacheType & { stale: boolean; ignoresParams?: boolean };

export const CACHE_TYPES: Record<string, CachedReadType> = {
  'catalog-list-services': { ...blockingRefreshType('catalog-list-services'), stale: true },
  'catalog-services': { ...blockingRefreshType('catalog-services'), stale: true },
  'health-services': { ...blockingRefreshType('health-services'), stale: true },
  // cache-types/intention_match.go leaves AllowStale unset: the leader answers.
  'intention-match': { ...blockingRefreshType('intention-match'), stale: false },
  // cache-types/connect_ca_root.go: the request's own consistency, here the leader's answer
  // (a client's leaf certificates must follow a rotation as soon as the leader has it).
  // agent_endpoint.go AgentConnectCARoots reads no parameter of its own (no `?pem`: always JSON),
  // so one entry per datacenter and token, shared with the leaf certificates.
  'connect-ca-root': { ...blockingRefreshType('connect-ca-root'), stale: false, ignoresParams: true },
  'catalog-datacenters': { ...noRefreshType('catalog-datacenters'), stale: true },
  'prepared-query': { ...noRefreshType('prepared-query'), stale: true },
};

/** Query parameters the cache itself interprets: never part of an entry's identity. */
const CACHE_PARAMS = new Set(['cached', 'index', 'wait', 'stale', 'consistent', 'leader', 'max_stale', 'token', 'dc']);

/**
 * The request's own parameters (filter, tag, passing, near, pretty...), sorted so that one
 * read in any order is one entry; presence-only flags stay bare (`passing`, not `passing=`).
 */
export function entryQuery(rawQuery: string): string {
  const parts: string[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decodeParam(eq < 0 ? pair : pair.slice(0, eq));
    if (CACHE_PARAMS.has(k)) continue;
    const v = eq < 0 ? '' : decodeParam(pair.slice(eq + 1));
    parts.push(v === '' && eq < 0 ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.sort().join('&');
}

function decodeParam(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Consul's makeEntryKey: type, datacenter, token, request. */
export function entryKey(type: string, dc: string, token: string, path: string, query: string): string {
  return `${type}\u0000${dc}\u0000${token}\u0000${path}?${query}`;
}

export interface CachedRead {
  type: CachedReadType;
  /** The datacenter asked for (`?dc`, else this agent's). */
  dc: string;
  localDc: string;
  token: string;
  path: string;
  /** entryQuery() of the request. */
  query: string;
  /** Sent with every fetch besides the token (the DNS's prepared query names its agent). */
  headers?: Record<string, string>;
}

/** Sends a request to whoever answers it (this agent's own HTTP app, or a server over agent RPC). */
export type SendRead = (req: ForwardedRequest, timeoutMs: number) => Promise<ForwardedResponse>;

/** Not kept with a cached answer: transport headers, and the cache's own. */
const UNKEPT_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive', 'date', 'x-cache', 'age', 'content-encoding', 'vary']);
/** What a forwarded read may take beyond its blocking wait (cluster/forward.ts's margin). */
const FETCH_MARGIN_MS = 30_000;

export function cacheFetch(read: CachedRead, send: SendRead): CacheFetch {
  return async (minIndex, timeoutMs) => {
    const params = [read.query];
    if (read.type.stale) params.push('stale');
    if (read.dc !== read.localDc) params.push(`dc=${encodeURIComponent(read.dc)}`);
    if (minIndex > 0) params.push(`index=${minIndex}`, `wait=${timeoutMs}ms`);
    const url = `${read.path}?${params.filter((p) => p !== '').join('&')}`;
    const headers0 = { ...read.headers, ...(read.token !== '' ? { 'x-consul-token': read.token } : {}) };
    const res = await send({ method: 'GET', url, headers: headers0 }, FETCH_MARGIN_MS + (minIndex > 0 ? timeoutMs * 1.1 : 0));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (!UNKEPT_HEADERS.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    const index = Number(headers['x-consul-index'] ?? 0);
    return { status: res.status, headers, body: res.body, index: Number.isSafeInteger(index) ? index : 0 };
  };
}
