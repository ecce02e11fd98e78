/**
 * DNS answers as the agent's DNS token sees the catalog (Consul answers DNS with
 * acl.tokens.dns, else acl.tokens.default, else anonymous): services need service:read,
 * their nodes node:read. The token is resolved by `resolver` when given (a secondary
 * datacenter without token replication resolves it in the primary), else from the state.
 */
import type { Catalog } from '@proconsul/catalog';
import type { DnsBackend } from '@proconsul/dns';
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
  return {
    async serviceInstances(service, dc) {
      const a = await authz();
      if (!a.allowed('service', service, 'read')) return [];
      return (await inner.serviceInstances(service, dc)).filter((i) => a.allowed('node', i.node, 'read'));
    },
    ...(inner.connectInstances
      ? {
          async connectInstances(service: string, dc: string) {
            const a = await authz();
            if (!a.allowed('service', service, 'read')) return [];
            return (await inner.connectInstances!(service, dc)).filter((i) => a.allowed('node', i.node, 'read'));
          },
        }
      : {}),
    async node(name, dc) {
      return (await authz()).allowed('node', name, 'read') ? inner.node(name, dc) : undefined;
    },
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
