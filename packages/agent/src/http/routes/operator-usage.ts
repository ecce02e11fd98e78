// GET /v1/operator/usage: service, instance and node counts of this datacenter, in Consul's
// shape (operator_usage_endpoint.go). A blocking query over the catalog.
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { catalogRead } from '../read.js';

/** Consul's mesh kinds counted in ConnectServiceInstances. */
const CONNECT_KINDS = ['api-gateway', 'connect-native', 'connect-proxy', 'ingress-gateway', 'mesh-gateway', 'terminating-gateway'] as const;

export async function operatorUsageRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/operator/usage', {
    GET: (req, reply) =>
      catalogRead(ctx, req, reply, () => {
        const services = ctx.catalog.services();
        const connect: Record<string, number> = Object.fromEntries(CONNECT_KINDS.map((k) => [k, 0]));
        let instances = 0;
        let billable = 0;
        let index = services.index;
        for (const name of Object.keys(services.value)) {
          const nodes = ctx.catalog.serviceNodes(name);
          index = Math.max(index, nodes.index);
          for (const s of nodes.value) {
            instances++;
            const kind = s.ServiceKind ?? '';
            if (kind in connect) connect[kind]!++;
            // Consul bills neither its own `consul` service nor mesh proxies and gateways.
            if (name !== 'consul' && kind === '') billable++;
          }
        }
        const nodes = ctx.catalog.nodes();
        index = Math.max(index, nodes.index);
        const usage = {
          Services: Object.keys(services.value).length,
          ServiceInstances: instances,
          ConnectServiceInstances: connect,
          BillableServiceInstances: billable,
          Nodes: nodes.value.length,
        };
        const value = {
          Usage: { [ctx.config.datacenter]: usage },
          Index: index,
          LastContact: 0,
          KnownLeader: true,
          ConsistencyLevel: 'leader',
          NotModified: false,
          Backend: 0,
          ResultsFilteredByACLs: false,
        };
        return { index, value, watch: [...(services.watch ?? []), ...(nodes.watch ?? [])] };
      }),
  });
}
