/**
 * Failover of a prepared query to other datacenters and cluster peers (Consul's queryFailover,
 * agent/consul/prepared_query_endpoint.go): when the local datacenter has no instance left
 * after filtering, try the `NearestN` nearest other datacenters, then the listed `Datacenters`
 * (or `Targets`) in order: a datacenter not tried yet and known to the WAN pool, or a peer,
 * until one answers with instances. `Failovers` counts the attempts.
 *
 * The remote side runs the whole query it is sent (it does not have it in its state), so the
 * seam ships the query, not its name. A peer target is run here, as Consul's ExecuteRemote to
 * its own datacenter, on what that peer exported to this cluster.
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
    if (t.Peer !== '') out.push({ datacenter: '', peer: t.Peer });
  }
  return out;
}

/** Runs a query here as ExecuteRemote does (ACL filter, shuffle, limit; no failover). */
export type ExecuteHere = (query: PreparedQuery, options: RemoteOptions) => ExecuteResponse;

/**
 * Tries the failover targets in order and fills `reply` from the first that answers (the
 * last answer when none has instances). A target that cannot be reached is skipped. A peer
 * target runs the query here with its `Peer` set to that peer: the answer has the peer's
 * instances, `PeerName` set and an empty `Datacenter`, as Consul's execute stamps it.
 */
export async function queryFailover(
  seams: QuerySeams,
  executeHere: ExecuteHere,
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
    const asked = { ...query, Service: { ...query.Service, Peer: target.peer } };
    const where = { service: query.Service.Service, peerName: target.peer, datacenter: target.datacenter };
    let remote: ExecuteResponse | 'no-path';
    try {
      remote = target.peer !== '' ? executeHere(asked, options) : await seams.executeRemote(target.datacenter, asked, options);
    } catch (err) {
      warn('Failed querying for service in datacenter', { ...where, error: (err as Error).message });
      continue;
    }
    if (remote === 'no-path') {
      warn('Failed querying for service in datacenter', { ...where, error: 'No path to datacenter' });
      continue;
    }
    reply.Service = remote.Service;
    reply.Nodes = remote.Nodes ?? [];
    reply.DNS = remote.DNS;
    reply.Datacenter = remote.Datacenter;
    reply.PeerName = remote.PeerName ?? '';
    if (reply.Nodes.length > 0) break;
  }
  reply.Failovers = failovers;
}
