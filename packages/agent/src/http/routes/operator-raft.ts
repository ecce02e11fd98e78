// /v1/operator/raft/* and /v1/operator/autopilot/health: the Raft configuration as the leader
// sees it (forwarded there unless ?stale), removing a peer, moving leadership, and autopilot's
// view of each server's health (alive in gossip, log caught up with the leader's).
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import type { RaftServerView, ServerCluster } from '../../cluster/server-cluster.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, qs, type Query } from '../query-options.js';
import { sendJson } from '../respond.js';
import { autopilotConfig } from './operator-autopilot.js';
import { CONSUL_VERSION } from '../../version.js';


export async function operatorRaftRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  /** Requests reach this handler on a server (clients forward them). */
  const server = (): ServerCluster => {
    if (!ctx.cluster.server) throw new HttpError(500, 'No known Consul servers');
    return ctx.cluster as ServerCluster;
  };
  const servers = (): RaftServerView[] => {
    const list = server().raftServers();
    if (list.length === 0) throw new HttpError(500, 'No cluster leader');
    return list;
  };

  endpoint(app, '/v1/operator/raft/configuration', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      return sendJson(req, reply, {
        Servers: servers().map((s) => ({ ID: s.id, Node: s.name || '(unknown)', Address: s.address, Leader: s.leader, ProtocolVersion: '3', Voter: s.voter })),
        Index: ctx.applier.lastIndex,
      });
    },
  });

  endpoint(app, '/v1/operator/raft/peer', {
    DELETE: async (req, reply) => {
      const query = req.query as Query;
      checkDatacenter(query, ctx.config.datacenter);
      const id = qs(query, 'id') ?? '';
      const address = qs(query, 'address') ?? '';
      if (!id && !address) throw badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
      if (id && address) throw badRequest('Must specify only one of ?id or ?address');
      const peer = servers().find((s) => (id ? s.id === id : s.address === address));
      if (!peer) throw new HttpError(500, id ? `id "${id}" was not found in the Raft configuration` : `address "${address}" was not found in the Raft configuration`);
      const node = server().node();
      if (!node?.isLeader()) throw new HttpError(500, 'No cluster leader');
      if (peer.leader && servers().filter((s) => s.voter).length === 1) throw new HttpError(500, 'cannot remove the only voter: the cluster would have no leader');
      await node.changeMembership({ type: 'remove', id: peer.id });
      ctx.log.raft.info({ id: peer.id, address: peer.address }, 'removed peer from the Raft configuration');
      return reply.send();
    },
  });

  endpoint(app, '/v1/operator/raft/transfer-leader', {
    POST: async (req, reply) => {
      const query = req.query as Query;
      checkDatacenter(query, ctx.config.datacenter);
      const id = qs(query, 'id') ?? '';
      const list = servers();
      const node = server().node();
      if (!node?.isLeader()) throw new HttpError(500, 'No cluster leader');
      const target = id ? list.find((s) => s.id === id) : list.find((s) => s.voter && !s.leader);
      if (!target) throw new HttpError(500, id ? `id "${id}" was not found in the Raft configuration` : 'cannot find a voter to transfer leadership to');
      if (target.leader) throw new HttpError(500, 'cannot transfer leadership to itself');
      if (!target.voter) throw new HttpError(500, `cannot transfer leadership to non-voter ${target.id}`);
      const ok = await node.transferLeadership(target.id);
      if (!ok) throw new HttpError(500, `leadership transfer to ${target.id} was refused`);
      ctx.log.raft.info({ to: target.id }, 'leadership transfer started');
      return sendJson(req, reply, { Success: true });
    },
  });

  endpoint(app, '/v1/operator/autopilot/health', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      const st = server().node()?.status();
      const list = servers();
      const health = list.map((s) => {
        const behind = s.matchIndex === undefined ? 0 : Math.max(0, (st?.lastIndex ?? 0) - s.matchIndex);
        const healthy = s.serfStatus === 'alive' && behind <= autopilotConfig(ctx).MaxTrailingLogs;
        return {
          ID: s.id,
          Name: s.name,
          Address: s.address,
          SerfStatus: s.serfStatus,
          Version: CONSUL_VERSION,
          Leader: s.leader,
          LastContact: s.leader ? '0s' : healthy ? '0s' : '',
          LastTerm: st?.term ?? 0,
          LastIndex: s.matchIndex ?? st?.lastIndex ?? 0,
          Healthy: healthy,
          Voter: s.voter,
          StableSince: ctx.startedAt.toISOString(),
        };
      });
      const voters = health.filter((h) => h.Voter);
      const quorum = Math.floor(voters.length / 2) + 1;
      const healthyVoters = voters.filter((h) => h.Healthy).length;
      const allHealthy = health.every((h) => h.Healthy);
      return reply.code(allHealthy ? 200 : 429).header('content-type', 'application/json').send(
        JSON.stringify({ Healthy: allHealthy, FailureTolerance: Math.max(0, healthyVoters - quorum), Servers: health }),
      );
    },
  });
}
