/**
 * Failover of a prepared query to other datacenters (Consul's queryFailover): when the local
 * datacenter has no instance left after filtering, try the `NearestN` nearest other
 * datacenters, then the listed `Datacenters` (or `Targets`) not tried yet and known to the
 * WAN pool, in order, until one answers with instances. `Failovers` counts the attempts.
 *
 * The remote side runs the whole query it is sent (it does not have it in its state), so the
 * seam ships the query, not its name. Until the WAN pool and `?dc=` forwarding land, the
 * default seams know no other datacenter, so nothing is tried.
 */
import type { PreparedQuery, ServiceEntry } from '@proconsul/catalog';

/** `structs.PreparedQueryExecuteResponse` (without the QueryMeta the HTTP layer adds). */
export interface ExecuteResponse {
  Service: string;
  Nodes: ServiceEntry[];
  DNS: { TTL: string };
  Datacenter: string;
  PeerName: string;
  Failovers: number;
}

export interface RemoteOptions {
  limit: number;
  connect: boolean;
  /** The caller's token (the query's own Token travels inside the query). */
  token: string;
}

/** What failover needs from the WAN side, and the coordinate sort; injected so both can be tested. */
export interface QuerySeams {
  /** Every other datacenter, nearest first (Consul's GetDatacentersByDistance minus the local one). */
  otherDatacenters(): Promise<string[]>;
  /** Runs `query` in `dc` as its ExecuteRemote does; 'no-path' when that datacenter cannot be reached. */
  executeRemote(dc: string, query: PreparedQuery, options: RemoteOptions): Promise<ExecuteResponse | 'no-path'>;
  /**
   * Sorts `nodes` in place by estimated round trip from `node` (network coordinates); leaves
   * them as they are when there are no coordinates (they were shuffled before).
   */
  sortByDistance(source: { node: string; datacenter: string }, nodes: ServiceEntry[]): Promise<void>;
}

/** No WAN pool and no coordinates: no other datacenter is known, the order is the shuffle's. */
export const LOCAL_ONLY_SEAMS: QuerySeams = {
  otherDatacenters: async () => [],
  executeRemote: async () => 'no-path',
  sortByDistance: async () => undefined,
};

/** The datacenters to try, in order (NearestN first, then the list; unknown ones skipped, none twice). */
export function failoverTargets(query: PreparedQuery, nearest: string[]): Array<{ datacenter: string; peer: string }> {
  const known = new Set(nearest);
  const tried = new Set<string>();
  const out: Array<{ datacenter: string; peer: string }> = [];
  const f = query.Service.Failover;
  if (f.NearestN > 0) {
    for (const dc of nearest.slice(0, f.NearestN)) {
      out.push({ datacenter: dc, peer: '' });
      tried.add(dc);
    }
  }
  const listed = (f.Datacenters?.length ?? 0) > 0 ? f.Datacenters!.map((dc) => ({ Datacenter: dc, Peer: '' })) : (f.Targets ?? []);
  for (const t of listed) {
    if (t.Datacenter !== '' && known.has(t.Datacenter) && !tried.has(t.Datacenter)) {
      out.push({ datacenter: t.Datacenter, peer: '' });
      tried.add(t.Datacenter);
    }
    // Cluster peering does not exist here: a peer target is an attempt that finds nothing.
    if (t.Peer !== '') out.push({ datacenter: '', peer: t.Peer });
  }
  return out;
}

/**
 * Tries the failover targets in order and fills `reply` from the first that answers (the
 * last answer when none has instances). A target that cannot be reached is skipped.
 */
export async function queryFailover(
  seams: QuerySeams,
  query: PreparedQuery,
  options: RemoteOptions,
  reply: ExecuteResponse,
  warn: (msg: string, fields: object) => void,
): Promise<void> {
  const targets = failoverTargets(query, await seams.otherDatacenters());
  let failovers = 0;
  for (const target of targets) {
    failovers++;
    reply.Nodes = [];
    if (target.peer !== '') continue;
    let remote: ExecuteResponse | 'no-path';
    try {
      remote = await seams.executeRemote(target.datacenter, query, options);
    } catch (err) {
      warn('Failed querying for service in datacenter', { service: query.Service.Service, datacenter: target.datacenter, error: (err as Error).message });
      continue;
    }
    if (remote === 'no-path') {
      warn('Failed querying for service in datacenter', { service: query.Service.Service, datacenter: target.datacenter, error: 'No path to datacenter' });
      continue;
    }
    reply.Service = remote.Service;
    reply.Nodes = remote.Nodes ?? [];
    reply.DNS = remote.DNS;
    reply.Datacenter = remote.Datacenter;
    if (reply.Nodes.length > 0) break;
  }
  reply.Failovers = failovers;
}
