/**
 * Finding an instance of an upstream (Consul's connect/resolver.go ConsulResolver): a passing
 * connect-capable instance from /v1/health/connect/:name, or the nodes of a prepared query run
 * with `connect=true`, read stale from any server; one picked at random; the identity it must
 * present is the SPIFFE ID of the service it fronts.
 */
import type { Consul, ServiceEntry } from '@proconsul/api';
import type { UpstreamConfig } from './config.js';
import type { SpiffeIdService } from './spiffe.js';

export interface ResolvedInstance {
  host: string;
  port: number;
  /** What the instance's certificate must name. */
  identity: SpiffeIdService;
}

/** Picks a random index below n (a seam for tests). */
export type Pick = (n: number) => number;

const randomPick: Pick = (n) => Math.floor(Math.random() * n);

export async function resolveUpstream(
  client: Consul,
  u: UpstreamConfig,
  trustDomain: string,
  signal: AbortSignal,
  pick: Pick = randomPick,
): Promise<ResolvedInstance> {
  if (!trustDomain) throw new Error('cluster trust domain empty, connect not bootstrapped');
  const opts = { stale: true, signal, ...(u.datacenter ? { datacenter: u.datacenter } : {}) };
  let entries: ServiceEntry[];
  if (u.destinationType === 'prepared_query') {
    entries = (await client.query.execute(u.destinationName, { ...opts, connect: true })).data.Nodes;
  } else {
    entries = (await client.health.connect(u.destinationName, { ...opts, passing: true })).data;
  }
  if (entries.length < 1) throw new Error('no healthy instances found');
  return instanceOf(entries[entries.length > 1 ? pick(entries.length) : 0]!, trustDomain);
}

/** Consul's resolveServiceEntry: address (the node's when the service has none), port, identity. */
export function instanceOf(entry: ServiceEntry, trustDomain: string): ResolvedInstance {
  const svc = entry.Service;
  const proxy = svc.Proxy as { DestinationServiceName?: string } | undefined;
  const native = (svc.Connect as { Native?: boolean } | undefined)?.Native === true;
  const service = native ? svc.Service : (proxy?.DestinationServiceName ?? '');
  // Shouldn't happen, but guards against an agent answering with a non-Connect instance.
  if (!service) throw new Error('not a valid connect service');
  return {
    host: svc.Address || entry.Node.Address,
    port: svc.Port ?? 0,
    identity: { host: trustDomain, partition: 'default', namespace: 'default', datacenter: entry.Node.Datacenter, service },
  };
}
