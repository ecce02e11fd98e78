// Each name form, record type and rcode, asked with the real `dig` over UDP and TCP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsServer } from '../src/index.js';
import { dig, MemoryBackend, startServer, type Target } from './helpers.js';

const HOST = '127.0.3.10';

function fixture(): MemoryBackend {
  const b = new MemoryBackend(['dc1', 'dc2']);
  b.addNode({ name: 'node-a', address: '10.0.0.11', datacenter: 'dc1', meta: { rack: 'r1' } });
  b.addNode({ name: 'node-b', address: '10.0.0.12', datacenter: 'dc1' });
  b.addNode({ name: 'node-c', address: 'fd00::13', datacenter: 'dc1' });
  b.addNode({ name: 'db.primary', address: '10.0.0.14', datacenter: 'dc1' });
  b.addNode({ name: 'far', address: '10.1.0.1', datacenter: 'dc2' });
  b.addInstance({ node: 'node-a', serviceName: 'web', serviceId: 'web-a', port: 8080, tags: ['v1', 'Primary'] });
  b.addInstance({ node: 'node-b', serviceName: 'web', serviceId: 'web-b', port: 8081, tags: ['v2'], serviceAddress: '192.0.2.10' });
  b.addInstance({ node: 'node-c', serviceName: 'v6svc', serviceId: 'v6', port: 9000 });
  b.addInstance({ node: 'node-a', serviceName: 'api', serviceId: 'api-a', port: 7000, health: 'warning', weights: { passing: 10, warning: 2 } });
  b.addInstance({ node: 'node-b', serviceName: 'api', serviceId: 'api-b', port: 7000, weights: { passing: 10, warning: 2 } });
  b.addInstance({ node: 'node-b', serviceName: 'down', serviceId: 'down-b', port: 1, health: 'critical' });
  b.addInstance({ node: 'far', serviceName: 'web', serviceId: 'web-far', port: 8080 });
  b.addInstance({ node: 'node-a', serviceName: 'consul', serviceId: 'consul', port: 8300 });
  return b;
}

const data = (records: { data: string }[]) => records.map((r) => r.data).sort();

