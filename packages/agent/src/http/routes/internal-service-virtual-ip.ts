// PUT /v1/internal/service-virtual-ip: extra ("manual") virtual IPs of a mesh service, as
// consul-k8s sets a Kubernetes ClusterIP (api/internal.go AssignServiceVirtualIP,
// agent/consul/state/catalog.go AssignManualServiceVIPs). Written through the log; the
// addresses are taken away from any other service that held them. The answer says whether the
// service has a virtual IP at all (nothing is written when it has none) and which services lost one.
import { MANUAL_VIPS_MAX } from '@proconsul/catalog';
import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import type { AgentContext } from '../../context.js';
import { decodeBodyAs, type StructSchema } from '../decode-struct.js';
import { decodeJson } from '../decode.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { sendJson, setQueryMeta } from '../respond.js';

/** structs.AssignServiceManualVIPsRequest (its DCSpecificRequest fields are query parameters here). */
const SCHEMA: StructSchema = {
  name: 'structs.AssignServiceManualVIPsRequest',
  fields: { Service: 'string', ManualVIPs: 'strings', Datacenter: 'string' },
};

export async function internalServiceVirtualIPRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/internal/service-virtual-ip', {
    PUT: async (req, reply) => {
      checkDatacenter(req.query as Query, ctx.config.datacenter);
      const body = decodeBodyAs(decodeJson(req.body), SCHEMA);
      const service = (body.Service as string | undefined) ?? '';
      const ips = (body.ManualVIPs as string[] | undefined) ?? [];
      if (service === '') throw badRequest('Must provide a service name');
      if (ips.length > MANUAL_VIPS_MAX) throw badRequest(`Too many manual virtual IPs (max ${MANUAL_VIPS_MAX})`);
      for (const ip of ips) if (isIP(ip) !== 4) throw badRequest(`${JSON.stringify(ip)} is not a valid IPv4 address`);
      const r = await ctx.applier.apply({ Type: 'ServiceVirtualIPSet', Service: service, ManualVIPs: ips });
      if (!r.ok || !r.manualVIPs) throw new HttpError(500, r.error ?? 'apply failed');
      setQueryMeta(reply, ctx.applier.lastIndex);
      // structs.AssignServiceManualVIPsResponse; UnassignedFrom holds structs.PeeredServiceName values.
      const from = r.manualVIPs.unassignedFrom;
      return sendJson(req, reply, {
        Found: r.manualVIPs.found,
        UnassignedFrom: from.length > 0 ? from.map((name) => ({ ServiceName: { Name: name }, Peer: '' })) : null,
      });
    },
  });
}
