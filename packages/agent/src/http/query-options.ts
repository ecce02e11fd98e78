// Consul's common query parameters (agent/http.go parseWait, parseConsistency, parseDC, parseToken).
import type { FastifyRequest } from 'fastify';
import { parseGoDurationMs } from '@proconsul/catalog';
import type { QueryTimes } from '../config/index.js';
import { badRequest, serverError } from './http-error.js';

/** Consul's defaults of default_query_time and max_query_time. */
export const CONSUL_QUERY_TIMES: QueryTimes = { defaultMs: 5 * 60_000, maxMs: 10 * 60_000 };

export interface QueryOptions {
  /** 0: answer at once. */
  index: number;
  waitMs: number;
  stale: boolean;
  consistent: boolean;
}

export type Query = Record<string, string | string[] | undefined>;

/** The last value of a repeated parameter, as Go's url.Values.Get gives the first; either is fine for one value. */
export function qs(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

export function qsAll(query: Query, name: string): string[] {
  const v = query[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function has(query: Query, name: string): boolean {
  return query[name] !== undefined;
}

export function parseQueryOptions(req: FastifyRequest, datacenter: string, times: QueryTimes = CONSUL_QUERY_TIMES): QueryOptions {
  checkDatacenter(req.query as Query, datacenter);
  return parseWaitAndConsistency(req.query as Query, times);
}

/** `?wait`: the time given, at most `times.maxMs`; `times.defaultMs` without one. */
export function parseWait(query: Query, times: QueryTimes): number {
  const wait = qs(query, 'wait');
  if (wait === undefined || wait === '') return times.defaultMs;
  const ms = parseGoDurationMs(wait);
  if (ms === undefined || ms < 0) throw badRequest('Invalid wait time');
  return Math.min(ms, times.maxMs);
}

/** `?max_stale`: milliseconds, 0 when absent; a bad value is Consul's 400. */
export function parseMaxStale(query: Query): number {
  const v = qs(query, 'max_stale');
  if (v === undefined || v === '') return 0;
  const ms = parseGoDurationMs(v);
  if (ms === undefined) throw badRequest(`Invalid max_stale value ${JSON.stringify(v)}`);
  return ms;
}

/**
 * How stale a read may be answered (Consul's parseConsistency): Infinity for `?stale`, the
 * `?max_stale` bound (a server further behind its leader asks the leader, as Consul's HTTP
 * handlers retry once), or undefined: the leader's answer.
 */
export function staleBoundMs(query: Query): number | undefined {
  const maxStale = parseMaxStale(query);
  if (maxStale > 0) return maxStale;
  return has(query, 'stale') ? Infinity : undefined;
}

/**
 * discovery_max_stale: a catalog or health read that names no consistency mode (`?leader` names
 * the default one) may be `maxStaleMs` stale, as if it carried `?max_stale`.
 */
export function discoveryStale(query: Query, path: string, maxStaleMs: number): boolean {
  if (maxStaleMs <= 0 || !(path.startsWith('/v1/catalog') || path.startsWith('/v1/health'))) return false;
  return !['stale', 'consistent', 'leader', 'cached'].some((k) => has(query, k)) && parseMaxStale(query) === 0;
}

/** `?index`, `?wait`, `?stale`, `?max_stale`, `?consistent` (without `?dc`: a forwarding server reads these too). */
export function parseWaitAndConsistency(query: Query, times: QueryTimes = CONSUL_QUERY_TIMES): QueryOptions {
  const waitMs = parseWait(query, times);
  let index = 0;
  const idx = qs(query, 'index');
  if (idx !== undefined && idx !== '') {
    if (!/^\d+$/.test(idx)) throw badRequest('Invalid index');
    index = Number(idx);
  }
  const stale = staleBoundMs(query) !== undefined;
  const consistent = has(query, 'consistent');
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  if (consistent && has(query, 'cached')) throw badRequest('Cannot specify ?cached with ?consistent, conflicting semantics.');
  return { index, waitMs, stale, consistent };
}

/**
 * A handler answers for its own datacenter only: a request for another one was forwarded
 * before it ran (cluster/forward.ts), except on endpoints that do not forward.
 */
export function checkDatacenter(query: Query, datacenter: string): void {
  const dc = qs(query, 'dc');
  if (dc !== undefined && dc !== '' && dc !== datacenter) throw serverError('No path to datacenter');
}

/** `?token`, then X-Consul-Token, then Authorization: Bearer (accepted; ACLs are not enforced yet). */
export function requestToken(req: FastifyRequest): string {
  const q = qs(req.query as Query, 'token');
  if (q) return q;
  const h = req.headers['x-consul-token'];
  if (typeof h === 'string' && h) return h;
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^bearer\s+(.+)$/i.exec(auth);
    if (m) return m[1]!.trim();
  }
  return '';
}

/** Go's strconv.ParseBool. */
export function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}
