import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { sendJson } from '../respond.js';

/** /v1/status/*: the Raft leader's and voters' addresses (advertise address, server RPC port). */
export async function statusRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/status/leader', {
    GET: async (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, await ctx.cluster.leaderAddr());
    },
  });
  endpoint(app, '/v1/status/peers', {
    GET: async (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, await ctx.cluster.peerAddrs());
    },
  });
}
