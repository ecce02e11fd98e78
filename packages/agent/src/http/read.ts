// A read endpoint over the catalog: parse the common query options, run the query (blocking
// when `?index` asks for it), set Consul's meta headers, send JSON.
//
// Identical reads share one run and one encoding (read-memo.ts): a write under a prefix that
// 100 blocking watchers hold wakes all 100, and each answers from the memo the first of them
// filled, so the cost of a wake does not grow with the number of watchers.
import type { Indexed } from '@proconsul/catalog';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { blockingQuery } from './blocking.js';
import { compileFilter, type Predicate } from './filter.js';
import { parseQueryOptions, qs, requestToken, type Query, type QueryOptions } from './query-options.js';
import { filteredByAcl } from '../acl/enforce.js';
import { memoFor, queryKey } from './read-memo.js';
import { sendJson, sendJsonBytes, setQueryMeta } from './respond.js';

/**
 * Answers a read with a custom shape (404 for a miss, raw bytes...). `send(value)` sends JSON;
 * given the result's own value it sends the shared encoding.
 */
export type Respond<T> = (result: Indexed<T>, reply: FastifyReply, send: (value: unknown) => FastifyReply) => FastifyReply;

/**
 * The reads that serve what a cluster peer exported (`?peer=<name>`): their routes read it
 * themselves. Consul's API docs (website/content/api-docs/health.mdx) list `peer` on
 * health/service and health/connect; its catalog handlers parse it on these catalog reads too.
 */
const PEER_READS: ReadonlySet<string> = new Set([
  '/v1/catalog/services',
  '/v1/catalog/service/:service',
  '/v1/catalog/node/:node',
  '/v1/health/service/:service',
  '/v1/health/connect/:service',
]);

/** `Accept-Encoding` naming gzip, unless refused with q=0. */
const ACCEPTS_GZIP = /(^|,)\s*(gzip|\*)\s*(;\s*q=(?!0(\.0*)?\s*(,|$))[\d.]+\s*)?(,|$)/i;

/**
 * How `?filter` applies to a result: by default the elements of a list. `null`: the endpoint
 * takes no filter, which is then neither compiled nor applied (a bad one is no error either).
 */
export type FilterWith<T> = ((value: T, pred: Predicate) => T) | null;

/** Runs `query` with Consul's blocking semantics and answers with its value as JSON (or via `respond`). */
export function catalogRead<T>(
  ctx: AgentContext,
  req: FastifyRequest,
  reply: FastifyReply,
  unfiltered: () => Indexed<T>,
  respond?: Respond<T>,
  filterWith: FilterWith<T> = (v, pred) => (Array.isArray(v) ? (v.filter(pred) as T) : v),
): FastifyReply | Promise<FastifyReply> {
  const query = req.query as Query;
  const opts = parseQueryOptions(req, ctx.config.datacenter, ctx.config.queryTimes);
  // `?cached` reads of the endpoints that honour it never get here: the agent cache answers them (src/cache/).
  let run = unfiltered;
  // `?peer` on a read that does not serve imported rows: Consul's state store holds none of that
  // peer's rows for it, so it answers an empty list.
  if (qs(query, 'peer') && !PEER_READS.has(req.routeOptions.url ?? '')) {
    run = () => {
      const r = unfiltered();
      return Array.isArray(r.value) ? { ...r, value: [] as T } : r;
    };
  }
  const filter = qs(query, 'filter');
  if (filter && filterWith) {
    const pred = compileFilter(filter);
    const inner = run;
    run = () => {
      const r = inner();
      return { ...r, value: filterWith(r.value, pred) };
    };
  }
  const memo = memoFor(ctx);
  // The token is part of the identity: with ACLs, what a read returns depends on it.
  // A read with a body (POST /v1/discovery-chain) depends on it too.
  const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? `\u0000${req.body.toString('base64')}` : '';
  const key = `${requestToken(req)}\u0000${queryKey(req.url)}${body}`;
  const pretty = query.pretty !== undefined;
  const acceptsGzip = ACCEPTS_GZIP.test(req.headers['accept-encoding'] ?? '');
  const read = (): Indexed<T> => memo.read(key, run);
  const finish = (r: Indexed<T>): FastifyReply => {
    setQueryMeta(reply, r.index, consistency(opts));
    const shared = (): FastifyReply => {
      // An answer the token filters is its own: it goes out as text for the ACL hook to filter.
      if (filteredByAcl(req)) return sendJson(req, reply, r.value);
      const gz = acceptsGzip ? memo.gzipped(key, r, pretty) : undefined;
      if (gz) reply.header('Content-Encoding', 'gzip').header('Vary', 'Accept-Encoding');
      return sendJsonBytes(reply, gz ?? memo.encoded(key, r, pretty));
    };
    if (!respond) return shared();
    return respond(r, reply, (value) => (value === r.value ? shared() : sendJson(req, reply, value)));
  };
  if (opts.index === 0) return finish(read());
  return blockingQuery(reply, opts, (watch, signal) => ctx.catalog.watch(watch ?? [], signal), read).then((r) =>
    finish(r as Indexed<T>),
  );
}

function consistency(opts: QueryOptions): string {
  return opts.stale ? 'stale' : opts.consistent ? 'consistent' : 'leader';
}
