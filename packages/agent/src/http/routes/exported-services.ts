// GET /v1/exported-services: the services this cluster exports and the peers that consume them,
// wildcards resolved (Consul's agent/config_endpoint.go ExportedServices and
// agent/grpc-external/services/configentry/server.go GetResolvedExportedServices: a blocking
// query, mesh:read or operator:read, answered by a server). CE has no partitions: any
// `?partition` or X-Consul-Partition is refused as agent/http_ce.go parseEntMetaPartition does.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { badRequest } from '../http-error.js';
import { qs, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';

/** http_ce.go parseEntMetaPartition: CE refuses a partition however it is named. */
export function refusePartition(req: FastifyRequest): void {
  if (req.headers['x-consul-partition']) throw badRequest('Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature');
  if (qs(req.query as Query, 'partition')) throw badRequest('Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature');
}

export async function exportedServicesRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/exported-services', {
    GET: (req, reply) => {
      refusePartition(req);
      // The gRPC call never evaluates the query options' Filter: `?filter` is neither parsed nor
      // applied, a malformed one included (`consul services exported-services` filters what it gets).
      return catalogRead(ctx, req, reply, () => ctx.catalog.resolvedExportedServices(), undefined, null);
    },
  });
}
