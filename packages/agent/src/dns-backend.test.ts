import { Catalog } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import { catalogDnsBackend } from './dns-backend.js';

describe('catalogDnsBackend.reverseLookup', () => {
  it('maps a node address to the node, else a service address to the service, by value', async () => {
    const catalog = new Catalog();
    catalog.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1' });
    catalog.apply(2, { Type: 'Register', Node: 'n2', Address: '10.0.0.2', Service: { ID: 'db1', Service: 'db', Address: '2001:db8::7', Port: 5432 } });
    const dns = catalogDnsBackend(catalog, 'dc1');
    expect(await dns.reverseLookup!('10.0.0.1', 'dc1')).toEqual({ node: 'n1', datacenter: 'dc1' });
    expect(await dns.reverseLookup!('2001:db8:0:0::7', 'dc1')).toEqual({ service: 'db', datacenter: 'dc1' });
    expect(await dns.reverseLookup!('10.0.0.9', 'dc1')).toBeUndefined();
    expect(await dns.reverseLookup!('10.0.0.1', 'dc2')).toBeUndefined();
  });
});
