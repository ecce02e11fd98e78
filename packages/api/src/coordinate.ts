/** /v1/coordinate/*: network coordinates (serf's Vivaldi coordinates, in seconds). */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';

/** serf's coordinate.Coordinate. */
export interface NetworkCoordinate {
  Vec: number[];
  Error: number;
  Adjustment: number;
  Height: number;
}

/** api.CoordinateEntry. */
export interface CoordinateEntry {
  Node: string;
  Segment: string;
  Coord: NetworkCoordinate;
}

/** api.CoordinateDatacenterMap: the WAN coordinates of one datacenter's servers. */
export interface CoordinateDatacenterMap {
  Datacenter: string;
  AreaID: string;
  Coordinates: CoordinateEntry[];
}

export class Coordinate {
  constructor(private readonly http: HttpClient) {}

  /** The WAN coordinates of every datacenter's servers. */
  async datacenters(opts: WriteOptions = {}): Promise<CoordinateDatacenterMap[]> {
    return (await this.http.json<CoordinateDatacenterMap[]>({ method: 'GET', path: '/coordinate/datacenters', token: opts.token, signal: opts.signal })).data ?? [];
  }

  /** The LAN coordinates of every node (blocking). */
  async nodes(opts: QueryOptions = {}): Promise<QueryResult<CoordinateEntry[]>> {
    const res = await this.http.json<CoordinateEntry[]>({ method: 'GET', path: '/coordinate/nodes', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  /** One node's LAN coordinates (a ConsulError 404 when it has none). */
  async node(node: string, opts: QueryOptions = {}): Promise<QueryResult<CoordinateEntry[]>> {
    const res = await this.http.json<CoordinateEntry[]>({ method: 'GET', path: `/coordinate/node/${encodeURIComponent(node)}`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  /** Sends a node's coordinate to the servers (agents do this themselves periodically). */
  async update(entry: CoordinateEntry, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'PUT', path: '/coordinate/update', params: writeParams(opts, this.http.datacenter), body: entry, token: opts.token, signal: opts.signal });
  }
}
