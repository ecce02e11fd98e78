// /v1/catalog/*: writes go through the applier (answer `true`), reads are blocking queries.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApplyResult, Catalog, Command, ServiceFilter } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { decodeBodyAs } from '../decode-struct.js';
import { decodeJson } from '../decode.js';
import { applyFilter } from '../filter.js';
import { endpoint } from '../endpoint.js';
import { refuseEnterpriseMeta, refusePartition, rewordUnknownEnterpriseField } from '../enterprise-meta.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, qs, qsAll, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { nearSorted } from '../../coordinate/near.js';
import { sendJson, setQueryMeta } from '../respond.js';
import { deregisterRequestSchema, registerRequestSchema } from '../schemas.js';
import { checkCatalogService } from '../../connect/catalog-service.js';

/** `?node-meta=key:value` (repeatable). */
export function nodeMetaFilter(query: Query): Record<string, string> | undefined {
  const pairs = qsAll(query, 'node-meta');
  if (pairs.length === 0) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const at = p.indexOf(':');
      return at < 0 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
    }),
  );
}

/** Applies `command`; a refused one is a 500 with Consul's text. Returns the result and the write's index. */
export async function applyOrFail(ctx: AgentContext, command: Command): Promise<{ result: ApplyResult; index: number }> {
  const r = await ctx.applier.applyIndexed(command);
  if (!r.result.ok) throw new HttpError(500, r.result.error ?? 'apply failed');
  return r;
}

export async function catalogRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const dc = ctx.config.datacenter;

  // catalog_endpoint.go CatalogRegister/CatalogDeregister: the namespace and partition first,
  // then the body, whose "Namespace" is an Enterprise field (http_ce.go).
  endpoint(app, '/v1/catalog/register', {
    PUT: async (req, reply) => {
      refuseEnterpriseMeta(req);
      checkDatacenter(req.query as Query, dc);
      const body = decodeBodyAs(decodeJson(req.body), registerRequestSchema, rewordUnknownEnterpriseField);
      // Consul forwards to the body's Datacenter; only this one is reachable.
      checkDatacenter({ dc: body.Datacenter as string | undefined }, dc);
      const { Token: _t, PeerName: _p, Locality: _l, ...rest } = body;
      if (rest.Service) checkCatalogService(rest.Service as Record<string, unknown>);
      const { result, index } = await applyOrFail(ctx, { ...(rest as object), Type: 'Register', Now: ctx.now() } as Command);
      setQueryMeta(reply, index);
      return sendJson(req, reply, result.value ?? true);
    },
  });

  endpoint(app, '/v1/catalog/deregister', {
    PUT: async (req, reply) => {
      refuseEnterpriseMeta(req);
      checkDatacenter(req.query as Query, dc);
      const body = decodeBodyAs(decodeJson(req.body), deregisterRequestSchema, rewordUnknownEnterpriseField);
      // Consul forwards to the body's Datacenter; only this one is reachable.
      checkDatacenter({ dc: body.Datacenter as string | undefined }, dc);
      const { Token: _t, PeerName: _p, ...rest } = body;
      const { result, index } = await applyOrFail(ctx, { ...(rest as object), Type: 'Deregister', Now: ctx.now() } as Command);
      setQueryMeta(reply, index);
      return sendJson(req, reply, result.value ?? true);
    },
  });

  endpoint(app, '/v1/catalog/datacenters', {
    // Every datacenter the WAN pool knows (datacenter-order.ts), whatever `?dc=` says, as Consul.
    GET: async (req, reply) => sendJson(req, reply, await ctx.cluster.datacenters()),
  });

  // catalog_endpoint.go: nodes have a partition but no namespace, so CE ignores `?ns` here.
  endpoint(app, '/v1/catalog/nodes', {
    GET: (req, reply) => {
      refusePartition(req);
      const nodeMeta = nodeMetaFilter(req.query as Query);
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(req.query as Query, 'near'), () => ctx.catalog.nodes(nodeMeta ? { nodeMeta } : {})));
    },
  });

  endpoint(app, '/v1/catalog/services', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const nodeMeta = nodeMetaFilter(req.query as Query);
      const meta = nodeMeta ? { nodeMeta } : {};
      // `?peer=`: what that cluster peer exports here (read.ts), never mixed with local services.
      const peer = qs(req.query as Query, 'peer');
      const services = peer ? () => ctx.catalog.importedServices(peer, meta) : () => ctx.catalog.services(meta);
      const instances = peer ? (name: string) => ctx.catalog.importedServiceNodes(peer, name, meta) : (name: string) => ctx.catalog.serviceNodes(name, meta);
      // Consul runs ?filter over the instances (ServiceNode selectors), then groups them.
      return catalogRead(ctx, req, reply, services, undefined, (services, pred) => {
        const out: [string, string[]][] = [];
        for (const name of Object.keys(services)) {
          const kept = instances(name).value.filter(pred);
          if (kept.length > 0) out.push([name, [...new Set(kept.flatMap((s) => s.ServiceTags))]]);
        }
        return Object.fromEntries(out);
      });
    },
  });

  // catalog/service and (Consul's CatalogConnectServiceNodes) catalog/connect: the same query over
  // a service's instances, or over its proxies and Connect-native instances.
  const serviceNodesRead = (read: (name: string, filter: ServiceFilter, peer: string | undefined) => ReturnType<Catalog['serviceNodes']>) => ({
    GET: (req: FastifyRequest, reply: FastifyReply) => {
      refuseEnterpriseMeta(req);
      const query = req.query as Query;
      const name = (req.params as { service: string }).service;
      const nodeMeta = nodeMetaFilter(query);
      const tags = qsAll(query, 'tag');
      const peer = qs(query, 'peer');
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(query, 'near'), () => read(name, { ...(nodeMeta ? { nodeMeta } : {}), tags }, peer)));
    },
  });
  endpoint(app, '/v1/catalog/service/:service', serviceNodesRead((n, f, peer) => (peer ? ctx.catalog.importedServiceNodes(peer, n, f) : ctx.catalog.serviceNodes(n, f))));
  endpoint(app, '/v1/catalog/connect/:service', serviceNodesRead((n, f) => ctx.catalog.connectServiceNodes(n, f)));

  // Consul's CatalogGatewayServices: the services an ingress or terminating gateway fronts.
  endpoint(app, '/v1/catalog/gateway-services/*', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const gateway = (req.params as { '*': string })['*'];
      if (!gateway) throw badRequest('Missing gateway name');
      return catalogRead(ctx, req, reply, () => ctx.catalog.gatewayServices(gateway));
    },
  });

  // ?filter applies to the node's services. `?peer=`: a node that cluster peer exports instances on.
  endpoint(app, '/v1/catalog/node/:node', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const node = (req.params as { node: string }).node;
      const peer = qs(req.query as Query, 'peer');
      const read = peer ? () => ctx.catalog.importedNode(peer, node) : () => ctx.catalog.node(node);
      return catalogRead(ctx, req, reply, read, undefined, (v, pred) =>
        v ? { ...v, Services: applyFilter(v.Services, pred) } : v,
      );
    },
  });

  endpoint(app, '/v1/catalog/node-services/:node', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req); // CatalogNodeServiceList: parseEntMeta first
      return catalogRead(ctx, req, reply, () => ctx.catalog.nodeServiceList((req.params as { node: string }).node), undefined, (v, pred) =>
        v.Services ? { ...v, Services: v.Services.filter(pred) } : v,
      );
    },
  });
}
