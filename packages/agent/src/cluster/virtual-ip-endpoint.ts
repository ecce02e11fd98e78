// The `Catalog.VirtualIPForService` RPC (Consul's agent/consul/catalog_endpoint.go
// VirtualIPForService): the virtual IP the servers allocated to a service name, or to a peer's
// imported one; '' when it has none. A client agent's DNS asks it for `<svc>.virtual.consul`
// (agent/dns.go, the `virtual` branch), so a name whose address comes from a resolver, router,
// splitter or terminating gateway answers there as it does on a server. The leader answers
// (Consul's call sets no AllowStale) after service:read on the name with the caller's token.
import { permissionDenied } from '../acl/enforce.js';
import type { ExactResolver } from '../acl/resolver.js';
import type { AgentContext } from '../context.js';
import type { ServerCluster } from './server-cluster.js';

export const VIRTUAL_IP_FOR_SERVICE = 'Catalog.VirtualIPForService';

/** structs.ServiceSpecificRequest, the fields this method reads; Hops: passed on to the leader. */
export interface VirtualIPCall {
  ServiceName: string;
  PeerName: string;
  Token?: string;
  Hops?: number;
}

/** A bound on the names a call may carry (a DNS label, where they come from, is at most 63 bytes). */
const NAME_BYTES_MAX = 1024;
const LEADER_TIMEOUT_MS = 30_000;

function parseCall(body: unknown): VirtualIPCall {
  const b = body as Partial<VirtualIPCall> | null;
  const name = (v: unknown): v is string => typeof v === 'string' && v.length <= NAME_BYTES_MAX;
  if (!name(b?.ServiceName) || b.ServiceName === '') throw new Error('missing ServiceName');
  return {
    ServiceName: b.ServiceName,
    PeerName: name(b.PeerName) ? b.PeerName : '',
    Token: typeof b.Token === 'string' ? b.Token : '',
    ...(typeof b.Hops === 'number' ? { Hops: b.Hops } : {}),
  };
}

export function serveVirtualIPForService(cluster: ServerCluster, ctx: AgentContext, resolver: ExactResolver): void {
  cluster.rpc.handle(VIRTUAL_IP_FOR_SERVICE, async (body) => {
    const call = parseCall(body);
    return cluster.onLeader(VIRTUAL_IP_FOR_SERVICE, call, LEADER_TIMEOUT_MS, true, async (): Promise<string> => {
      await cluster.readBarrier('lease');
      if (resolver.enabled) {
        const id = await resolver.resolveExact(call.Token ?? '');
        if (!id.authz.allowed('service', call.ServiceName, 'read')) throw permissionDenied(id, { resource: 'service', need: 'read', name: call.ServiceName });
      }
      return ctx.catalog.virtualIPForService(call.ServiceName, call.PeerName);
    });
  });
}
