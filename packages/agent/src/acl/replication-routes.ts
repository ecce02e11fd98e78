/**
 * GET /v1/acl/replication (Consul's ACLReplicationStatus): the ACL replication status of this
 * datacenter's leader (replication.ts). No token is needed (Consul: it leaks nothing and serves
 * health checks); ACLs must be on. In the primary datacenter nothing replicates: Enabled false.
 */
import type { FastifyInstance } from 'fastify';
import { answerFromDatacenter, FORWARDED_HEADER } from '../cluster/forward.js';
import type { AgentContext } from '../context.js';
import { endpoint } from '../http/endpoint.js';
import { HttpError } from '../http/http-error.js';
import { sendJson } from '../http/respond.js';
import { GO_ZERO_TIME, type AclReplicationStatus } from './replication.js';
import type { IdentityResolver } from './resolver.js';

/** What a datacenter that does not replicate answers (Consul's zero ACLReplicationStatus). */
const NOT_REPLICATING: AclReplicationStatus = {
  Enabled: false, Running: false, SourceDatacenter: '', ReplicationType: '',
  ReplicatedIndex: 0, ReplicatedRoleIndex: 0, ReplicatedTokenIndex: 0,
  LastSuccess: GO_ZERO_TIME, LastError: GO_ZERO_TIME, LastErrorMessage: '',
};

export function replicationRoutes(app: FastifyInstance, ctx: AgentContext, resolver: IdentityResolver): void {
  endpoint(app, '/v1/acl/replication', {
    GET: async (req, reply) => {
      if (!resolver.enabled) throw new HttpError(401, 'ACL support disabled');
      // Consul's ReplicationStatus is always the leader's, `?stale` or not (a request the leader
      // was given is answered where it lands).
      if (ctx.cluster.server && !ctx.cluster.isLeader() && req.headers[FORWARDED_HEADER] === undefined) {
        return answerFromDatacenter(ctx.cluster, ctx.config.datacenter, req, reply, ctx.config.queryTimes);
      }
      return sendJson(req, reply, ctx.aclReplication?.status() ?? NOT_REPLICATING);
    },
  });
}
