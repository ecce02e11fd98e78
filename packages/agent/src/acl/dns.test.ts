// The DNS backend as the agent's DNS token sees it: service:read on the service a lookup names
// (its instances, its proxies, its ingress gateways, a peer's), node:read on each answer's node.
import type { Catalog } from '@proconsul/catalog';
import type { DnsBackend, DnsServiceInstance } from '@proconsul/dns';
import { describe, expect, it } from 'vitest';
import type { Authorizer } from './authorizer.js';
import type { AclConfig } from './config.js';
import { aclDnsBackend } from './dns.js';

const at = (node: string, serviceName: string): DnsServiceInstance => ({ node, nodeAddress: '10.0.0.1', datacenter: 'dc1', serviceId: serviceName, serviceName, port: 1, tags: [], health: 'passing' });
const inner: DnsBackend = {
  serviceInstances: async () => [at('n1', 'web'), at('hidden', 'web')],
  connectInstances: async () => [at('n1', 'web-sidecar-proxy'), at('hidden', 'web-sidecar-proxy')],
  ingressInstances: async () => [at('n1', 'ig'), at('hidden', 'ig')],
  peerServiceInstances: async () => [at('n1', 'web'), at('hidden', 'web')],
  node: async () => undefined,
  peerNode: async (name) => ({ name, address: '10.0.0.1', datacenter: 'dc-a' }),
  datacenters: async () => ['dc1'],
};
const authz = { allowed: (resource: string, name: string) => (resource === 'service' ? name === 'web' : name === 'n1') } as unknown as Authorizer;
const acl = { enabled: true, tokens: { dns: '' } } as unknown as AclConfig;

describe('DNS lookups with ACLs', () => {
  it('needs service:read on the named service and node:read on each answer, for every kind of lookup', async () => {
    const b = aclDnsBackend(inner, acl, { acl: { index: 0 } } as unknown as Catalog, 'n1', 'dc1', { resolve: () => ({ accessorId: 'x', authz }) });
    for (const lookup of [b.serviceInstances, b.connectInstances!, b.ingressInstances!, b.peerServiceInstances!]) {
      expect((await lookup('web', 'dc1')).map((i) => i.node)).toEqual(['n1']);
      expect(await lookup('db', 'dc1')).toEqual([]);
    }
    // A cluster peer's node, by its name.
    expect((await b.peerNode!('n1', 'cluster-a'))?.name).toBe('n1');
    expect(await b.peerNode!('hidden', 'cluster-a')).toBeUndefined();
  });
});
