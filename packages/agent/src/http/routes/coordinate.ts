// /v1/coordinate/*: network coordinates (Consul's agent/coordinate_endpoint.go). Reads of the
// LAN coordinates are blocking queries on the catalog's coordinates table; updates are queued on
// the leader and written in batches (../../coordinate/updates.ts); the datacenters list comes
// from the servers' gossip coordinates.
import type { CoordinateEntry } from '@proconsul/catalog';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { datacenterMap, type ServerCoordinate } from '../../coordinate/datacenters.js';
import { coordinateUpdateError, coordinateUpdatesFor } from '../../coordinate/updates.js';
import { decodeBodyAs, type StructSchema } from '../decode-struct.js';
import { decodeJson } from '../decode.js';
import { endpoint } from '../endpoint.js';
import { badRequest } from '../http-error.js';
import { refuseEnterpriseMeta, refusePartition } from '../enterprise-meta.js';
import { checkDatacenter, parseWaitAndConsistency, qs, qsAll, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { sendJson } from '../respond.js';

/** structs.CoordinateUpdateRequest; Coord is decoded below (its floats are not a FieldType). */
const updateSchema: StructSchema = {
  name: 'structs.CoordinateUpdateRequest',
  fields: { Datacenter: 'string', Node: 'string', Segment: 'string', Partition: 'string', Coord: 'any', Token: 'string' },
};

/** Consul's filterCoordinates: with `?segment` present, only that segment's entries. */
function bySegment(req: FastifyRequest, list: CoordinateEntry[]): CoordinateEntry[] {
  const segments = qsAll(req.query as Query, 'segment');
  if (!(req.query as Query).segment && segments.length === 0) return list;
  const want = segments[0] ?? '';
  return list.filter((c) => c.Segment === want);
}

const goKind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The body's Coord as serf's coordinate.Coordinate decodes: Vec []float64, Error/Adjustment/Height float64. */
function decodeCoord(v: unknown): CoordinateEntry['Coord'] {
  const fail = (field: string, value: unknown, type: string) =>
    badRequest(`Request decode failed: json: cannot unmarshal ${goKind(value)} into Go struct field Coordinate.Coord.${field} of type ${type}`);
  if (v === undefined || v === null) throw badRequest('invalid coordinate');
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`Request decode failed: json: cannot unmarshal ${goKind(v)} into Go struct field CoordinateUpdateRequest.Coord of type coordinate.Coordinate`);
  const o = v as Record<string, unknown>;
  const out = { Vec: [] as number[], Error: 0, Adjustment: 0, Height: 0 };
  for (const [k, val] of Object.entries(o)) {
    const key = (['Vec', 'Error', 'Adjustment', 'Height'] as const).find((f) => f.toLowerCase() === k.toLowerCase());
    if (!key) throw badRequest(`Request decode failed: json: unknown field "${k}"`);
    if (val === null) continue;
    if (key === 'Vec') {
      if (!Array.isArray(val)) throw fail('Vec', val, '[]float64');
      for (const x of val) if (typeof x !== 'number') throw fail('Vec', x, 'float64');
      out.Vec = val as number[];
    } else {
      if (typeof val !== 'number') throw fail(key, val, 'float64');
      out[key] = val;
    }
  }
  return out;
}

export async function coordinateRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const dc = ctx.config.datacenter;
  // Consul's checkCoordinateDisabled: every coordinate endpoint answers 401 when they are off.
  if (ctx.config.coordinate.disabled) {
    app.addHook('onRequest', async (_req, reply) => reply.code(401).send('Coordinate support disabled'));
  }

  endpoint(app, '/v1/coordinate/datacenters', {
    GET: (req, reply) => {
      // A server's WAN pool knows every datacenter's servers (members `<node>.<dc>`); without
      // one (serf_wan -1) the LAN pool gives this datacenter's. Client agents forward this read.
      const pool = ctx.gossip.wan ?? ctx.gossip.lan;
      const byDc = new Map<string, ServerCoordinate[]>();
      for (const m of pool.members()) {
        if (m.Tags.role !== 'consul' || !m.Tags.dc || m.Status !== 1) continue;
        const c = pool.node.memberCoordinate(m.Name);
        const list = byDc.get(m.Tags.dc) ?? [];
        list.push({ name: m.Name, coord: c && { Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height } });
        byDc.set(m.Tags.dc, list);
      }
      if (!byDc.has(dc)) byDc.set(dc, []);
      const maps = [...byDc].map(([name, servers]) => datacenterMap(name, servers)).sort((a, b) => (a.Datacenter < b.Datacenter ? -1 : a.Datacenter > b.Datacenter ? 1 : 0));
      return sendJson(req, reply, maps);
    },
  });

  // coordinate_endpoint.go CoordinateNodes/CoordinateNode: the query options (s.parse), then
  // the partition (http_ce.go parseEntMetaPartition).
  endpoint(app, '/v1/coordinate/nodes', {
    GET: (req, reply) => {
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refusePartition(req);
      return catalogRead(ctx, req, reply, () => {
        const r = ctx.catalog.coordinates();
        return { ...r, value: bySegment(req, r.value) };
      });
    },
  });

  // 404 when the node has no coordinate (Consul's CoordinateNode).
  endpoint(app, '/v1/coordinate/node/:node', {
    GET: (req, reply) => {
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refusePartition(req);
      const node = (req.params as { node: string }).node;
      return catalogRead(
        ctx,
        req,
        reply,
        () => {
          const r = ctx.catalog.nodeCoordinates(node);
          return { ...r, value: bySegment(req, r.value).map((c) => ({ ...c, Node: node })) };
        },
        (r, rep, send) => (r.value.length === 0 ? rep.code(404).send('') : send(r.value)),
      );
    },
  });

  // Queued on the leader (the forwarding hook brings every update there), written in batches.
  endpoint(app, '/v1/coordinate/update', {
    PUT: (req, reply) => {
      const body = decodeBodyAs(decodeJson(req.body), updateSchema);
      refuseEnterpriseMeta(req); // CoordinateUpdate: after the body
      // Consul's parseDC: ?dc wins over the body's Datacenter.
      checkDatacenter({ dc: qs(req.query as Query, 'dc') ?? (body.Datacenter as string | undefined) }, dc);
      const coord = decodeCoord(body.Coord);
      const invalid = coordinateUpdateError(ctx, coord);
      if (invalid) throw badRequest(invalid);
      coordinateUpdatesFor(ctx).submit({ Node: String(body.Node ?? ''), Segment: String(body.Segment ?? ''), Coord: coord });
      return reply.code(200).send('');
    },
  });
}
