// /v1/query: prepared queries (Consul's agent/prepared_query_endpoint.go). Create, list, read,
// update, delete go through the state machine; execute and explain resolve a name or ID (a
// template rendered for the name) and run it here. Consul answers a query's validation
// errors with 500 (they come back as RPC errors); they are the client's mistakes, so they are
// 400 here with Consul's text, and a missing query for update/delete is 404.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emptyPreparedQuery, parseGoDuration, preparedQueryError, PreparedQueryResolveError, QUERY_NOT_FOUND, type PreparedQuery } from '@proconsul/catalog';
import { AclNotFoundError } from '../../acl/resolver.js';
import type { AgentContext } from '../../context.js';
import { AGENT_NODE_HEADER, EXECUTE_REMOTE_PATH, SOURCE_IP_HEADER, executorFor, type ExecuteResponse, type QueryAgent } from '../../prepared-query/index.js';
import { decodeBodyAs, type StructSchema } from '../decode-struct.js';
import { decodeJson } from '../decode.js';
import { endpoint } from '../endpoint.js';
import { HttpError, badRequest, notFound } from '../http-error.js';
import { checkDatacenter, has, parseGoBool, parseQueryOptions, qs, requestToken, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { sendEmpty, sendJson, setQueryMeta } from '../respond.js';


const target: StructSchema = {
  name: 'structs.QueryFailoverTarget',
  fields: { Peer: 'string', PeerName: 'string', Datacenter: 'string', Partition: 'string', Namespace: 'string' },
};

/** structs.PreparedQuery as a request body; CreateIndex/ModifyIndex/RaftIndex of a read-back query are accepted and ignored. */
export const preparedQuerySchema: StructSchema = {
  name: 'structs.PreparedQuery',
  fields: {
    ID: 'string',
    Name: 'string',
    Session: 'string',
    Token: 'string',
    Template: { name: 'structs.QueryTemplateOptions', fields: { Type: 'string', Regexp: 'string', RemoveEmptyTags: 'bool' } },
    Service: {
      name: 'structs.ServiceQuery',
      fields: {
        Service: 'string',
        SamenessGroup: 'string',
        Namespace: 'string',
        Partition: 'string',
        Failover: { name: 'structs.QueryFailoverOptions', fields: { NearestN: 'int', Datacenters: 'strings', Targets: { arrayOf: target } } },
        OnlyPassing: 'bool',
        IgnoreCheckIDs: 'strings',
        Near: 'string',
        Tags: 'strings',
        NodeMeta: 'stringMap',
        ServiceMeta: 'stringMap',
        Connect: 'bool',
        Peer: 'string',
      },
    },
    DNS: { name: 'structs.QueryDNSOptions', fields: { TTL: 'string' } },
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
    RaftIndex: 'any',
  },
};

type Obj = Record<string, unknown>;

/** A decoded body as a full query, every missing field at Go's zero value. */
export function toPreparedQuery(body: Obj): PreparedQuery {
  const q = emptyPreparedQuery();
  const tpl = (body.Template ?? {}) as Obj;
  const svc = (body.Service ?? {}) as Obj;
  const fo = (svc.Failover ?? {}) as Obj;
  const dns = (body.DNS ?? {}) as Obj;
  const targets = fo.Targets as Obj[] | undefined;
  return {
    ...q,
    ID: (body.ID as string) ?? '',
    Name: (body.Name as string) ?? '',
    Session: (body.Session as string) ?? '',
    Token: (body.Token as string) ?? '',
    Template: { Type: (tpl.Type as string) ?? '', Regexp: (tpl.Regexp as string) ?? '', RemoveEmptyTags: (tpl.RemoveEmptyTags as boolean) ?? false },
    Service: {
      ...q.Service,
      Service: (svc.Service as string) ?? '',
      SamenessGroup: (svc.SamenessGroup as string) ?? '',
      Failover: {
        NearestN: (fo.NearestN as number) ?? 0,
        Datacenters: (fo.Datacenters as string[]) ?? null,
        Targets: targets ? targets.map((t) => ({ Peer: ((t.Peer ?? t.PeerName) as string) ?? '', Datacenter: (t.Datacenter as string) ?? '' })) : null,
      },
      OnlyPassing: (svc.OnlyPassing as boolean) ?? false,
      IgnoreCheckIDs: (svc.IgnoreCheckIDs as string[]) ?? null,
      Near: (svc.Near as string) ?? '',
      Tags: (svc.Tags as string[]) ?? null,
      NodeMeta: (svc.NodeMeta as Record<string, string>) ?? null,
      ServiceMeta: (svc.ServiceMeta as Record<string, string>) ?? null,
      Connect: (svc.Connect as boolean) ?? false,
      Peer: (svc.Peer as string) ?? '',
    },
    DNS: { TTL: (dns.TTL as string) ?? '' },
  };
}

/** Consul's parseQuery with Go's exact duration messages; 400 `Invalid prepared query: ...`. */
function validate(q: PreparedQuery): void {
  if (q.DNS.TTL !== '') {
    try {
      parseGoDuration(q.DNS.TTL);
    } catch (err) {
      throw badRequest(`Invalid prepared query: Bad DNS TTL '${q.DNS.TTL}': ${(err as Error).message}`);
    }
  }
  const why = preparedQueryError(q);
  if (why) throw badRequest(`Invalid prepared query: ${why}`);
}

async function apply(ctx: AgentContext, op: 'create' | 'update' | 'delete', query: PreparedQuery): Promise<number> {
  const started = ctx.metrics.clock();
  const r = await ctx.applier.applyIndexed({ Type: 'PreparedQuery', Op: op, Query: query });
  ctx.metrics.measureSince(['prepared-query', 'apply'], started);
  if (!r.result.ok) {
    const msg = r.result.error ?? 'apply failed';
    throw new HttpError(msg.startsWith('Cannot modify non-existent') ? 404 : 400, msg);
  }
  return r.index;
}

/** `/v1/query/<rest>`: the ID or name and what is asked of it. */
function pathTarget(req: FastifyRequest): { id: string; action: 'execute' | 'explain' | '' } {
  const rest = (req.params as { '*': string })['*'];
  for (const action of ['execute', 'explain'] as const) {
    if (rest.endsWith(`/${action}`)) return { id: rest.slice(0, -action.length - 1), action };
  }
  return { id: rest, action: '' };
}

/** X-Forwarded-For's first address, else the peer's (Consul's sourceAddrFromRequest). */
function sourceIp(req: FastifyRequest): string {
  const xff = req.headers['x-forwarded-for'];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress?.replace(/^::ffff:/, '') || '';
}

/** QueryMeta, embedded in Consul's execute and explain replies. */
function queryMeta(req: FastifyRequest, filtered: boolean): Obj {
  const q = req.query as Query;
  return {
    Index: 0,
    LastContact: 0,
    KnownLeader: true,
    ConsistencyLevel: has(q, 'consistent') ? 'consistent' : has(q, 'stale') ? 'stale' : 'leader',
    NotModified: false,
    Backend: 0,
    ResultsFilteredByACLs: filtered,
  };
}

/** The catalog's resolution errors are the client's (400); an unknown ACL secret is 403; anything else stays a 500. */
function resolutionError(err: unknown): unknown {
  if (err instanceof AclNotFoundError) return new HttpError(403, err.message);
  if (err instanceof PreparedQueryResolveError) return badRequest(err.message);
  return err;
}

/** Runs `fn` (sync or async), its errors mapped by resolutionError. */
function resolving<T>(fn: () => T): T {
  let out: T;
  try {
    out = fn();
  } catch (err) {
    throw resolutionError(err);
  }
  return (out instanceof Promise ? out.catch((err: unknown) => Promise.reject(resolutionError(err))) : out) as T;
}

export async function queryRoutes(app: FastifyInstance, { ctx, forwardedOnly }: { ctx: AgentContext; forwardedOnly: boolean }): Promise<void> {
  const dc = ctx.config.datacenter;
  const executor = executorFor(ctx);

  // The agent that took the request, and its client, travel with a request it forwards; only
  // the app behind agent RPC trusts them.
  app.addHook('onRequest', async (req) => {
    if (forwardedOnly && req.headers[AGENT_NODE_HEADER]) return;
    req.headers[AGENT_NODE_HEADER] = ctx.config.nodeName;
    req.headers[SOURCE_IP_HEADER] = sourceIp(req);
  });
  const askingAgent = (req: FastifyRequest): QueryAgent => ({ node: String(req.headers[AGENT_NODE_HEADER] ?? ctx.config.nodeName), datacenter: dc });

  endpoint(app, '/v1/query', {
    GET: (req, reply) => catalogRead(ctx, req, reply, () => ctx.catalog.preparedQueryList()),
    POST: async (req, reply) => {
      checkDatacenter(req.query as Query, dc);
      const query = toPreparedQuery(decodeBodyAs(decodeJson(req.body), preparedQuerySchema));
      if (query.ID !== '') throw badRequest('ID must be empty when creating a new prepared query');
      validate(query);
      query.ID = randomUUID();
      const index = await apply(ctx, 'create', query);
      setQueryMeta(reply, index);
      return sendJson(req, reply, { ID: query.ID });
    },
  });

  // execute and explain are GET only (405 with the Allow header, as Consul's router).
  const readOnly = (req: FastifyRequest, reply: FastifyReply): void => {
    if (pathTarget(req).action === '') return;
    reply.header('Allow', 'OPTIONS,GET');
    throw new HttpError(405, `method ${req.method} not allowed`);
  };

  endpoint(app, '/v1/query/*', {
    GET: async (req, reply) => {
      const { id, action } = pathTarget(req);
      if (action === 'execute') return execute(req, reply, id);
      if (action === 'explain') return explain(req, reply, id);
      return catalogRead(ctx, req, reply, () => ctx.catalog.preparedQueryGet(id), (r, rep, send) => {
        if (r.value === null) return rep.code(404).header('content-type', 'text/plain; charset=utf-8').send(QUERY_NOT_FOUND);
        return send([r.value]);
      });
    },
    PUT: async (req, reply) => {
      readOnly(req, reply);
      checkDatacenter(req.query as Query, dc);
      const raw = decodeJson(req.body, { optional: true });
      const query = toPreparedQuery(raw === undefined ? {} : decodeBodyAs(raw, preparedQuerySchema));
      // The ID is the URL's, never the body's.
      query.ID = pathTarget(req).id;
      if (!ctx.catalog.preparedQueries.get(query.ID)) throw notFound(`Cannot modify non-existent prepared query: '${query.ID}'`);
      validate(query);
      setQueryMeta(reply, await apply(ctx, 'update', query));
      return sendEmpty(reply);
    },
    DELETE: async (req, reply) => {
      readOnly(req, reply);
      checkDatacenter(req.query as Query, dc);
      const id = pathTarget(req).id;
      if (!ctx.catalog.preparedQueries.get(id)) throw notFound(`Cannot modify non-existent prepared query: '${id}'`);
      setQueryMeta(reply, await apply(ctx, 'delete', { ...emptyPreparedQuery(), ID: id }));
      return sendEmpty(reply);
    },
  });

  async function execute(req: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply> {
    parseQueryOptions(req, dc);
    const q = req.query as Query;
    const limitText = qs(q, 'limit') ?? '';
    let limit = 0;
    if (limitText !== '') {
      if (!/^[+-]?\d+$/.test(limitText)) throw badRequest(`Bad limit: strconv.Atoi: parsing ${JSON.stringify(limitText)}: invalid syntax`);
      limit = Number(limitText);
    }
    let connect = false;
    const connectText = qs(q, 'connect') ?? '';
    if (connectText !== '') {
      const v = parseGoBool(connectText);
      if (v === undefined) throw badRequest(`Error parsing 'connect' value: strconv.ParseBool: parsing ${JSON.stringify(connectText)}: invalid syntax`);
      connect = v;
    }
    const near = qs(q, 'near') ?? '';
    const started = ctx.metrics.clock();
    const result = await resolving(() =>
      executor.execute(id, {
        limit,
        connect,
        token: requestToken(req),
        agent: askingAgent(req),
        near,
        sourceIp: String(req.headers[SOURCE_IP_HEADER] ?? sourceIp(req)),
      }),
    );
    ctx.metrics.measureSince(['prepared-query', 'execute'], started);
    setQueryMeta(reply, ctx.catalog.preparedQueries.index);
    if (!result) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(QUERY_NOT_FOUND);
    if (result.filtered) reply.header('X-Consul-Results-Filtered-By-ACLs', 'true');
    return sendJson(req, reply, { ...result.response, ...queryMeta(req, result.filtered) } satisfies ExecuteResponse & Obj);
  }

  function explain(req: FastifyRequest, reply: FastifyReply, id: string): FastifyReply {
    parseQueryOptions(req, dc);
    const started = ctx.metrics.clock();
    const query = resolving(() => executor.resolve(id, askingAgent(req)));
    ctx.metrics.measureSince(['prepared-query', 'explain'], started);
    setQueryMeta(reply, ctx.catalog.preparedQueries.index);
    if (!query) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(QUERY_NOT_FOUND);
    return sendJson(req, reply, { Query: query, ...queryMeta(req, false) });
  }

  // ExecuteRemote: another datacenter's failover sends its query here (not a Consul HTTP
  // endpoint; Consul does this over RPC). Results are filtered by the query's token or the caller's.
  endpoint(app, EXECUTE_REMOTE_PATH, {
    POST: (req, reply) => {
      const body = decodeJson(req.body) as Obj;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Request decode failed: expected an object');
      const query = toPreparedQuery(decodeBodyAs(body.Query ?? {}, preparedQuerySchema));
      const limit = typeof body.Limit === 'number' && Number.isInteger(body.Limit) ? body.Limit : 0;
      const started = ctx.metrics.clock();
      const result = resolving(() => executor.executeRemote(query, { limit, connect: body.Connect === true, token: requestToken(req) }));
      ctx.metrics.measureSince(['prepared-query', 'execute_remote'], started);
      setQueryMeta(reply, ctx.catalog.lastIndex);
      if (result.filtered) reply.header('X-Consul-Results-Filtered-By-ACLs', 'true');
      return sendJson(req, reply, result.response);
    },
  });
}