describe('DNS lookups (dig)', () => {
  let backend: MemoryBackend;
  let server: DnsServer;
  let t: Target;

  beforeAll(async () => {
    backend = fixture();
    ({ server, target: t } = await startServer(backend, HOST, {
      ttls: { node: 30, service: { web: 10, 'ap*': 20, '*': 5 } },
      altDomain: 'alt.example.',
    }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers <svc>.service.consul A with every healthy instance, named as asked, aa set, no ra', async () => {
    const r = await dig(t, 'web.service.consul', 'A');
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toEqual(expect.arrayContaining(['qr', 'aa', 'rd']));
    expect(r.flags).not.toContain('ra');
    expect(data(r.answer)).toEqual(['10.0.0.11', '192.0.2.10']);
    expect(r.answer.every((a) => a.name === 'web.service.consul.' && a.type === 'A' && a.ttl === 10)).toBe(true);
    expect(r.authority).toEqual([]);
  });

  it('filters on a tag (case-insensitive): <tag>.<svc>.service.consul', async () => {
    expect(data((await dig(t, 'v1.web.service.consul', 'A')).answer)).toEqual(['10.0.0.11']);
    expect(data((await dig(t, 'primary.web.service.consul', 'A')).answer)).toEqual(['10.0.0.11']);
    expect(data((await dig(t, 'v2.web.service.consul', 'A')).answer)).toEqual(['192.0.2.10']);
    const none = await dig(t, 'v9.web.service.consul', 'A');
    expect(none.status).toBe('NXDOMAIN');
  });

  it('answers names case-insensitively and echoes the case asked', async () => {
    const r = await dig(t, 'WEB.Service.CONSUL', 'A');
    expect(r.status).toBe('NOERROR');
    expect(r.answer[0]!.name).toBe('WEB.Service.CONSUL.');
  });

  it('SRV: priority 1, weight, port, node target with A (and node meta TXT) in Additional', async () => {
    const r = await dig(t, '_web._tcp.service.consul', 'SRV');
    expect(r.status).toBe('NOERROR');
    expect(data(r.answer)).toEqual(['1 1 8080 node-a.node.dc1.consul.', '1 1 8081 c000020a.addr.dc1.consul.']);
    const extra = r.additional.map((a) => `${a.name} ${a.type} ${a.data}`).sort();
    expect(extra).toEqual([
      'c000020a.addr.dc1.consul. A 192.0.2.10',
      'node-a.node.dc1.consul. A 10.0.0.11',
      'node-a.node.dc1.consul. TXT "rack=r1"',
    ]);
  });

  it('SRV name forms: RFC 2782 with a tag, without .service, with a datacenter, and the old form', async () => {
    expect(data((await dig(t, '_web._v1.service.consul', 'SRV')).answer)).toEqual(['1 1 8080 node-a.node.dc1.consul.']);
    expect(data((await dig(t, '_web._tcp.consul', 'SRV')).answer)).toHaveLength(2);
    expect(data((await dig(t, '_web._tcp.service.dc1.consul', 'SRV')).answer)).toHaveLength(2);
    expect(data((await dig(t, 'v2.web.service.consul', 'SRV')).answer)).toEqual(['1 1 8081 c000020a.addr.dc1.consul.']);
    // The .service label may be left out for SRV only.
    expect((await dig(t, '_web._tcp.consul', 'A')).status).toBe('NXDOMAIN');
  });

  it('SRV weight follows Weights.Passing / Weights.Warning by health', async () => {
    const r = await dig(t, '_api._tcp.service.consul', 'SRV');
    expect(data(r.answer)).toEqual(['1 10 7000 node-b.node.dc1.consul.', '1 2 7000 node-a.node.dc1.consul.']);
  });

  it('service TTLs: exact name, longest prefix*, then *', async () => {
    expect((await dig(t, 'web.service.consul', 'A')).answer[0]!.ttl).toBe(10);
    expect((await dig(t, 'api.service.consul', 'A')).answer[0]!.ttl).toBe(20);
    expect((await dig(t, 'consul.service.consul', 'A')).answer[0]!.ttl).toBe(5);
  });

  it('other datacenters: <svc>.service.<dc>.consul and .dc form; unknown dc is NXDOMAIN', async () => {
    expect(data((await dig(t, 'web.service.dc2.consul', 'A')).answer)).toEqual(['10.1.0.1']);
    expect(data((await dig(t, 'web.service.dc2.dc.consul', 'A')).answer)).toEqual(['10.1.0.1']);
    expect(data((await dig(t, '_web._tcp.service.dc2.consul', 'SRV')).answer)).toEqual(['1 1 8080 far.node.dc2.consul.']);
    const r = await dig(t, 'web.service.nowhere.consul', 'A');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.authority[0]!.type).toBe('SOA');
  });

  it('NXDOMAIN with Consul SOA in Authority for an unknown service and an unparseable name', async () => {
    for (const name of ['nosuch.service.consul', 'consul', 'foo.bar.consul', 'x.service.a.b.c.consul']) {
      const r = await dig(t, name, 'A');
      expect(r.status, name).toBe('NXDOMAIN');
      expect(r.authority).toHaveLength(1);
      const soa = r.authority[0]!;
      expect(soa.name).toBe('consul.');
      expect(soa.type).toBe('SOA');
      expect(soa.ttl).toBe(0);
      const [mname, rname, serial, refresh, retry, expire, minimum] = soa.data.split(' ');
      expect([mname, rname, refresh, retry, expire, minimum]).toEqual(['ns.consul.', 'hostmaster.consul.', '3600', '600', '86400', '0']);
      expect(Math.abs(Number(serial) - Date.now() / 1000)).toBeLessThan(120);
    }
  });

  it('only healthy instances: critical never, warning by default; all critical is NXDOMAIN', async () => {
    expect(data((await dig(t, 'api.service.consul', 'A')).answer)).toEqual(['10.0.0.11', '10.0.0.12']);
    expect((await dig(t, 'down.service.consul', 'A')).status).toBe('NXDOMAIN');
  });

  it('NODATA: AAAA for an IPv4-only service is NOERROR, empty, with the SOA', async () => {
    const r = await dig(t, 'web.service.consul', 'AAAA');
    expect(r.status).toBe('NOERROR');
    expect(r.answer).toEqual([]);
    expect(r.authority.map((a) => a.type)).toEqual(['SOA']);
    const mx = await dig(t, 'web.service.consul', 'MX');
    expect(mx.status).toBe('NOERROR');
    expect(mx.authority.map((a) => a.type)).toEqual(['SOA']);
  });

  it('AAAA and ANY for an IPv6 service; SRV Additional carries the AAAA', async () => {
    expect(data((await dig(t, 'v6svc.service.consul', 'AAAA')).answer)).toEqual(['fd00::13']);
    expect((await dig(t, 'v6svc.service.consul', 'A')).status).toBe('NOERROR');
    const any = await dig(t, '+tcp', 'web.service.consul', 'ANY');
    expect(data(any.answer)).toEqual(['10.0.0.11', '192.0.2.10']);
    const srv = await dig(t, '_v6svc._tcp.service.consul', 'SRV');
    expect(srv.additional.map((a) => `${a.type} ${a.data}`)).toEqual(['AAAA fd00::13']);
  });

  it('TXT on a service answers address records (Consul v1)', async () => {
    const r = await dig(t, 'web.service.consul', 'TXT');
    expect(r.answer.map((a) => a.type)).toEqual(['A', 'A']);
  });

  it('node lookups: A with node_ttl and meta TXT in Additional; ANY and TXT put the TXT in Answer', async () => {
    const a = await dig(t, 'node-a.node.consul', 'A');
    expect(a.answer).toEqual([{ name: 'node-a.node.consul.', ttl: 30, type: 'A', data: '10.0.0.11' }]);
    expect(a.additional.map((x) => `${x.type} ${x.data}`)).toEqual(['TXT "rack=r1"']);
    const any = await dig(t, '+tcp', 'node-a.node.dc1.consul', 'ANY');
    expect(any.answer.map((x) => `${x.type} ${x.data}`).sort()).toEqual(['A 10.0.0.11', 'TXT "rack=r1"']);
    const txt = await dig(t, 'node-a.node.consul', 'TXT');
    expect(txt.answer.map((x) => `${x.type} ${x.data}`)).toEqual(['TXT "rack=r1"']);
    expect(data((await dig(t, 'node-c.node.consul', 'AAAA')).answer)).toEqual(['fd00::13']);
    expect(data((await dig(t, 'db.primary.node.consul', 'A')).answer)).toEqual(['10.0.0.14']);
    expect(data((await dig(t, 'far.node.dc2.consul', 'A')).answer)).toEqual(['10.1.0.1']);
    expect(data((await dig(t, 'far.node.dc2.dc.consul', 'A')).answer)).toEqual(['10.1.0.1']);
  });

  it('node lookups: unknown node NXDOMAIN+SOA; other qtypes NOERROR empty without SOA', async () => {
    const unknown = await dig(t, 'ghost.node.consul', 'A');
    expect(unknown.status).toBe('NXDOMAIN');
    expect(unknown.authority.map((x) => x.type)).toEqual(['SOA']);
    const mx = await dig(t, 'node-a.node.consul', 'MX');
    expect(mx.status).toBe('NOERROR');
    expect(mx.answer).toEqual([]);
    expect(mx.authority).toEqual([]);
  });

  it('.addr. lookups: 8 hex digits A, 32 hex digits AAAA, anything else NXDOMAIN', async () => {
    expect(data((await dig(t, 'c000020a.addr.dc1.consul', 'A')).answer)).toEqual(['192.0.2.10']);
    expect(data((await dig(t, 'fd000000000000000000000000000013.addr.consul', 'AAAA')).answer)).toEqual(['fd00::13']);
    const wrongType = await dig(t, 'c000020a.addr.consul', 'AAAA');
    expect(wrongType.status).toBe('NOERROR');
    expect(wrongType.answer).toEqual([]);
    expect(wrongType.additional.map((x) => `${x.type} ${x.data}`)).toEqual(['A 192.0.2.10']);
    for (const bad of ['c00002.addr.consul', 'zz00020a.addr.consul', 'c000020a0.addr.consul']) {
      expect((await dig(t, bad, 'A')).status, bad).toBe('NXDOMAIN');
    }
  });

  it('PTR: a node address gives the node name, a service address the service name, else NXDOMAIN', async () => {
    const node = await dig(t, '-x', '10.0.0.11');
    expect(node.status).toBe('NOERROR');
    expect(node.answer).toEqual([{ name: '11.0.0.10.in-addr.arpa.', ttl: 0, type: 'PTR', data: 'node-a.node.dc1.consul.' }]);
    expect((await dig(t, '-x', '192.0.2.10')).answer.map((a) => a.data)).toEqual(['web.service.dc1.consul.']);
    expect((await dig(t, '-x', 'fd00::13')).answer.map((a) => a.data)).toEqual(['node-c.node.dc1.consul.']);
    const none = await dig(t, '-x', '203.0.113.1');
    expect(none.status).toBe('NXDOMAIN');
    expect(none.authority.map((a) => `${a.name} ${a.type}`)).toEqual(['consul. SOA']);
  });

  it('prepared queries and connect names are not found (NXDOMAIN)', async () => {
    expect((await dig(t, 'web.query.consul', 'A')).status).toBe('NXDOMAIN');
    expect((await dig(t, 'web.connect.consul', 'A')).status).toBe('NXDOMAIN');
  });

  it('SOA and NS questions: SOA answer with consul servers as NS and glue', async () => {
    const soa = await dig(t, 'consul', 'SOA');
    expect(soa.status).toBe('NOERROR');
    expect(soa.answer.map((x) => x.type)).toEqual(['SOA']);
    expect(soa.authority).toEqual([{ name: 'consul.', ttl: 30, type: 'NS', data: 'node-a.node.dc1.consul.' }]);
    expect(soa.additional.map((x) => `${x.name} ${x.type} ${x.data}`)).toEqual(['node-a.node.dc1.consul. A 10.0.0.11']);
    const ns = await dig(t, 'consul', 'NS');
    expect(ns.answer.map((x) => x.data)).toEqual(['node-a.node.dc1.consul.']);
    expect(ns.additional.map((x) => x.data)).toEqual(['10.0.0.11']);
  });

  it('AXFR is NOTIMP', async () => {
    const before = server.stats().notimp;
    const r = await dig(t, 'consul', 'AXFR');
    expect(r.raw).toMatch(/Transfer failed|NOTIMP/);
    expect(server.stats().notimp).toBe(before + 1);
  });

  it('alt_domain: answers in the domain the question used', async () => {
    const a = await dig(t, 'web.service.alt.example', 'A');
    expect(data(a.answer)).toEqual(['10.0.0.11', '192.0.2.10']);
    const srv = await dig(t, '_web._tcp.service.alt.example', 'SRV');
    expect(data(srv.answer)).toContain('1 1 8080 node-a.node.dc1.alt.example.');
    const nx = await dig(t, 'nosuch.service.alt.example', 'A');
    expect(nx.authority[0]!.name).toBe('alt.example.');
  });

  it('outside the domain without recursors: REFUSED, no ra', async () => {
    const r = await dig(t, 'example.org', 'A');
    expect(r.status).toBe('REFUSED');
    expect(r.flags).not.toContain('ra');
  });

  it('EDNS: the OPT record comes back with the client UDP size', async () => {
    const r = await dig(t, '+bufsize=1400', 'web.service.consul', 'A');
    expect(r.ednsUdp).toBe(1400);
    const noEdns = await dig(t, '+noedns', 'web.service.consul', 'A');
    expect(noEdns.ednsUdp).toBeUndefined();
  });

  it('EDNS client subnet: echoed with scope 0 (answers are global)', async () => {
    const r = await dig(t, '+subnet=192.0.2.0/24', 'web.service.consul', 'A');
    expect(r.status).toBe('NOERROR');
    expect(r.raw).toMatch(/CLIENT-SUBNET: 192\.0\.2\.0\/24\/0/);
  });

  it('the same answers over TCP', async () => {
    const r = await dig(t, '+tcp', '_web._tcp.service.consul', 'SRV');
    expect(r.answer).toHaveLength(2);
    expect(server.stats().tcpQueries).toBeGreaterThan(0);
  });

  it('shuffles the instances between queries', async () => {
    const b = new MemoryBackend(['dc1']);
    b.addNode({ name: 'n', address: '10.9.0.1', datacenter: 'dc1' });
    for (let i = 1; i <= 5; i++) b.addInstance({ node: 'n', serviceName: 'many', serviceId: `m${i}`, serviceAddress: `10.9.1.${i}`, port: 80 });
    const { server: s, target } = await startServer(b, HOST);
    try {
      const firsts = new Set<string>();
      for (let i = 0; i < 30 && firsts.size < 2; i++) {
        const r = await dig(target, '+bufsize=4096', 'many.service.consul', 'A');
        expect(r.answer).toHaveLength(5);
        firsts.add(r.answer[0]!.data);
      }
      expect(firsts.size).toBeGreaterThan(1);
    } finally {
      await s.close();
    }
  });
});

describe('DNS health filtering, cache invalidation and failures', () => {
  it('only_passing drops warning instances too', async () => {
    const b = fixture();
    const { server, target } = await startServer(b, HOST, { onlyPassing: true });
    try {
      expect(data((await dig(target, 'api.service.consul', 'A')).answer)).toEqual(['10.0.0.12']);
    } finally {
      await server.close();
    }
  });

  it('SRV: each instance brings its node address and meta TXT, also a second one on the same node (Consul serviceSRVRecords)', async () => {
    const b = new MemoryBackend(['dc1']);
    b.addNode({ name: 'node-a', address: '10.0.0.11', datacenter: 'dc1', meta: { rack: 'r1', zone: 'z1' } });
    b.addNode({ name: 'node-b', address: '10.0.0.12', datacenter: 'dc1' });
    b.addInstance({ node: 'node-a', serviceName: 'multi', serviceId: 'multi-1', port: 8001 });
    b.addInstance({ node: 'node-a', serviceName: 'multi', serviceId: 'multi-2', port: 8002 });
    b.addInstance({ node: 'node-b', serviceName: 'multi', serviceId: 'multi-3', port: 8003 });
    // The same node, address and port twice is one answer (and one set of extras).
    b.addInstance({ node: 'node-b', serviceName: 'multi', serviceId: 'multi-3-again', port: 8003 });
    const { server, target } = await startServer(b, '127.0.121.10');
    try {
      for (const transport of ['+notcp', '+tcp']) {
        const r = await dig(target, transport, '_multi._tcp.service.consul', 'SRV');
        expect(data(r.answer)).toEqual(['1 1 8001 node-a.node.dc1.consul.', '1 1 8002 node-a.node.dc1.consul.', '1 1 8003 node-b.node.dc1.consul.']);
        const extra = r.additional.map((a) => `${a.name} ${a.type} ${a.data}`).sort();
        expect([transport, extra]).toEqual([
          transport,
          [
            'node-a.node.dc1.consul. A 10.0.0.11',
            'node-a.node.dc1.consul. A 10.0.0.11',
            'node-a.node.dc1.consul. TXT "rack=r1"',
            'node-a.node.dc1.consul. TXT "rack=r1"',
            'node-a.node.dc1.consul. TXT "zone=z1"',
            'node-a.node.dc1.consul. TXT "zone=z1"',
            'node-b.node.dc1.consul. A 10.0.0.12',
          ],
        ]);
      }
    } finally {
      await server.close();
    }
  });

  it('enable_additional_node_meta_txt off: no node meta TXT in Additional (still in Answer for TXT)', async () => {
    const { server, target } = await startServer(fixture(), HOST, { enableAdditionalNodeMetaTxt: false });
    try {
      expect((await dig(target, 'node-a.node.consul', 'A')).additional).toEqual([]);
      const srv = await dig(target, '_web._v1.service.consul', 'SRV');
      expect(srv.additional.map((x) => x.type)).toEqual(['A']);
      expect((await dig(target, 'node-a.node.consul', 'TXT')).answer.map((x) => x.data)).toEqual(['"rack=r1"']);
    } finally {
      await server.close();
    }
  });

  it('a health change shows in the next answer (the cache follows the backend generation)', async () => {
    const b = fixture();
    const { server, target } = await startServer(b, HOST);
    try {
      expect(data((await dig(target, 'web.service.consul', 'A')).answer)).toEqual(['10.0.0.11', '192.0.2.10']);
      expect(data((await dig(target, 'web.service.consul', 'A')).answer)).toEqual(['10.0.0.11', '192.0.2.10']);
      b.setHealth('web-b', 'critical');
      expect(data((await dig(target, 'web.service.consul', 'A')).answer)).toEqual(['10.0.0.11']);
      b.setHealth('web-a', 'critical');
      expect((await dig(target, 'web.service.consul', 'A')).status).toBe('NXDOMAIN');
    } finally {
      await server.close();
    }
  });

  it('a backend error is SERVFAIL, and the server keeps answering', async () => {
    const b = fixture();
    const { server, target } = await startServer(b, HOST);
    try {
      b.failing = true;
      const r = await dig(target, 'web.service.consul', 'A');
      expect(r.status).toBe('SERVFAIL');
      expect(server.stats().servfail).toBe(1);
      b.failing = false;
      expect((await dig(target, 'web.service.consul', 'A')).status).toBe('NOERROR');
    } finally {
      await server.close();
    }
  });

  it('a node address that is a hostname gives a CNAME (resolved inside the domain)', async () => {
    const b = new MemoryBackend(['dc1']);
    b.addNode({ name: 'real', address: '10.7.0.1', datacenter: 'dc1' });
    b.addNode({ name: 'alias', address: 'real.node.consul', datacenter: 'dc1' });
    b.addInstance({ node: 'alias', serviceName: 'ext', serviceId: 'ext', port: 80 });
    const { server, target } = await startServer(b, HOST);
    try {
      const node = await dig(target, 'alias.node.consul', 'A');
      expect(node.answer.map((x) => `${x.name} ${x.type} ${x.data}`)).toEqual([
        'alias.node.consul. CNAME real.node.consul.',
        'real.node.consul. A 10.7.0.1',
      ]);
      const svc = await dig(target, 'ext.service.consul', 'A');
      expect(svc.answer.map((x) => `${x.type} ${x.data}`)).toEqual(['CNAME real.node.consul.', 'A 10.7.0.1']);
      const srv = await dig(target, '_ext._tcp.service.consul', 'SRV');
      expect(srv.answer.map((x) => x.data)).toEqual(['1 1 80 real.node.consul.']);
      expect(srv.additional.map((x) => `${x.name} ${x.type} ${x.data}`)).toEqual(['real.node.consul. A 10.7.0.1']);
    } finally {
      await server.close();
    }
  });

  it('translate_wan_addrs: another datacenter answers its WAN addresses', async () => {
    const b = new MemoryBackend(['dc1', 'dc2']);
    b.addNode({ name: 'w', address: '10.2.0.1', datacenter: 'dc2', taggedAddresses: { lan: '10.2.0.1', wan: '198.51.100.1' } });
    b.addInstance({ node: 'w', serviceName: 'web', serviceId: 'web', port: 80 });
    const { server, target } = await startServer(b, HOST, { translateWanAddrs: true });
    try {
      expect(data((await dig(target, 'web.service.dc2.consul', 'A')).answer)).toEqual(['198.51.100.1']);
      const srv = await dig(target, '_web._tcp.service.dc2.consul', 'SRV');
      expect(data(srv.answer)).toEqual(['1 1 80 c6336401.addr.dc2.consul.']);
    } finally {
      await server.close();
    }
  });
});
