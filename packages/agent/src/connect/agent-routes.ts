/**
 * The agent's Connect endpoints (Consul's agent/agent_endpoint.go AgentConnectCARoots and
 * AgentConnectCALeafCert): the roots as the cluster has them (through the leader, blocking
 * queries passed on), and a service's leaf certificate from this agent's LeafCerts. ACLs
 * (acl/permissions.ts): roots need none, a leaf service:write on the service.
 */
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';
import { endpoint } from '../http/endpoint.js';
import { parseQueryOptions, requestToken } from '../http/query-options.js';
import { sendJson, setQueryMeta } from '../http/respond.js';
import { LeafCerts } from './leaf-certs.js';

const FORWARD_MARGIN_MS = 30_000;
const HOP = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive', 'date']);

export async function agentConnectRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const leaves = new LeafCerts(ctx);
  const token = (req: Parameters<typeof requestToken>[0]): string => requestToken(req) || ctx.config.acl.tokens.default;

  endpoint(app, '/v1/agent/connect/ca/roots', {
    GET: async (req, reply) => {
      const opts = parseQueryOptions(req, ctx.config.datacenter, ctx.config.queryTimes);
      const q = req.url.indexOf('?');
      const url = `/v1/connect/ca/roots${q < 0 ? '' : req.url.slice(q)}`;
      const t = token(req);
      const res = await ctx.cluster.forward({ method: 'GET', url, headers: t ? { 'x-consul-token': t } : {} }, FORWARD_MARGIN_MS + (opts.index > 0 ? opts.waitMs * 1.1 : 0));
      for (const [k, v] of Object.entries(res.headers)) if (!HOP.has(k)) reply.header(k, v);
      // The agent cache's meta (setCacheMeta): this agent keeps no copy of the roots.
      if (res.status === 200) reply.header('X-Cache', 'MISS');
      return reply.code(res.status).serializer((p: unknown) => p as string).send(Buffer.from(res.body));
    },
  });

  endpoint(app, '/v1/agent/connect/ca/leaf/*', {
    GET: async (req, reply) => {
      const service = (req.params as Record<string, string>)['*'] ?? '';
      const opts = parseQueryOptions(req, ctx.config.datacenter, ctx.config.queryTimes);
      const cert = await leaves.get(service, token(req), opts.index, opts.index > 0 ? opts.waitMs : 0);
      setQueryMeta(reply, cert.ModifyIndex);
      reply.header('X-Cache', 'MISS');
      return sendJson(req, reply, cert);
    },
  });
}
