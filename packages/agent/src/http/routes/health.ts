// /v1/health/*: check lists and service instances with their health, as blocking queries.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog, HealthServiceFilter } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { refuseEnterpriseMeta } from '../enterprise-meta.js';
import { badRequest } from '../http-error.js';
import { parseGoBool, qs, qsAll, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { nodeMetaFilter } from './catalog.js';
import { nearSorted } from '../../coordinate/near.js';

/** `?passing`, `?tag=` and `?node-meta=` of health/service and health/connect. */
export function healthServiceFilter(query: Query): HealthServiceFilter {
  let passing = false;
  const p = qs(query, 'passing');
  if (p !== undefined) {
    // Present without a value means true.
    const b = p === '' ? true : parseGoBool(p);
    if (b === undefined) throw badRequest('Invalid value for ?passing');
    passing = b;
  }
  const nodeMeta = nodeMetaFilter(query);
  const tags = qsAll(query, 'tag');
  return { passing, tags, ...(nodeMeta ? { nodeMeta } : {}) };
}

export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/health/node/:node', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      return catalogRead(ctx, req, reply, () => ctx.catalog.nodeChecks((req.params as { node: string }).node));
    },
  });

  endpoint(app, '/v1/health/checks/:service', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const name = (req.params as { service: string }).service;
      const nodeMeta = nodeMetaFilter(req.query as Query);
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(req.query as Query, 'near'), () => ctx.catalog.serviceChecks(name, nodeMeta ? { nodeMeta } : {})));
    },
  });

  // health/service and (Consul's HealthConnectServiceNodes) health/connect: the same query over a
  // service's instances, or over its proxies and Connect-native instances.
  const serviceEntriesRead = (read: (name: string, filter: HealthServiceFilter, peer: string | undefined) => ReturnType<Catalog['checkServiceNodes']>) => ({
    GET: (req: FastifyRequest, reply: FastifyReply) => {
      // health_endpoint.go healthServiceNodes: parseEntMetaNoWildcard before anything else
      // (http_ce.go), then `?peer=` and `?sameness-group=`, which exclude each other.
      refuseEnterpriseMeta(req);
      const query = req.query as Query;
      const name = (req.params as { service: string }).service;
      const peer = qs(query, 'peer');
      const samenessGroup = qs(query, 'sameness-group');
      if (peer && samenessGroup) throw badRequest('peer-name and sameness-group are mutually exclusive');
      const filter = healthServiceFilter(query);
      // Consul CE's Health.ServiceNodes refuses a sameness group (health_endpoint_ce.go
      // getArgsForSamenessGroupMembers). Consul answers that RPC error with a 500; it is the
      // caller's request that cannot be served, so here it is a 400 with Consul's text.
      if (samenessGroup) throw badRequest('sameness groups are not supported in consul CE');
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(query, 'near'), () => read(name, filter, peer)));
    },
  });
  // `?peer=`: what that cluster peer exports here (read.ts), never mixed with local instances.
  endpoint(app, '/v1/health/service/:service', serviceEntriesRead((n, f, peer) => (peer ? ctx.catalog.importedServiceEntries(peer, n, f) : ctx.catalog.checkServiceNodes(n, f))));
  endpoint(app, '/v1/health/connect/:service', serviceEntriesRead((n, f, peer) => (peer ? ctx.catalog.importedConnectEntries(peer, n, f) : ctx.catalog.checkConnectServiceNodes(n, f))));
  // Consul's HealthIngressServiceNodes: the ingress gateways' instances that front the service.
  endpoint(app, '/v1/health/ingress/:service', serviceEntriesRead((n, f) => ctx.catalog.checkIngressServiceNodes(n, f)));

  endpoint(app, '/v1/health/state/*', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const state = (req.params as { '*': string })['*'];
      if (!state) throw badRequest('Missing check state');
      const nodeMeta = nodeMetaFilter(req.query as Query);
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(req.query as Query, 'near'), () => ctx.catalog.checksInState(state, nodeMeta ? { nodeMeta } : {})));
    },
  });
}
