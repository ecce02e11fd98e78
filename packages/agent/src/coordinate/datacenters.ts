// GET /v1/coordinate/datacenters (Consul's Coordinate.ListDatacenters over its router's
// datacenter maps): per datacenter, the coordinates of its servers in the WAN area. Fed the
// servers of the local datacenter for now; the WAN pool feeds every datacenter's servers.
import type { CoordinateEntry, NetworkCoordinate } from '@proconsul/catalog';

/** Consul's types.AreaWAN. */
export const AREA_WAN = 'wan';

/** One element of the response (structs.DatacenterMap). */
export interface DatacenterMap {
  Datacenter: string;
  AreaID: string;
  Coordinates: CoordinateEntry[];
}

export interface ServerCoordinate {
  /** The member name; a WAN member's `.dc` suffix is stripped. */
  name: string;
  /** Undefined when no coordinate is known for it yet (it is then left out, as in Consul). */
  coord: NetworkCoordinate | undefined;
}

/** A datacenter's entry from its server members, sorted by node name (Consul's HTTP handler). */
export function datacenterMap(datacenter: string, servers: readonly ServerCoordinate[], areaId = AREA_WAN): DatacenterMap {
  const suffix = `.${datacenter}`;
  const Coordinates = servers
    .filter((s): s is ServerCoordinate & { coord: NetworkCoordinate } => s.coord !== undefined)
    .map((s) => ({ Node: s.name.endsWith(suffix) ? s.name.slice(0, -suffix.length) : s.name, Segment: '', Coord: s.coord }))
    .sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0));
  return { Datacenter: datacenter, AreaID: areaId, Coordinates };
}
