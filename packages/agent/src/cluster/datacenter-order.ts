// The order in which /v1/catalog/datacenters (and the DNS and prepared-query failover that
// follow it) list datacenters: Consul's GetDatacentersByDistance. Per datacenter, the median
// estimated round trip from this server's WAN coordinate to that datacenter's servers (every
// server of the local datacenter counts as 0; a server without a coordinate as +Infinity);
// datacenters sorted by that median, ties (no coordinates at all) in name order.
import { distanceSeconds, type Coordinate } from '@proconsul/gossip';

export interface DatacenterServer {
  datacenter: string;
  /** Its last WAN coordinate; undefined when none is known yet. */
  coord: Coordinate | undefined;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** lib.ComputeDistance: +Infinity when either side has no (compatible) coordinate. */
function rtt(from: Coordinate | undefined, to: Coordinate | undefined): number {
  if (!from || !to || from.Vec.length !== to.Vec.length) return Number.POSITIVE_INFINITY;
  return distanceSeconds(from, to);
}

/** `names` (each datacenter once) nearest first from `own` (this server's WAN coordinate). */
export function datacentersByDistance(names: readonly string[], local: string, own: Coordinate | undefined, servers: readonly DatacenterServer[]): string[] {
  const rtts = new Map<string, number[]>();
  for (const s of servers) {
    const list = rtts.get(s.datacenter) ?? [];
    list.push(s.datacenter === local ? 0 : rtt(own, s.coord));
    rtts.set(s.datacenter, list);
  }
  const median = (dc: string): number => {
    if (dc === local) return 0;
    const list = (rtts.get(dc) ?? []).sort((a, b) => a - b);
    return list.length === 0 ? Number.POSITIVE_INFINITY : list[Math.floor(list.length / 2)]!;
  };
  const withDistance = [...names].sort(byName).map((name) => ({ name, d: median(name) }));
  // A stable sort by distance after the name sort, as Consul does; Infinity ties keep name order.
  return withDistance.sort((a, b) => (a.d === b.d ? 0 : a.d < b.d ? -1 : 1)).map((e) => e.name);
}
