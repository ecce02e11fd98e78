// `<name>.query.consul` answered from the backend's executed prepared query, asked with dig.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsServer, DnsServiceInstance } from '../src/index.js';
import { dig, MemoryBackend, startServer, type Target } from './helpers.js';

const HOST = '127.0.76.20';

const inst = (node: string, address: string, dc: string, port: number): DnsServiceInstance => ({
  node,
  nodeAddress: address,
  datacenter: dc,
  serviceId: `web-${node}`,
  serviceName: 'web',
  port,
  tags: [],
  health: 'passing',
});

describe('prepared query lookups (dig)', () => {
  let backend: MemoryBackend;
  let server: DnsServer;
  let t: Target;

  beforeAll(async () => {
    backend = new MemoryBackend(['dc1', 'dc2']);
    // A sorted answer (near a node): the order must survive into DNS.
    backend.queries.set('near', {
      service: 'web',
      datacenter: 'dc1',
      ttl: 7,
      instances: [inst('c', '10.0.0.3', 'dc1', 83), inst('a', '10.0.0.1', 'dc1', 81), inst('b', '10.0.0.2', 'dc1', 82)],
    });
    // No DNS.TTL: the agent's service TTL applies; answered from a failover datacenter.
    backend.queries.set('failed-over', { service: 'web', datacenter: 'dc2', instances: [inst('far', '10.2.0.1', 'dc2', 8080)] });
    backend.queries.set('empty', { service: 'web', datacenter: 'dc1', instances: [] });
    ({ server, target: t } = await startServer(backend, HOST, { ttls: { node: 30, service: { web: 11 } } }));
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers A in the query's own order with its DNS TTL", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await dig(t, 'near.query.consul', 'A');
      expect(r.status).toBe('NOERROR');
      expect(r.answer.map((a) => a.data)).toEqual(['10.0.0.3', '10.0.0.1', '10.0.0.2']);
      expect(r.answer.every((a) => a.name === 'near.query.consul.' && a.ttl === 7)).toBe(true);
    }
  });

  it('answers SRV (also the RFC 2782 form) with targets in the datacenter that answered', async () => {
    const srv = await dig(t, '_failed-over._tcp.query.consul', 'SRV');
    expect(srv.status).toBe('NOERROR');
    expect(srv.answer.map((a) => `${a.ttl} ${a.data}`)).toEqual(['11 1 1 8080 far.node.dc2.consul.']);
    expect(srv.additional.map((a) => `${a.name} ${a.data}`)).toEqual(['far.node.dc2.consul. 10.2.0.1']);
    const plain = await dig(t, 'failed-over.query.consul', 'SRV');
    expect(plain.answer.map((a) => a.data)).toEqual(['1 1 8080 far.node.dc2.consul.']);
  });

  it('passes the datacenter label and the name (lowercased, as Consul) to the backend', async () => {
    backend.queryCalls.length = 0;
    await dig(t, 'NEAR.query.dc2.consul', 'A');
    expect(backend.queryCalls).toEqual([{ name: 'near', datacenter: 'dc2' }]);
    expect((await dig(t, 'near.query.dc9.consul', 'A')).status).toBe('NXDOMAIN');
  });

  it('an unknown query, or one without instances, is NXDOMAIN with the SOA', async () => {
    for (const name of ['nope.query.consul', 'empty.query.consul']) {
      const r = await dig(t, name, 'A');
      expect(r.status).toBe('NXDOMAIN');
      expect(r.authority.map((a) => a.type)).toEqual(['SOA']);
    }
  });

  it('a failing backend is SERVFAIL', async () => {
    backend.failing = true;
    try {
      expect((await dig(t, 'near.query.consul', 'A')).status).toBe('SERVFAIL');
    } finally {
      backend.failing = false;
    }
  });
});
