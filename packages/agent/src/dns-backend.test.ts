import { Catalog } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import type { ClusterRole } from './cluster/role.js';
import { catalogDnsBackend } from './dns-backend.js';
import type { ForwardedRequest, ForwardedResponse } from './rpc/messages.js';

/** A ClusterRole (our seam) that answers other datacenters from a table and records what was asked. */
function fakeCluster(answers: Record<string, unknown>): { cluster: ClusterRole; asked: Array<{ dc: string; url: string }> } {
  const asked: Array<{ dc: string; url: string }> = [];
  const cluster = {
    forwardToDatacenter: async (dc: string, req: ForwardedRequest): Promise<ForwardedResponse> => {
      asked.push({ dc, url: req.url });
      const body = answers[`${dc} ${req.url}`];
      if (body === undefined) return { status: 404, headers: {}, body: Buffer.from('') };
      return { status: 200, headers: {}, body: Buffer.from(JSON.stringify(body)) };
    },
    datacenters: async () => ['dc1', 'dc2'],
  } as unknown as ClusterRole;
  return { cluster, asked };
}

describe('catalogDnsBackend.reverseLookup', () => {
  it('maps a node address to the node, else a service address to the service, by value', async () => {
    const catalog = new Catalog();
    catalog.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1' });
    catalog.apply(2, { Type: 'Register', Node: 'n2', Address: '10.0.0.2', Service: { ID: 'db1', Service: 'db', Address: '2001:db8::7', Port: 5432 } });
    const dns = catalogDnsBackend(catalog, 'dc1', fakeCluster({}).cluster);
    expect(await dns.reverseLookup!('10.0.0.1', 'dc1')).toEqual({ node: 'n1', datacenter: 'dc1' });
    expect(await dns.reverseLookup!('2001:db8:0:0::7', 'dc1')).toEqual({ service: 'db', datacenter: 'dc1' });
    expect(await dns.reverseLookup!('10.0.0.9', 'dc1')).toBeUndefined();
    expect(await dns.reverseLookup!('10.0.0.1', 'dc2')).toBeUndefined();
  });
});

describe('catalogDnsBackend in another datacenter', () => {
  it('asks a server of that datacenter with ?stale and labels the answers with it', async () => {
    const catalog = new Catalog();
    const entry = {
      Node: { Node: 'far', Address: '10.2.0.1', Datacenter: 'dc2' },
      Service: { ID: 'web1', Service: 'web', Tags: ['v2'], Address: '', Port: 80, Weights: { Passing: 1, Warning: 1 } },
      Checks: [{ Status: 'passing' }],
    };
    const { cluster, asked } = fakeCluster({
      'dc2 /v1/health/service/web?stale': [entry],
      'dc2 /v1/catalog/node/far?stale': { Node: entry.Node },
    });
    const dns = catalogDnsBackend(catalog, 'dc1', cluster);
    const [inst] = await dns.serviceInstances('web', 'dc2');
    expect(inst).toMatchObject({ node: 'far', datacenter: 'dc2', port: 80, tags: ['v2'], health: 'passing' });
    expect(await dns.node('far', 'dc2')).toMatchObject({ name: 'far', address: '10.2.0.1', datacenter: 'dc2' });
    expect(await dns.node('gone', 'dc2')).toBeUndefined();
    expect(await dns.serviceInstances('web', 'dc1')).toEqual([]); // the local catalog, not forwarded
    expect(asked.map((a) => a.dc)).toEqual(['dc2', 'dc2', 'dc2']);
    expect(await dns.datacenters()).toEqual(['dc1', 'dc2']);
  });
});
