/** /v1/event/*: user events, spread by gossip. */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';
import type { UserEvent } from './types.js';

export interface FireOptions extends WriteOptions {
  /** Regular expression on node names. */
  node?: string;
  /** Regular expression on service names. */
  service?: string;
  /** Regular expression on tags; needs `service`. */
  tag?: string;
}

export class Event {
  constructor(private readonly http: HttpClient) {}

  /** Fires an event; the answer carries its ID (LTime is 0 until agents receive it). */
  async fire(name: string, payload?: string | Uint8Array, opts: FireOptions = {}): Promise<UserEvent> {
    const params = writeParams(opts, this.http.datacenter);
    if (opts.node) params.push(['node', opts.node]);
    if (opts.service) params.push(['service', opts.service]);
    if (opts.tag) params.push(['tag', opts.tag]);
    const res = await this.http.json<UserEvent>({ method: 'PUT', path: `/event/fire/${encodeURIComponent(name)}`, params, body: payload, token: opts.token, signal: opts.signal });
    return res.data;
  }

  /** The most recent events this agent has seen, oldest first; `name` filters by exact name. */
  async list(name = '', opts: QueryOptions = {}): Promise<QueryResult<UserEvent[]>> {
    const params = queryParams(opts, this.http.datacenter).filter(([k]) => k !== 'dc');
    if (name) params.unshift(['name', name]);
    const res = await this.http.json<UserEvent[]>({ method: 'GET', path: '/event/list', params, token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }
}

/**
 * Event IDs are UUIDs and the list index is derived from the newest one (first 16 hex
 * digits XOR last 16), so it is not monotonic; watchers compare it for equality only.
 */
export function eventIdToIndex(id: string): bigint {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return 0n;
  return BigInt('0x' + hex.slice(0, 16)) ^ BigInt('0x' + hex.slice(16));
}
