// GET /v1/operator/usage: service, instance and node counts of this datacenter, in Consul's
// shape (operator_usage_endpoint.go). A blocking query over the catalog. With `?global` the
// server first asks every other datacenter for its own counts (agent/consul/
// operator_usage_endpoint.go: a datacenter that cannot answer is logged and left out).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { refuseEnterpriseMeta } from '../enterprise-meta.js';
import { has, requestToken, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';

/** Consul's mesh kinds counted in ConnectServiceInstances. */
const CONNECT_KINDS = ['api-gateway', 'connect-native', 'connect-proxy', 'ingress-gateway', 'mesh-gateway', 'terminating-gateway'] as const;

export async function operatorUsageRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/operator/usage', {
    GET: async (req, reply) => {
      refuseEnterpriseMeta(req); // operator_endpoint.go OperatorUsage: parseEntMetaNoWildcard first
      const global = has(req.query as Query, 'global');
      const remote = global ? await remoteUsage(ctx, req) : {};
      return catalogRead(ctx, req, reply, () => {
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
      },
      // The other datacenters' counts join after the memoized read (read-memo.ts): they are
      // not this catalog's state, so its index does not move when they change.
      (r, reply, send) => send(global ? { ...r.value, Usage: { ...remote, ...r.value.Usage } } : r.value));
    },
  });
}

/** What one remote datacenter's server answers may take. */
const REMOTE_TIMEOUT_MS = 10_000;

/** Every other datacenter's own `Usage` entry, asked with the request's token. */
async function remoteUsage(ctx: AgentContext, req: FastifyRequest): Promise<Record<string, unknown>> {
  const token = requestToken(req);
  const dcs = (await ctx.cluster.datacenters()).filter((dc) => dc !== ctx.config.datacenter);
  const answers = await Promise.all(
    dcs.map(async (dc) => {
      try {
        const res = await ctx.cluster.forwardToDatacenter(dc, { method: 'GET', url: '/v1/operator/usage', headers: token ? { 'x-consul-token': token } : {} }, REMOTE_TIMEOUT_MS);
        if (res.status !== 200) throw new Error(`${res.status} ${Buffer.from(res.body).toString('utf8')}`);
        const usage = (JSON.parse(Buffer.from(res.body).toString('utf8')) as { Usage?: Record<string, unknown> }).Usage?.[dc];
        return usage === undefined ? [] : [[dc, usage] as const];
      } catch (err) {
        ctx.log.agent.warn({ datacenter: dc, error: (err as Error).message }, 'error forwarding usage request to remote datacenter');
        return [];
      }
    }),
  );
  return Object.fromEntries(answers.flat());
}
