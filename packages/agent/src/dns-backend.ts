// The DNS server's view of the catalog: service instances with their aggregated health,
// and nodes. A server reads its own state machine directly (DNS allows stale reads by
// default); names in another datacenter (`web.service.dc2.consul`) and everything on a client
// agent are `?stale` HTTP reads answered by a server of that datacenter (forwardedDnsBackend),
// except virtual IPs, which a client asks its servers for with a typed RPC.
import type { Catalog, CatalogNode, HealthCheck, ServiceEntry } from '@proconsul/catalog';
import { isAclError } from './acl/agent-tokens.js';
import type { ClusterRole } from './cluster/role.js';
import { VIRTUAL_IP_FOR_SERVICE, type VirtualIPCall } from './cluster/virtual-ip-endpoint.js';
import type { ForwardedRequest, ForwardedResponse } from './rpc/messages.js';
import type { DnsBackend, DnsHealth, DnsNode, DnsServiceInstance } from '@proconsul/dns';

export function catalogDnsBackend(catalog: Catalog, datacenter: string, cluster: ClusterRole): DnsBackend {
  const remote = forwardedDnsBackend(cluster, datacenter);
  return {
    async serviceInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
      if (dc !== datacenter) return remote.serviceInstances(service, dc);
      return catalog.checkServiceNodes(service, {}).value.map((e) => toInstance(e, datacenter));
    },
    async connectInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
      if (dc !== datacenter) return remote.connectInstances!(service, dc);
      return catalog.checkConnectServiceNodes(service, {}).value.map((e) => toInstance(e, datacenter));
    },
    async ingressInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
      if (dc !== datacenter) return remote.ingressInstances!(service, dc);
      return catalog.checkIngressServiceNodes(service, {}).value.map((e) => toInstance(e, datacenter));
    },
    async node(name: string, dc: string): Promise<DnsNode | undefined> {
      if (dc !== datacenter) return remote.node(name, dc);
      const n = catalog.getNode(name);
      return n ? toDnsNode(n, datacenter) : undefined;
    },
    // A cluster peer's exports are in this server's own state (imported through Raft).
    async peerServiceInstances(service: string, peer: string): Promise<DnsServiceInstance[]> {
      return catalog.importedServiceEntries(peer, service, {}).value.map((e) => toInstance(e, e.Node.Datacenter));
    },
    async peerNode(name: string, peer: string): Promise<DnsNode | undefined> {
      const n = catalog.importedNode(peer, name).value?.Node;
      return n ? toDnsNode(n, n.Datacenter) : undefined;
    },
    // Catalog.VirtualIPForService: keyed by peer ('' here) and service.
    async virtualIP(service: string, peer: string): Promise<string> {
      return catalog.virtualIPForService(service, peer);
    },
    datacenters: () => cluster.datacenters(),
    // PTR: a node whose address it is, else a service instance registered with that address.
    async reverseLookup(address: string, dc: string) {
      if (dc !== datacenter) return undefined;
      const want = canonicalIP(address);
      const node = catalog.nodes().value.find((n) => canonicalIP(n.Address) === want);
      if (node) return { node: node.Node, datacenter };
      for (const name of Object.keys(catalog.services().value)) {
        if (catalog.serviceNodes(name).value.some((s) => s.ServiceAddress !== '' && canonicalIP(s.ServiceAddress) === want)) {
          return { service: name, datacenter };
        }
      }
      return undefined;
    },
    generation(): number {
      return catalog.lastIndex;
    },
  };
}

/** IPv6 addresses compare by value ("::1" = "0:0::1"); the URL parser gives their RFC 5952 form. */
function canonicalIP(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return address;
  }
}

function toDnsNode(n: CatalogNode, datacenter: string): DnsNode {
  return {
    name: n.Node,
    address: n.Address,
    datacenter,
    ...(n.TaggedAddresses ? { taggedAddresses: n.TaggedAddresses } : {}),
    ...(n.Meta ? { meta: n.Meta } : {}),
  };
}

export function toInstance(e: ServiceEntry, datacenter: string): DnsServiceInstance {
  const tagged = Object.fromEntries(Object.entries(e.Service.TaggedAddresses ?? {}).map(([k, v]) => [k, v.Address]));
  return {
    node: e.Node.Node,
    nodeAddress: e.Node.Address,
    datacenter,
    ...(e.Node.TaggedAddresses ? { nodeTaggedAddresses: e.Node.TaggedAddresses } : {}),
    ...(e.Node.Meta ? { nodeMeta: e.Node.Meta } : {}),
    serviceId: e.Service.ID,
    serviceName: e.Service.Service,
    serviceAddress: e.Service.Address,
    serviceTaggedAddresses: tagged,
    port: e.Service.Port ?? 0,
    tags: e.Service.Tags,
    weights: { passing: e.Service.Weights.Passing, warning: e.Service.Weights.Warning },
    health: worst(e.Checks),
  };
}

