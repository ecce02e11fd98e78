// /v1/operator/raft/* and /v1/operator/autopilot/{health,state}: the Raft configuration as the
// leader sees it (forwarded there unless ?stale), removing a peer, moving leadership, and
// autopilot's view of each server's health (alive in gossip, heard from lately, log caught up
// with the leader's).
import type { FastifyInstance } from 'fastify';
import { formatGoDuration } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import type { RaftServerView, ServerCluster } from '../../cluster/server-cluster.js';
import { endpoint } from '../endpoint.js';
import { refusePartition } from '../enterprise-meta.js';
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
      refusePartition(req); // operator_endpoint.go OperatorRaftTransferLeader: parseEntMetaPartition first
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

  /** When each server was first seen in its current health, as this leader saw it (StableSince). */
  const stableSince = new Map<string, { healthy: boolean; since: string }>();
  /**
   * Autopilot's view of every server, by Consul's rule (ServerHealth.IsHealthy): alive in
   * gossip, heard from within LastContactThreshold, and no more than MaxTrailingLogs behind.
   * The leader alone knows its followers' progress (clients and followers forward these
   * requests to it); elsewhere only gossip's view counts.
   */
  const serverHealth = () => {
    const st = server().node()?.status();
    const conf = autopilotConfig(ctx);
    const list = servers();
    const health = list.map((s) => {
      const lastIndex = s.matchIndex ?? st?.lastIndex ?? 0;
      const contactKnown = s.lastContactMs !== undefined || st?.role !== 'leader';
      const healthy =
        s.serfStatus === 'alive' &&
        contactKnown &&
        (s.lastContactMs ?? 0) <= conf.LastContactThresholdMs &&
        Math.max(0, (st?.lastIndex ?? 0) - lastIndex) <= conf.MaxTrailingLogs;
      const seen = stableSince.get(s.id);
      if (!seen || seen.healthy !== healthy) stableSince.set(s.id, { healthy, since: seen ? new Date().toISOString() : ctx.startedAt.toISOString() });
      return { s, healthy, lastIndex, lastContact: s.lastContactMs !== undefined ? formatGoDuration(s.lastContactMs) : s.leader ? '0s' : '', stableSince: stableSince.get(s.id)!.since };
    });
    for (const id of stableSince.keys()) if (!list.some((s) => s.id === id)) stableSince.delete(id);
    const voters = health.filter((h) => h.s.voter);
    const quorum = Math.floor(voters.length / 2) + 1;
    return {
      term: st?.term ?? 0,
      health,
      healthy: health.every((h) => h.healthy),
      failureTolerance: Math.max(0, voters.filter((h) => h.healthy).length - quorum),
    };
  };

  endpoint(app, '/v1/operator/autopilot/health', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      const h = serverHealth();
      const rows = h.health.map(({ s, healthy, lastIndex, lastContact, stableSince }) => ({
        ID: s.id,
        Name: s.name,
        Address: s.address,
        SerfStatus: s.serfStatus,
        Version: CONSUL_VERSION,
        Leader: s.leader,
        LastContact: lastContact,
        LastTerm: h.term,
        LastIndex: lastIndex,
        Healthy: healthy,
        Voter: s.voter,
        StableSince: stableSince,
      }));
      return reply.code(h.healthy ? 200 : 429).header('content-type', 'application/json').send(
        JSON.stringify({ Healthy: h.healthy, FailureTolerance: h.failureTolerance, Servers: rows }),
      );
    },
  });

  // Consul CE's answer: no read replicas, redundancy zones or upgrades (Enterprise), so those
  // fields are left out and OptimisticFailureTolerance is 0.
  endpoint(app, '/v1/operator/autopilot/state', {
    GET: (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      const h = serverHealth();
      const meta = (name: string): Record<string, string> => ctx.catalog.node(name).value?.Node.Meta ?? {};
      return sendJson(req, reply, {
        Healthy: h.healthy,
        FailureTolerance: h.failureTolerance,
        OptimisticFailureTolerance: 0,
        Servers: Object.fromEntries(
          h.health.map(({ s, healthy, lastIndex, lastContact, stableSince }) => [
            s.id,
            {
              ID: s.id,
              Name: s.name,
              Address: s.address,
              NodeStatus: s.serfStatus,
              Version: CONSUL_VERSION,
              LastContact: lastContact,
              LastTerm: h.term,
              LastIndex: lastIndex,
              Healthy: healthy,
              StableSince: stableSince,
              Status: s.leader ? 'leader' : s.voter ? 'voter' : 'non-voter',
              Meta: meta(s.name),
              NodeType: 'voter',
            },
          ]),
        ),
        Leader: h.health.find((x) => x.s.leader)?.s.id ?? '',
        Voters: h.health.filter((x) => x.s.voter).map((x) => x.s.id),
      });
    },
  });
}
