// A `?cached` read answered from the agent cache, with Consul's headers (agent/http.go
// setCacheMeta): `X-Cache: HIT|MISS`, and `Age` in seconds on a hit. An entry fetches with this
// agent's own HTTP app, so a client agent's fetch goes to a server as any read does and a
// server's `?stale` fetch reads its own state store (the simplest correct cache on a server:
// Consul's servers also fill their agent cache with stale reads of themselves).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { forwardedReplies } from '../cluster/forward.js';
import { HttpError } from '../http/http-error.js';
import { parseWaitAndConsistency, qs, requestToken, type Query } from '../http/query-options.js';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import type { CachedResponse, GetResult } from './agent-cache.js';
import type { CacheControl } from './cache-control.js';
import { setCacheMeta } from './cache-meta.js';
import { CACHE_TYPES, cacheFetch, entryKey, entryQuery, type CachedRead, type SendRead } from './cached-reads.js';
import { agentCache } from './index.js';

/** Sends a read into `app` as if a client asked it (its forwarding hooks take it to a server). */
export function injectInto(app: FastifyInstance): SendRead {
  return async (req: ForwardedRequest): Promise<ForwardedResponse> => {
    const res = await app.inject({ method: 'GET', url: req.url, headers: req.headers });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    return { status: res.statusCode, headers, body: res.rawPayload };
  };
}

/** The cache's answer to one read of `typeName` (also the authorize endpoint's intention match). */
export async function cachedGet(
  app: FastifyInstance,
  ctx: AgentContext,
  r: { typeName: string; path: string; query: string; token: string; dc?: string },
  o: { minIndex: number; timeoutMs: number; cc: CacheControl },
): Promise<{ result: GetResult; stale?: { value: CachedResponse; ageMs: number } }> {
  const type = CACHE_TYPES[r.typeName]!;
  // Consul's parse() resolves the token before cache.Get (parseTokenWithDefault: the request's,
  // else the agent's tokens.default), so a request without one and one carrying the default
  // token are one entry.
  const token = r.token || ctx.config.acl.tokens.default;
  const query = type.ignoresParams ? '' : r.query;
  const read: CachedRead = { type, dc: r.dc || ctx.config.datacenter, localDc: ctx.config.datacenter, token, path: r.path, query };
  const key = entryKey(type.name, read.dc, read.token, read.path, read.query);
  const cache = await agentCache(ctx);
  const result = await cache.get(key, type, cacheFetch(read, injectInto(app)), {
    minIndex: o.minIndex, timeoutMs: o.timeoutMs, maxAgeMs: o.cc.maxAgeMs, mustRevalidate: o.cc.mustRevalidate,
  });
  if (result.error === undefined || o.cc.staleIfErrorMs <= 0) return { result };
  // stale-if-error: the last good value, when it is not older than that.
  const last = cache.peek(key);
  return last && last.ageMs < o.cc.staleIfErrorMs ? { result, stale: last } : { result };
}

export async function answerFromCache(
  app: FastifyInstance,
  ctx: AgentContext,
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
  typeName: string,
  cc: CacheControl,
): Promise<FastifyReply> {
  const query = req.query as Query;
  // Consul's parse(): the same 400s as an uncached read (?cached with ?consistent among them).
  const opts = parseWaitAndConsistency(query, ctx.config.queryTimes);
  const q = req.url.indexOf('?');
  const { result, stale } = await cachedGet(
    app,
    ctx,
    { typeName, path, query: entryQuery(q < 0 ? '' : req.url.slice(q + 1)), token: requestToken(req), dc: qs(query, 'dc') ?? '' },
    { minIndex: opts.index, timeoutMs: opts.waitMs, cc },
  );
  const consistency = opts.stale ? 'stale' : 'leader';
  if (stale) return sendCached(reply, stale.value, true, stale.ageMs, consistency);
  if (result.error instanceof Error) throw result.error;
  // A failed fetch is answered as the server answered it, without cache headers (Consul returns before setCacheMeta).
  if (result.error) return sendAnswer(reply, result.error);
  // A blocking read that timed out before any value came: Consul's handler finds no value either.
  if (!result.value) throw new HttpError(500, 'internal error: response type not correct');
  return sendCached(reply, result.value, result.hit, result.ageMs, consistency);
}

function sendAnswer(reply: FastifyReply, v: CachedResponse): FastifyReply {
  return sendAnswerHeaders(reply, v).code(v.status).serializer((p: unknown) => p as string).send(Buffer.from(v.body));
}

function sendCached(reply: FastifyReply, v: CachedResponse, hit: boolean, ageMs: number, consistency: string): FastifyReply {
  const r = sendAnswerHeaders(setCacheMeta(reply, hit, ageMs), v);
  // The consistency the asker chose (Consul sets it from the request after cache.Get), not the fetch's `stale`.
  if (v.headers['x-consul-effective-consistency'] !== undefined) r.header('X-Consul-Effective-Consistency', consistency);
  return r.code(200).serializer((p: unknown) => p as string).send(Buffer.from(v.body));
}

/** The server's headers (X-Consul-Index, KnownLeader, LastContact): cluster/http-hooks.ts leaves them as they are. */
function sendAnswerHeaders(reply: FastifyReply, v: CachedResponse): FastifyReply {
  forwardedReplies.add(reply);
  for (const [k, val] of Object.entries(v.headers)) reply.header(k, val);
  return reply;
}
