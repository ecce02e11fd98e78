// /v1/peering/* and /v1/peerings: cluster peering (Consul's agent/peering_endpoint.go). Every
// request is answered by this datacenter's leader (forward.ts), which holds the stream state.
// Validation errors that Consul's gRPC layer answers as 500 are 400 here (a client's mistake).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { decodeJson, isPlainObject } from '../decode.js';
import { DecodeError, decodeStruct, type StructSchema } from '../decode-struct.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError, notFound } from '../http-error.js';
import { sendEmpty, sendJson, setQueryMeta } from '../respond.js';
import { blockingQuery } from '../blocking.js';
import { parseQueryOptions } from '../query-options.js';
import { refusePartition } from '../enterprise-meta.js';
import type { PeeringService } from '../../peering/service.js';

const GENERATE_TOKEN: StructSchema = {
  name: 'api.PeeringGenerateTokenRequest',
  fields: { PeerName: 'string', Partition: 'string', Meta: 'stringMap', ServerExternalAddresses: 'strings' },
};
const ESTABLISH: StructSchema = {
  name: 'api.PeeringEstablishRequest',
  fields: { PeerName: 'string', PeeringToken: 'string', Partition: 'string', Meta: 'stringMap' },
};

/** lib.DecodeJSON: Go's decoder, unknown keys ignored; `Body decoding failed: <err>` on failure. */
function decodeBody(req: FastifyRequest, schema: StructSchema): Record<string, unknown> {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw badRequest('The peering arguments must be provided in the body');
  let raw: unknown;
  try {
    raw = decodeJson(req.body);
  } catch (err) {
    throw badRequest((err as Error).message.replace(/^Request decode failed/, 'Body decoding failed'));
  }
  const known = new Set(Object.keys(schema.fields).map((k) => k.toLowerCase()));
  const kept = isPlainObject(raw) ? Object.fromEntries(Object.entries(raw).filter(([k]) => known.has(k.toLowerCase()))) : raw;
  try {
    return decodeStruct(kept, schema);
  } catch (err) {
    if (err instanceof DecodeError) throw badRequest(`Body decoding failed: ${err.message}`);
    throw err;
  }
}

/** CE has one partition: "default" or none (EnterpriseCheckPartitions). */
function checkPartition(p: unknown): void {
  if (typeof p === 'string' && p !== '' && p !== 'default') throw badRequest('Partitions are a Consul Enterprise feature');
}

export async function peeringRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const service = (): PeeringService => {
    if (!ctx.peering) throw new HttpError(500, 'peering is served by servers only');
    return ctx.peering;
  };
  const read = (reply: FastifyReply): number => {
    const r = ctx.catalog.peerings();
    setQueryMeta(reply, r.index, 'leader');
    return r.index;
  };

  endpoint(app, '/v1/peering/token', {
    POST: async (req, reply) => {
      const body = decodeBody(req, GENERATE_TOKEN);
      const name = typeof body.PeerName === 'string' ? body.PeerName : '';
      if (name === '') throw badRequest('PeerName is required in the payload when generating a new peering token.');
      // peering_endpoint.go PeeringGenerateToken: the request's partition after the body's checks.
      refusePartition(req);
      checkPartition(body.Partition);
      const token = await service().generateToken({
        PeerName: name,
        ...(body.Meta ? { Meta: body.Meta as Record<string, string> } : {}),
        ...(body.ServerExternalAddresses ? { ServerExternalAddresses: body.ServerExternalAddresses as string[] } : {}),
      });
      return sendJson(req, reply, { PeeringToken: token });
    },
  });

  endpoint(app, '/v1/peering/establish', {
    POST: async (req, reply) => {
      const body = decodeBody(req, ESTABLISH);
      const name = typeof body.PeerName === 'string' ? body.PeerName : '';
      if (name === '') throw badRequest('PeerName is required in the payload when establishing a peering.');
      const token = typeof body.PeeringToken === 'string' ? body.PeeringToken : '';
      if (token === '') throw badRequest('PeeringToken is required in the payload when establishing a peering.');
      refusePartition(req); // peering_endpoint.go PeeringEstablish
      checkPartition(body.Partition);
      await service().establish({ PeerName: name, PeeringToken: token, ...(body.Meta ? { Meta: body.Meta as Record<string, string> } : {}) });
      return sendJson(req, reply, {});
    },
  });

  // A blocking query over the peerings table (agent/rpc/peering/service.go PeeringList): the
  // stream state it adds is not part of the index, so it is not memoized with the catalog reads.
  endpoint(app, '/v1/peerings', {
    GET: async (req, reply) => {
      refusePartition(req);
      const opts = parseQueryOptions(req, ctx.config.datacenter, ctx.config.queryTimes);
      const r = await blockingQuery(reply, opts, (watch, signal) => ctx.catalog.watch(watch ?? [], signal), () => ctx.catalog.peerings());
      setQueryMeta(reply, r.index, 'leader');
      return sendJson(req, reply, r.value.map((p) => service().toApi(p)));
    },
  });

  endpoint(app, '/v1/peering/:name', {
    GET: (req, reply) => {
      const name = (req.params as { name: string }).name;
      if (name === '') throw badRequest('Must specify a name to fetch.');
      refusePartition(req); // peering_endpoint.go peeringRead
      read(reply);
      const p = ctx.catalog.peering(name);
      if (!p) throw notFound(`Peering not found for ${JSON.stringify(name)}`);
      return sendJson(req, reply, service().toApi(p));
    },
    DELETE: async (req, reply) => {
      const name = (req.params as { name: string }).name;
      if (name === '') throw badRequest('Must specify a name to fetch.');
      refusePartition(req); // peering_endpoint.go peeringDelete
      await service().delete(name);
      return sendEmpty(reply);
    },
  });
}
