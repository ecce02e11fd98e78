// /v1/operator/raft/configuration: the Raft configuration of the single server.
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { sendJson } from '../respond.js';

export async function operatorRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/operator/raft/configuration', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      const address = `${ctx.advertiseAddr}:${ctx.config.ports.server}`;
      return sendJson(req, reply, {
        Servers: [{ ID: ctx.nodeId, Node: ctx.config.nodeName, Address: address, Leader: true, ProtocolVersion: '3', Voter: true }],
        Index: ctx.applier.lastIndex,
      });
    },
  });
}
