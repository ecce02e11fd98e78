// `?near=<node>` / `?near=_agent`: results sorted by estimated round trip from that node's
// coordinate in the catalog (Consul's sortNodesByDistanceFrom). A source without a coordinate
// leaves the order alone; entries of nodes without one go last, in their order (a stable sort).
// The source node itself is at 0: Vivaldi's distance from a coordinate to itself (twice its
// height and adjustment) is an artefact, and on a fast LAN it can exceed the estimate to a
// neighbour whose adjustment is negative, which would put another node before `_agent`'s own.
import type { CoordinateEntry, Indexed } from '@proconsul/catalog';
import { distanceSeconds, type Coordinate } from '@proconsul/gossip';
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';

export const NEAR_AGENT = '_agent';

/** The node an entry is about: `Node` as a string (catalog, checks) or `Node.Node` (health/service). */
function nodeOf(item: unknown): string | undefined {
  const n = (item as { Node?: unknown } | null)?.Node;
  if (typeof n === 'string') return n;
  const inner = (n as { Node?: unknown } | null)?.Node;
  return typeof inner === 'string' ? inner : undefined;
}

/** `items` ordered by estimated RTT from `source` (coordinates of the default segment). */
export function sortByDistance<T>(items: T[], source: string, coords: readonly CoordinateEntry[]): T[] {
  const byNode = new Map<string, Coordinate>();
  for (const c of coords) if (c.Segment === '') byNode.set(c.Node.toLowerCase(), c.Coord);
  const from = byNode.get(source.toLowerCase());
  if (!from) return items;
  const self = source.toLowerCase();
  const dist = (item: T): number => {
    const name = nodeOf(item);
    if (name !== undefined && name.toLowerCase() === self) return 0;
    const to = name === undefined ? undefined : byNode.get(name.toLowerCase());
    if (!to || to.Vec.length !== from.Vec.length) return Number.POSITIVE_INFINITY;
    return distanceSeconds(from, to);
  };
  return items
    .map((item, i) => ({ item, i, d: dist(item) }))
    .sort((a, b) => (a.d === b.d ? a.i - b.i : a.d < b.d ? -1 : 1))
    .map((e) => e.item);
}

/** Wraps a list read so `?near` sorts its result; `near=_agent` is this agent's node. */
export function nearSorted<T>(ctx: AgentContext, near: string | undefined, read: () => Indexed<T[]>): () => Indexed<T[]> {
  if (!near) return read;
  const source = near === NEAR_AGENT ? ctx.config.nodeName : near;
  return () => {
    const r = read();
    return { ...r, value: sortByDistance(r.value, source, ctx.catalog.coordinates().value) };
  };
}

/**
 * `near=_agent` names the agent the user asked, so it is resolved here before a request is
 * forwarded to the leader (Consul resolves it in the HTTP layer, before the RPC).
 */
export function resolveNearAgent(app: FastifyInstance, nodeName: string): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const url = req.raw.url ?? '';
    const q = url.indexOf('?');
    if (q >= 0 && /(^|&)near=_agent(&|$)/.test(url.slice(q + 1))) {
      req.raw.url = url.slice(0, q + 1) + url.slice(q + 1).replace(/(^|&)near=_agent(?=&|$)/, `$1near=${encodeURIComponent(nodeName)}`);
    }
    done();
  });
}
