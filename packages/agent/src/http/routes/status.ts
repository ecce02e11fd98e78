import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { sendJson } from '../respond.js';

/** /v1/status/*: the Raft addresses (server RPC port on the bind address). One server today. */
export async function statusRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const raftAddr = (): string => `${ctx.advertiseAddr}:${ctx.config.ports.server}`;
  endpoint(app, '/v1/status/leader', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, raftAddr());
    },
  });
  endpoint(app, '/v1/status/peers', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, [raftAddr()]);
    },
  });
}
