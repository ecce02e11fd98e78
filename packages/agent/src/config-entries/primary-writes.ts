/**
 * Config entry and intention writes belong to the primary datacenter (Consul's ConfigEntry.Apply,
 * ConfigEntry.Delete and Intention.Apply set the request's Datacenter to the primary before
 * forwarding, agent/consul/config_endpoint.go and intention_endpoint.go); a secondary gets them
 * back through config entry replication (replication.ts). Reads stay local.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inPrimaryDatacenter } from '../acl/datacenters.js';
import { answerFromDatacenter } from '../cluster/forward.js';
import type { AgentContext } from '../context.js';

/** In a secondary datacenter: the primary's answer to this write; undefined in the primary. */
export function writeInPrimary(ctx: AgentContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined {
  if (inPrimaryDatacenter(ctx.config)) return undefined;
  return answerFromDatacenter(ctx.cluster, ctx.config.primaryDatacenter, req, reply, ctx.config.queryTimes);
}
