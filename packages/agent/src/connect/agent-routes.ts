/**
 * The agent's Connect endpoints (Consul's agent/agent_endpoint.go AgentConnectCARoots and
 * AgentConnectCALeafCert): the roots always from the agent cache (the connect-ca-root entry,
 * kept fresh by a blocking query to the leader; `?index` waits on it), and a service's leaf
 * certificate from this agent's LeafCerts; both answer with the cache's X-Cache and Age
 * (setCacheMeta). ACLs (acl/permissions.ts): roots need none, a leaf service:write on the service.
 */
import type { FastifyInstance } from 'fastify';
import { parseCacheControl } from '../cache/cache-control.js';
import { setCacheMeta } from '../cache/cache-meta.js';
import type { AgentContext } from '../context.js';
import { endpoint } from '../http/endpoint.js';
import { refuseEnterpriseMeta } from '../http/enterprise-meta.js';
import { parseQueryOptions, requestToken } from '../http/query-options.js';
import { sendJson, setQueryMeta } from '../http/respond.js';
import { CA_ROOTS_PATH, LeafCerts } from './leaf-certs.js';

export async function agentConnectRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const leaves = new LeafCerts(ctx, app);
  const token = (req: Parameters<typeof requestToken>[0]): string => requestToken(req) || ctx.config.acl.tokens.default;

  endpoint(app, '/v1/agent/connect/ca/roots', {
    GET: async (req, reply) => {
      // Loaded on the first read: a client agent that never asks keeps the cache out of memory.
      const { answerFromCache } = await import('../cache/http-cache.js');
      return answerFromCache(app, ctx, req, reply, CA_ROOTS_PATH, 'connect-ca-root', parseCacheControl(req.headers['cache-control']));
    },
  });

  endpoint(app, '/v1/agent/connect/ca/leaf/*', {
    GET: async (req, reply) => {
      refuseEnterpriseMeta(req); // agent_endpoint.go AgentConnectCALeafCert: before the query options
      const service = (req.params as Record<string, string>)['*'] ?? '';
      const opts = parseQueryOptions(req, ctx.config.datacenter, ctx.config.queryTimes);
      const got = await leaves.get(service, token(req), opts.index, opts.index > 0 ? opts.waitMs : 0);
      setQueryMeta(reply, got.cert.ModifyIndex);
      setCacheMeta(reply, got.hit, got.ageMs);
      return sendJson(req, reply, got.cert);
    },
  });
}
