// A read endpoint over the catalog: parse the common query options, run the query (blocking
// when `?index` asks for it), set Consul's meta headers, send JSON.
import type { Indexed } from '@proconsul/catalog';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { blockingQuery } from './blocking.js';
import { compileFilter, type Predicate } from './filter.js';
import { parseQueryOptions, qs, type Query, type QueryOptions } from './query-options.js';
import { encodeJson, sendJson, sendJsonText, setQueryMeta } from './respond.js';

/**
 * Encoded answers of non-blocking reads, valid while the catalog's last applied index stays
 * the same (every state change goes through apply and moves it). Keyed by the request URL.
 */
interface ReadCache {
  appliedIndex: number;
  entries: Map<string, { index: number; body: string }>;
}
const READ_CACHE_ENTRIES_MAX = 1024;
const caches = new WeakMap<AgentContext, ReadCache>();

function cacheFor(ctx: AgentContext): ReadCache {
  let c = caches.get(ctx);
  const applied = ctx.catalog.lastIndex;
  if (!c || c.appliedIndex !== applied) {
    c = { appliedIndex: applied, entries: new Map() };
    caches.set(ctx, c);
  }
  return c;
}

export type Respond<T> = (result: Indexed<T>, reply: FastifyReply) => FastifyReply;

/** Runs `query` with Consul's blocking semantics and answers with its value as JSON (or via `respond`). */
/** How `?filter` applies to a result: by default the elements of a list. */
export type FilterWith<T> = (value: T, pred: Predicate) => T;

export function catalogRead<T>(
  ctx: AgentContext,
  req: FastifyRequest,
  reply: FastifyReply,
  unfiltered: () => Indexed<T>,
  respond?: Respond<T>,
  filterWith: FilterWith<T> = (v, pred) => (Array.isArray(v) ? (v.filter(pred) as T) : v),
): FastifyReply | Promise<FastifyReply> {
  const opts = parseQueryOptions(req, ctx.config.datacenter);
  // ?cached: every server answer is fresh here (there is no agent cache in front of it).
  if ((req.query as Query).cached !== undefined) reply.header('X-Cache', 'MISS');
  const filter = qs(req.query as Query, 'filter');
  let query = unfiltered;
  // No cluster peerings exist here, so every `?peer` names an unknown peer: Consul answers an
  // empty list (its state store holds nothing imported from that peer).
  const peer = qs(req.query as Query, 'peer');
  if (peer) {
    const local = unfiltered;
    unfiltered = query = () => {
      const r = local();
      return Array.isArray(r.value) ? { ...r, value: [] as T } : r;
    };
  }
  if (filter) {
    const pred = compileFilter(filter);
    query = () => {
      const r = unfiltered();
      return { ...r, value: filterWith(r.value, pred) };
    };
  }
  const finish = (r: Indexed<T>): FastifyReply => {
    setQueryMeta(reply, r.index, consistency(opts));
    return respond ? respond(r, reply) : sendJson(req, reply, r.value);
  };
  if (opts.index === 0) {
    if (respond) return finish(query());
    const cache = cacheFor(ctx);
    let hit = cache.entries.get(req.url);
    if (!hit) {
      const r = query();
      hit = { index: r.index, body: encodeJson(r.value, (req.query as Record<string, unknown>).pretty !== undefined) };
      if (cache.entries.size >= READ_CACHE_ENTRIES_MAX) cache.entries.clear();
      cache.entries.set(req.url, hit);
    }
    setQueryMeta(reply, hit.index, consistency(opts));
    return sendJsonText(reply, hit.body);
  }
  return blockingQuery(reply, opts, (watch, signal) => ctx.catalog.watch(watch ?? [], signal), query).then((r) =>
    finish(r as Indexed<T>),
  );
}

function consistency(opts: QueryOptions): string {
  return opts.stale ? 'stale' : opts.consistent ? 'consistent' : 'leader';
}
