// A read endpoint over the catalog: parse the common query options, run the query (blocking
// when `?index` asks for it), set Consul's meta headers, send JSON.
import type { Indexed } from '@proconsul/catalog';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { blockingQuery } from './blocking.js';
import { parseQueryOptions, type QueryOptions } from './query-options.js';
import { sendJson, setQueryMeta } from './respond.js';

export type Respond<T> = (result: Indexed<T>, reply: FastifyReply) => FastifyReply;

/** Runs `query` with Consul's blocking semantics and answers with its value as JSON (or via `respond`). */
export function catalogRead<T>(
  ctx: AgentContext,
  req: FastifyRequest,
  reply: FastifyReply,
  query: () => Indexed<T>,
  respond?: Respond<T>,
): FastifyReply | Promise<FastifyReply> {
  const opts = parseQueryOptions(req, ctx.config.datacenter);
  const finish = (r: Indexed<T>): FastifyReply => {
    setQueryMeta(reply, r.index);
    reply.header('X-Consul-Effective-Consistency', consistency(opts));
    return respond ? respond(r, reply) : sendJson(req, reply, r.value);
  };
  if (opts.index === 0) return finish(query());
  return blockingQuery(reply, opts, (watch, signal) => ctx.catalog.watch(watch ?? [], signal), query).then((r) =>
    finish(r as Indexed<T>),
  );
}

function consistency(opts: QueryOptions): string {
  return opts.stale ? 'stale' : opts.consistent ? 'consistent' : 'leader';
}
