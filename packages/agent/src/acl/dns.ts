/**
 * DNS answers as the agent's DNS token sees the catalog (Consul answers DNS with
 * acl.tokens.dns, else acl.tokens.default, else anonymous): services need service:read,
 * their nodes node:read. The token is resolved by `resolver` when given (a secondary
 * datacenter without token replication resolves it in the primary), else from the state.
 */
import type { Catalog } from '@proconsul/catalog';
import type { DnsBackend, DnsServiceInstance } from '@proconsul/dns';
import type { AclConfig } from './config.js';
import { AclResolver, type Identity } from './resolver.js';

export function aclDnsBackend(
  inner: DnsBackend,
  acl: AclConfig,
  catalog: Catalog,
  nodeName: string,
  datacenter: string,
  resolver: { resolve(secret: string): Identity | Promise<Identity> } = new AclResolver(acl, () => catalog.acl, nodeName, datacenter),
): DnsBackend {
  if (!acl.enabled) return inner;
  const authz = async (): Promise<Identity['authz']> => (await resolver.resolve(acl.tokens.dns)).authz;
  const generation = inner.generation?.bind(inner);
  // A lookup of a service's instances (its own, its proxies, its ingress gateways, a peer's): service:read
  // on the service, then node:read on each instance's node.
  type Lookup = (service: string, dcOrPeer: string) => Promise<DnsServiceInstance[]>;
  const guarded = (lookup: Lookup): Lookup => async (service, dcOrPeer) => {
    const a = await authz();
    if (!a.allowed('service', service, 'read')) return [];
    return (await lookup.call(inner, service, dcOrPeer)).filter((i) => a.allowed('node', i.node, 'read'));
  };
  return {
    serviceInstances: guarded(inner.serviceInstances),
    ...(inner.connectInstances ? { connectInstances: guarded(inner.connectInstances) } : {}),
    ...(inner.ingressInstances ? { ingressInstances: guarded(inner.ingressInstances) } : {}),
    async node(name, dc) {
      return (await authz()).allowed('node', name, 'read') ? inner.node(name, dc) : undefined;
    },
    // A peer's services and nodes are read with the same rules as local ones (by name).
    ...(inner.peerServiceInstances ? { peerServiceInstances: guarded(inner.peerServiceInstances) } : {}),
    ...(inner.peerNode
      ? {
          async peerNode(name: string, peer: string) {
            return (await authz()).allowed('node', name, 'read') ? inner.peerNode!(name, peer) : undefined;
          },
        }
      : {}),
    // Catalog.VirtualIPForService needs service:read on the service.
    ...(inner.virtualIP
      ? {
          async virtualIP(service: string, peer: string) {
            return (await authz()).allowed('service', service, 'read') ? inner.virtualIP!(service, peer) : '';
          },
        }
      : {}),
    datacenters: () => inner.datacenters(),
    ...(inner.reverseLookup
      ? {
          async reverseLookup(address: string, dc: string) {
            const r = await inner.reverseLookup!(address, dc);
            if (!r) return undefined;
            const a = await authz();
            return ('node' in r ? a.allowed('node', r.node, 'read') : a.allowed('service', r.service, 'read')) ? r : undefined;
          },
        }
      : {}),
    // Answers change with the catalog and with the ACL tables.
    ...(generation ? { generation: () => generation() + catalog.acl.index } : {}),
  };
}
