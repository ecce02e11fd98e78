import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { sendJson } from '../respond.js';

/** /v1/status/*: the Raft leader's and voters' addresses (advertise address, server RPC port). */
export async function statusRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const leaderAddr = (): string => {
    const s = ctx.cluster.leaderServer();
    return s ? `${s.addr}:${s.port}` : '';
  };
  endpoint(app, '/v1/status/leader', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, leaderAddr());
    },
  });
  endpoint(app, '/v1/status/peers', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, ctx.cluster.peerAddrs());
    },
  });
}
