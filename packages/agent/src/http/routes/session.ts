// /v1/session/*: create (defaults filled by the agent, the ID chosen here as the leader does),
// destroy, renew (restarts the leader's TTL timer), info, node, list.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_LOCK_DELAY_NS, formatGoDuration, parseGoDuration, sessionTTLError, type SessionCreateInput } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { decodeBodyAs } from '../decode-struct.js';
import { decodeJson } from '../decode.js';
import { endpoint } from '../endpoint.js';
import { badRequest, notFound } from '../http-error.js';
import { refuseEnterpriseMeta, rewordUnknownEnterpriseField } from '../enterprise-meta.js';
import { checkDatacenter, parseWaitAndConsistency, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { sendJson, setQueryMeta } from '../respond.js';
import { sessionSchema } from '../schemas.js';
import { applyOrFail } from './catalog.js';

const SESSION_TTL_MAX_MS = 24 * 3_600_000;

/** LockDelay as Consul reads it: a duration string or a number; below 1000 (ns) means seconds. */
function lockDelayNs(v: unknown): number {
  if (v === undefined) return DEFAULT_LOCK_DELAY_NS;
  let ns: number;
  if (typeof v === 'number') ns = v;
  else if (typeof v === 'string') {
    try {
      ns = parseGoDuration(v) * 1e6;
    } catch (err) {
      throw badRequest(`Request decode failed: ${(err as Error).message}`);
    }
  } else throw badRequest('Request decode failed: json: cannot unmarshal into Go struct field Session.LockDelay of type time.Duration');
  if (!Number.isFinite(ns) || ns < 0) throw badRequest('Request decode failed: invalid LockDelay');
  return ns < 1000 ? ns * 1e9 : Math.round(ns);
}

export async function sessionRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const dc = ctx.config.datacenter;

  endpoint(app, '/v1/session/create', {
    PUT: async (req, reply) => {
      // session_endpoint.go SessionCreate: the namespace first, then the body (a "Namespace" in
      // it is an Enterprise field, http_ce.go); an unknown datacenter is the RPC's error.
      refuseEnterpriseMeta(req);
      checkDatacenter(req.query as Query, dc);
      const raw = decodeJson(req.body, { optional: true });
      const body = raw === undefined ? {} : decodeBodyAs(raw, sessionSchema, rewordUnknownEnterpriseField);
      const ttl = (body.TTL as string | undefined) ?? '';
      if (ttl !== '') {
        // Consul's texts (Session.Apply); a 400 here, where Consul's RPC error is a 500.
        const invalid = sessionTTLError(ttl);
        if (invalid) throw badRequest(invalid);
        const ms = parseGoDuration(ttl);
        if (ms !== 0 && (ms < ctx.config.sessionTtlMinMs || ms > SESSION_TTL_MAX_MS)) {
          // Go's %d of a time.Duration: nanoseconds.
          throw badRequest(`Invalid Session TTL '${Math.round(ms * 1e6)}', must be between [${formatGoDuration(ctx.config.sessionTtlMinMs)}=${formatGoDuration(SESSION_TTL_MAX_MS)}]`);
        }
      }
      // Checks present at all (even []) replaces the serfHealth default.
      const hasChecks = 'Checks' in body || 'NodeChecks' in body;
      const nodeChecks = [...((body.Checks as string[] | undefined) ?? []), ...((body.NodeChecks as string[] | undefined) ?? [])];
      const session: SessionCreateInput = {
        ID: randomUUID(),
        Name: (body.Name as string | undefined) ?? '',
        Node: (body.Node as string | undefined) || ctx.config.nodeName,
        LockDelay: lockDelayNs(body.LockDelay),
        Behavior: ((body.Behavior as string | undefined) || 'release') as SessionCreateInput['Behavior'],
        TTL: ttl,
        NodeChecks: hasChecks ? nodeChecks : ['serfHealth'],
        ServiceChecks: (body.ServiceChecks as SessionCreateInput['ServiceChecks']) ?? null,
      };
      const { result, index } = await applyOrFail(ctx, { Type: 'SessionCreate', Session: session, Now: ctx.now() });
      const id = result.id ?? session.ID;
      ctx.leader.touchSession(id, ttl);
      setQueryMeta(reply, index);
      return sendJson(req, reply, { ID: id });
    },
  });

  endpoint(app, '/v1/session/destroy/*', {
    PUT: async (req, reply) => {
      refuseEnterpriseMeta(req); // SessionDestroy: before the missing ID
      checkDatacenter(req.query as Query, dc);
      const id = (req.params as { '*': string })['*'];
      if (!id) throw badRequest('Missing session');
      const { index } = await applyOrFail(ctx, { Type: 'SessionDestroy', ID: id, Now: ctx.now() });
      ctx.leader.sessions.remove(id);
      setQueryMeta(reply, index);
      return sendJson(req, reply, true);
    },
  });

  endpoint(app, '/v1/session/renew/*', {
    PUT: (req, reply) => {
      // SessionRenew, SessionGet, SessionsForNode, SessionList: the query options (s.parse), then
      // the namespace, then the missing ID.
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refuseEnterpriseMeta(req);
      checkDatacenter(req.query as Query, dc);
      const id = (req.params as { '*': string })['*'];
      if (!id) throw badRequest('Missing session');
      const s = ctx.catalog.getSession(id);
      if (!s) throw notFound(`Session id '${id}' not found`);
      ctx.leader.touchSession(id, s.TTL);
      setQueryMeta(reply, ctx.catalog.sessionInfo(id).index);
      return sendJson(req, reply, [s]);
    },
  });

  endpoint(app, '/v1/session/info/*', {
    GET: (req, reply) => {
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refuseEnterpriseMeta(req);
      const id = (req.params as { '*': string })['*'];
      if (!id) throw badRequest('Missing session');
      return catalogRead(ctx, req, reply, () => ctx.catalog.sessionInfo(id));
    },
  });

  endpoint(app, '/v1/session/node/*', {
    GET: (req, reply) => {
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refuseEnterpriseMeta(req);
      const node = (req.params as { '*': string })['*'];
      if (!node) throw badRequest('Missing node name');
      return catalogRead(ctx, req, reply, () => ctx.catalog.sessionsForNode(node));
    },
  });

  endpoint(app, '/v1/session/list', {
    GET: (req, reply) => {
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refuseEnterpriseMeta(req);
      return catalogRead(ctx, req, reply, () => ctx.catalog.sessionList());
    },
  });

}
