// /v1/operator/raft/configuration: the Raft configuration of the single server.
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, qs, type Query } from '../query-options.js';
import { sendJson } from '../respond.js';
import { CONSUL_VERSION } from '../../version.js';

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

  // A single server: removing a peer can only name this one, which Raft would refuse to leave
  // without a leader; any other peer is not in the configuration.
  endpoint(app, '/v1/operator/raft/peer', {
    DELETE: (req, reply) => {
      const query = req.query as Query;
      checkDatacenter(query, ctx.config.datacenter);
      const id = qs(query, 'id') ?? '';
      const address = qs(query, 'address') ?? '';
      if (!id && !address) throw badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
      if (id && address) throw badRequest('Must specify only one of ?id or ?address');
      const self = `${ctx.advertiseAddr}:${ctx.config.ports.server}`;
      if (id === ctx.nodeId || address === self) {
        throw new HttpError(500, 'cannot remove the only voter: the cluster would have no leader');
      }
      throw new HttpError(500, id ? `id "${id}" was not found in the Raft configuration` : `address "${address}" was not found in the Raft configuration`);
    },
  });

  // Autopilot's view of server health (consul operator raft list-peers reads it).
  endpoint(app, '/v1/operator/autopilot/health', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, {
        Healthy: true,
        FailureTolerance: 0,
        Servers: [
          {
            ID: ctx.nodeId,
            Name: ctx.config.nodeName,
            Address: `${ctx.advertiseAddr}:${ctx.config.ports.server}`,
            SerfStatus: 'alive',
            Version: CONSUL_VERSION,
            Leader: true,
            LastContact: '0s',
            LastTerm: 1,
            LastIndex: ctx.applier.lastIndex,
            Healthy: true,
            Voter: true,
            StableSince: ctx.startedAt.toISOString(),
          },
        ],
      });
    },
  });
}
