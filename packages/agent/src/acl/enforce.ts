/**
 * ACL enforcement at one place in the HTTP layer: a preHandler resolves the request's token
 * and runs the route's check (permissions.ts); an onSend hook filters list responses and
 * marks them `X-Consul-Results-Filtered-By-ACLs: true`. The /v1/acl/* routes check for
 * themselves (routes.ts) with the identity resolved here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authorizer } from './authorizer.js';
import type { AgentContext } from '../context.js';
import { HttpError } from '../http/http-error.js';
import { requestToken } from '../http/query-options.js';
import { encodeJson, sendJson } from '../http/respond.js';
import { ROUTE_ACLS, UNLISTED_ROUTE, type Denial, type RouteAcl } from './permissions.js';
import { AclNotFoundError, type Identity, type IdentityResolver } from './resolver.js';

const identities = new WeakMap<FastifyRequest, Identity>();
const routes = new WeakMap<FastifyRequest, RouteAcl>();

/** Consul's text (acl/errors.go PermissionDeniedByACL). */
export function permissionDenied(identity: Identity, d: Denial): HttpError {
  const on = d.name !== undefined ? ` on ${JSON.stringify(d.name)}` : '';
  return new HttpError(403, `Permission denied: token with AccessorID '${identity.accessorId}' lacks permission '${d.resource}:${d.need}'${on}`);
}

/** The identity of a request (resolving it on first use); 403 "ACL not found" for an unknown secret. */
export async function requestIdentity(req: FastifyRequest, resolver: IdentityResolver): Promise<Identity> {
  let id = identities.get(req);
  if (!id) {
    try {
      id = await resolver.resolve(requestToken(req));
    } catch (err) {
      if (err instanceof AclNotFoundError) throw new HttpError(403, err.message);
      throw err;
    }
    identities.set(req, id);
  }
  return id;
}

const BIG_FLAGS = /("Flags"\s*:\s*)(\d{16,})/g;
const HAS_BIG_FLAGS = /"Flags"\s*:\s*\d{16,}/;
const BIG_MARK = '\u0000big:';

/** JSON.parse keeping KV Flags above 2^53 exact (as bigints, which encodeJson writes back). */
function parseKeepingBig(text: string): unknown {
  // The reviver costs on every value: only pay for it when a big Flags value is there.
  if (!HAS_BIG_FLAGS.test(text)) return JSON.parse(text);
  return JSON.parse(text.replace(BIG_FLAGS, `$1"${BIG_MARK}$2"`), (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith(BIG_MARK) ? BigInt(v.slice(BIG_MARK.length)) : v,
  );
}

/** Filtered answers by URL (bounded in entries and in the size of an answer kept). */
const FILTER_MEMO_MAX = 1024;
const FILTER_MEMO_BYTES = 64 * 1024;
const filterMemo = new Map<string, { authz: Authorizer; payload: string; out: Rewrite }>();

/** `filtered` is the list without what the token may not see, null when nothing was dropped. */
/** A filtered answer's new body; `filtered` when entries were left out (not only redacted). */
type Rewrite = { body: string; filtered: boolean } | null;

function sendFiltered(reply: FastifyReply, payload: string, rewrite: Rewrite): string {
  if (rewrite === null) return payload;
  if (rewrite.filtered) reply.header('X-Consul-Results-Filtered-By-ACLs', 'true');
  return rewrite.body;
}

/** Whether this request's answer is filtered by its token (it must reach onSend as JSON text). */
export function filteredByAcl(req: FastifyRequest): boolean {
  return routes.has(req);
}

/** Installs the hooks with the agent's resolver (a server's state store, or a client's servers). */
export function installAclEnforcement(app: FastifyInstance, ctx: AgentContext): IdentityResolver {
  const resolver = ctx.aclResolver;
  if (!resolver.enabled) return resolver;
  app.addHook('preHandler', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined || !url.startsWith('/v1/') || req.method === 'OPTIONS') return;
    if (url.startsWith('/v1/acl/')) return; // the ACL routes resolve and check for themselves
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const rule = ROUTE_ACLS[`${method} ${url}`] ?? UNLISTED_ROUTE;
    // Routes without ACLs (status, datacenters) never look at the token, as in Consul.
    if (!rule.check && !rule.filter && !rule.txn) return;
    const identity = await requestIdentity(req, resolver);
    const denial = rule.check?.(identity.authz, req, ctx);
    if (denial) throw permissionDenied(identity, denial);
    const txn = rule.txn?.(identity.authz, req) ?? [];
    if (txn.length > 0) {
      // Consul rolls the whole transaction back and names each denied op.
      const errors = txn.map((t) => ({ OpIndex: t.opIndex, What: permissionDenied(identity, t.denial).message }));
      reply.code(409);
      return sendJson(req, reply, { Results: null, Errors: errors });
    }
    if (rule.filter && !identity.authz.isManagement) routes.set(req, rule);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const rule = routes.get(req);
    if (!rule?.filter || reply.statusCode !== 200 || typeof payload !== 'string' || payload === '') return payload;
    const identity = identities.get(req)!;
    // Hot reads repeat: the same answer to the same URL for the same authorizer is filtered once.
    const key = `${req.method} ${req.url}`;
    const memo = filterMemo.get(key);
    if (memo && memo.authz === identity.authz && memo.payload === payload) return sendFiltered(reply, payload, memo.out);
    let value: unknown;
    try {
      value = parseKeepingBig(payload);
    } catch {
      return payload; // not JSON: nothing to filter
    }
    const out = rule.filter(value, identity.authz, req, ctx);
    if (!('value' in out)) {
      const err = permissionDenied(identity, out);
      reply.code(403).header('content-type', 'text/plain; charset=utf-8');
      reply.removeHeader('X-Consul-Index');
      return err.message;
    }
    const rewrite: Rewrite =
      out.filtered || out.changed ? { body: encodeJson(out.value, (req.query as Record<string, unknown>).pretty !== undefined), filtered: out.filtered } : null;
    if (payload.length <= FILTER_MEMO_BYTES) {
      if (filterMemo.size >= FILTER_MEMO_MAX) filterMemo.clear();
      filterMemo.set(key, { authz: identity.authz, payload, out: rewrite });
    }
    return sendFiltered(reply, payload, rewrite);
  });
  return resolver;
}
