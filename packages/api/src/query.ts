/**
 * Query and write options shared by every endpoint, and the query meta read back from
 * Consul's response headers (X-Consul-Index, X-Consul-KnownLeader, X-Consul-LastContact).
 */
import { formatWait } from './duration.js';

export interface QueryOptions {
  /** `?dc=`: datacenter to query; defaults to the client's, then the agent's. */
  datacenter?: string;
  /**
   * `?index=`: block until the result's index is greater than this. 0 does not block. A
   * decimal string passes an index above 2^53 through exactly (event list indexes are).
   */
  index?: number | string;
  /** `?wait=`: longest time to block, as milliseconds or a Go duration (`"30s"`). Capped at 10m by Consul. */
  wait?: number | string;
  /** `?hash=`: hash-based blocking (agent/service/:id). */
  hash?: string;
  /** `?stale`: any server may answer. */
  stale?: boolean;
  /** `?consistent`: the leader confirms leadership before answering. */
  consistent?: boolean;
  /** `?cached`: use the agent cache where the endpoint supports it. */
  cached?: boolean;
  /** `?filter=`: a bexpr filter expression. */
  filter?: string;
  /** `?near=`: sort by round-trip time from this node (`_agent` for the local one). */
  near?: string;
  /** `?node-meta=key:value`, repeated; results must match every pair. */
  nodeMeta?: Record<string, string>;
  /** `?global`: every datacenter's answer, where the endpoint supports it (operator usage). */
  global?: boolean;
  /** `?partition=`: an admin partition (Consul Enterprise; a CE agent refuses any). */
  partition?: string;
  /** `?ns=`: a namespace (Consul Enterprise; a CE agent refuses any). */
  namespace?: string;
  /** `?sameness-group=`: a sameness group (Consul Enterprise). */
  samenessGroup?: string;
  /** `?peer=`: read what that cluster peer exports here (health, catalog service reads). */
  peer?: string;
  /** ACL token for this request only (sent as X-Consul-Token). */
  token?: string;
  /** Aborts the request, including a blocking one. */
  signal?: AbortSignal;
}

export interface WriteOptions {
  datacenter?: string;
  token?: string;
  signal?: AbortSignal;
}

export interface QueryMeta {
  /** X-Consul-Index; 0 when the endpoint does not send one. */
  lastIndex: number;
  /** X-Consul-Index exactly as sent (uint64 text; event list indexes exceed 2^53). */
  lastIndexRaw?: string;
  /** X-Consul-KnownLeader. */
  knownLeader: boolean;
  /** X-Consul-LastContact in milliseconds. */
  lastContactMs: number;
  /** X-Consul-Effective-Consistency (`leader`, `stale`, `consistent`) when sent. */
  effectiveConsistency?: string;
  /** X-Consul-ContentHash (hash-based blocking) when sent. */
  contentHash?: string;
  /** X-Cache: HIT|MISS when `cached` was asked. */
  cacheHit?: boolean;
  /** Milliseconds from sending the request to reading the whole response. */
  requestTimeMs: number;
}

export interface QueryResult<T> {
  data: T;
  meta: QueryMeta;
}

/** Query-string parameters as ordered pairs; repeated keys (tag, node-meta) are allowed. */
export type Params = Array<[string, string]>;

/** Turns QueryOptions into parameters. `datacenter` falls back to the client's default. */
export function queryParams(opts: QueryOptions | undefined, defaultDc?: string): Params {
  const p: Params = [];
  const dc = opts?.datacenter ?? defaultDc;
  if (dc) p.push(['dc', dc]);
  if (!opts) return p;
  if (opts.stale) p.push(['stale', '']);
  if (opts.consistent) p.push(['consistent', '']);
  if (opts.cached) p.push(['cached', '']);
  if (opts.global) p.push(['global', '']);
  // Consul's api.go setQueryOptions: ns, partition, sameness-group, peer.
  if (opts.namespace) p.push(['ns', opts.namespace]);
  if (opts.partition) p.push(['partition', opts.partition]);
  if (opts.samenessGroup) p.push(['sameness-group', opts.samenessGroup]);
  if (opts.peer) p.push(['peer', opts.peer]);
  if (typeof opts.index === 'string') {
    if (/^[1-9]\d*$/.test(opts.index)) p.push(['index', opts.index]);
  } else if (opts.index !== undefined && opts.index > 0) {
    p.push(['index', String(Math.floor(opts.index))]);
  }
  if (opts.hash) p.push(['hash', opts.hash]);
  if (opts.wait !== undefined) p.push(['wait', typeof opts.wait === 'number' ? formatWait(opts.wait) : opts.wait]);
  if (opts.filter) p.push(['filter', opts.filter]);
  if (opts.near) p.push(['near', opts.near]);
  if (opts.nodeMeta) {
    for (const [k, v] of Object.entries(opts.nodeMeta)) p.push(['node-meta', `${k}:${v}`]);
  }
  return p;
}

export function writeParams(opts: WriteOptions | undefined, defaultDc?: string): Params {
  const dc = opts?.datacenter ?? defaultDc;
  return dc ? [['dc', dc]] : [];
}

/**
 * Encodes parameters the way Consul's Go client does, except that presence-only flags
 * (value "") are sent bare (`?recurse`), which Consul reads the same and is easier to read.
 */
export function encodeParams(params: Params): string {
  if (params.length === 0) return '';
  return (
    '?' +
    params
      .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
      .join('&')
  );
}

/** Percent-encodes each path segment but keeps the `/` between them (KV keys, service IDs stay readable). */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

interface HeaderSource {
  get(name: string): string | null;
}

export function parseQueryMeta(headers: HeaderSource, requestTimeMs: number): QueryMeta {
  const index = Number(headers.get('x-consul-index') ?? '0');
  const lastContact = Number(headers.get('x-consul-lastcontact') ?? '0');
  const meta: QueryMeta = {
    lastIndex: Number.isFinite(index) && index > 0 ? index : 0,
    knownLeader: headers.get('x-consul-knownleader') === 'true',
    lastContactMs: Number.isFinite(lastContact) ? lastContact : 0,
    requestTimeMs,
  };
  const consistency = headers.get('x-consul-effective-consistency');
  if (consistency) meta.effectiveConsistency = consistency;
  const raw = headers.get('x-consul-index');
  if (raw && /^\d+$/.test(raw)) meta.lastIndexRaw = raw;
  const hash = headers.get('x-consul-contenthash');
  if (hash) meta.contentHash = hash;
  const cache = headers.get('x-cache');
  if (cache) meta.cacheHit = cache.toUpperCase() === 'HIT';
  return meta;
}