function worst(checks: HealthCheck[]): DnsHealth {
  let h: DnsHealth = 'passing';
  for (const c of checks) {
    if (c.Status === 'critical') return 'critical';
    if (c.Status === 'warning') h = 'warning';
  }
  return h;
}

const REMOTE_READ_TIMEOUT_MS = 5_000;

/** How a DNS lookup reads from the servers: directly, or through the agent cache (dns_config.use_cache). */
export type DnsRead = (req: ForwardedRequest, dc: string, timeoutMs: number) => Promise<ForwardedResponse>;

/** A server of datacenter `dc` answers (this datacenter's through cluster.forward). */
export function serverRead(cluster: ClusterRole, datacenter: string): DnsRead {
  return (req, dc, timeoutMs) => (dc === datacenter ? cluster.forward(req, timeoutMs) : cluster.forwardToDatacenter(dc, req, timeoutMs));
}

/**
 * Lookups answered by a server over agent RPC, as `?stale` reads (Consul's dns_config.allow_stale
 * default): a client agent's for its own datacenter, and anyone's for another datacenter
 * (ClusterRole.forwardToDatacenter: the WAN router of a server); with the agent's DNS token
 * (`token()`), so the server filters what it may see.
 */
export function forwardedDnsBackend(cluster: ClusterRole, datacenter: string, token: () => string = () => '', read: DnsRead = serverRead(cluster, datacenter)): DnsBackend {
  const get = async <T>(url: string, dc: string): Promise<T | undefined> => {
    const t = token();
    const req: ForwardedRequest = { method: 'GET', url, headers: t !== '' ? { 'x-consul-token': t } : {} };
    const res = await read(req, dc, REMOTE_READ_TIMEOUT_MS);
    // 403: the token may not see it, which DNS answers as a name that does not exist.
    if (res.status === 404 || res.status === 403) return undefined;
    const text = Buffer.from(res.body).toString();
    if (res.status !== 200) throw new Error(`GET ${url} in ${dc}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    async serviceInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
      const entries = (await get<ServiceEntry[]>(`/v1/health/service/${encodeURIComponent(service)}?stale`, dc)) ?? [];
      return entries.map((e) => toInstance(e, dc));
    },
    async connectInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
      const entries = (await get<ServiceEntry[]>(`/v1/health/connect/${encodeURIComponent(service)}?stale`, dc)) ?? [];
      return entries.map((e) => toInstance(e, dc));
    },
    async ingressInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
      const entries = (await get<ServiceEntry[]>(`/v1/health/ingress/${encodeURIComponent(service)}?stale`, dc)) ?? [];
      return entries.map((e) => toInstance(e, dc));
    },
    async node(name: string, dc: string): Promise<DnsNode | undefined> {
      const n = (await get<{ Node: CatalogNode } | null>(`/v1/catalog/node/${encodeURIComponent(name)}?stale`, dc))?.Node;
      return n ? toDnsNode(n, dc) : undefined;
    },
    async peerServiceInstances(service: string, peer: string): Promise<DnsServiceInstance[]> {
      const url = `/v1/health/service/${encodeURIComponent(service)}?peer=${encodeURIComponent(peer)}&stale`;
      const entries = (await get<ServiceEntry[]>(url, datacenter)) ?? [];
      return entries.map((e) => toInstance(e, e.Node.Datacenter));
    },
    async peerNode(name: string, peer: string): Promise<DnsNode | undefined> {
      const url = `/v1/catalog/node/${encodeURIComponent(name)}?peer=${encodeURIComponent(peer)}&stale`;
      const n = (await get<{ Node: CatalogNode } | null>(url, datacenter))?.Node;
      return n ? toDnsNode(n, n.Datacenter) : undefined;
    },
    // Consul has no HTTP route for it: its agent asks its servers with the Catalog.VirtualIPForService
    // RPC (agent/dns.go, `virtual`), which knows names whose address is not on a connect instance.
    async virtualIP(service: string, peer: string): Promise<string> {
      const call: VirtualIPCall = { ServiceName: service, PeerName: peer, Token: token() };
      try {
        return (await cluster.serverRpc(VIRTUAL_IP_FOR_SERVICE, call, REMOTE_READ_TIMEOUT_MS, true)) as string;
      } catch (err) {
        // As the HTTP reads above: a name the token may not read does not exist.
        if (isAclError(err)) return '';
        throw err;
      }
    },
    datacenters: () => cluster.datacenters(),
  };
}
