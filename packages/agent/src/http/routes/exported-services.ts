// GET /v1/exported-services: the services this cluster exports and the peers that consume them,
// wildcards resolved (Consul's agent/config_endpoint.go ExportedServices and
// agent/grpc-external/services/configentry/server.go GetResolvedExportedServices: a blocking
// query, mesh:read or operator:read, answered by a server). CE has no partitions: any
// `?partition` or X-Consul-Partition is refused as agent/http_ce.go parseEntMetaPartition does.
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { refusePartition } from '../enterprise-meta.js';
import { catalogRead } from '../read.js';

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
