/**
 * DNS answers as the agent's DNS token sees the catalog (Consul answers DNS with
 * acl.tokens.dns, else acl.tokens.default, else anonymous): services need service:read,
 * their nodes node:read.
 */
import type { Catalog } from '@proconsul/catalog';
import type { DnsBackend } from '@proconsul/dns';
import type { AclConfig } from './config.js';
import { AclResolver } from './resolver.js';

export function aclDnsBackend(inner: DnsBackend, acl: AclConfig, catalog: Catalog, nodeName: string, datacenter: string): DnsBackend {
  if (!acl.enabled) return inner;
  const resolver = new AclResolver(acl, () => catalog.acl, nodeName, datacenter);
  const authz = () => resolver.resolve(acl.tokens.dns).authz;
  const generation = inner.generation?.bind(inner);
  return {
    async serviceInstances(service, dc) {
      const a = authz();
      if (!a.allowed('service', service, 'read')) return [];
      return (await inner.serviceInstances(service, dc)).filter((i) => a.allowed('node', i.node, 'read'));
    },
    async node(name, dc) {
      return authz().allowed('node', name, 'read') ? inner.node(name, dc) : undefined;
    },
    datacenters: () => inner.datacenters(),
    ...(inner.reverseLookup
      ? {
          async reverseLookup(address: string, dc: string) {
            const r = await inner.reverseLookup!(address, dc);
            if (!r) return undefined;
            const a = authz();
            return ('node' in r ? a.allowed('node', r.node, 'read') : a.allowed('service', r.service, 'read')) ? r : undefined;
          },
        }
      : {}),
    // Answers change with the catalog and with the ACL tables.
    ...(generation ? { generation: () => generation() + catalog.acl.index } : {}),
  };
}
