// `recursors`: names outside the domain go to upstream servers (a dns-packet server started
// here), in order; NOERROR/NXDOMAIN are relayed, other rcodes and timeouts try the next;
// all failing is SERVFAIL with RA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, MemoryBackend, startServer } from './helpers.js';
import { deadPort, startUpstream, type Upstream } from './upstream.js';

const HOST = '127.0.3.12';

describe('recursors', () => {
  let good: Upstream;
  let flaky: Upstream;
  let dead: number;

  beforeAll(async () => {
    good = await startUpstream(HOST, { 'example.org': '192.0.2.1', 'ext.example.org': '192.0.2.77', 'broken.example': '192.0.2.9' });
    flaky = await startUpstream(HOST, {}, { 'broken.example': 'SERVFAIL', 'example.org': 'REFUSED' });
    dead = await deadPort(HOST);
  });
  afterAll(async () => {
    await good.close();
    await flaky.close();
  });

  function backend(): MemoryBackend {
    const b = new MemoryBackend(['dc1']);
    b.addNode({ name: 'n1', address: '10.0.0.1', datacenter: 'dc1' });
    b.addNode({ name: 'outside', address: 'ext.example.org', datacenter: 'dc1' });
    b.addInstance({ node: 'n1', serviceName: 'web', serviceId: 'web', port: 80 });
    return b;
  }

  it('forwards a name outside the domain over UDP and relays the answer; ra set on our answers', async () => {
    const { server, target } = await startServer(backend(), HOST, { recursors: [`${HOST}:${good.port}`] });
    try {
      const before = good.udpQueries;
      const r = await dig(target, 'example.org', 'A');
      expect(r.status).toBe('NOERROR');
      expect(r.answer).toEqual([{ name: 'example.org.', ttl: 60, type: 'A', data: '192.0.2.1' }]);
      expect(good.udpQueries).toBe(before + 1);
      expect(server.stats().recursed).toBe(1);
      const nx = await dig(target, 'missing.example', 'A');
      expect(nx.status).toBe('NXDOMAIN');
      // Names in the domain are never forwarded.
      const own = await dig(target, 'nosuch.service.consul', 'A');
      expect(own.status).toBe('NXDOMAIN');
      expect(own.authority[0]!.type).toBe('SOA');
      expect(good.udpQueries).toBe(before + 2);
      const web = await dig(target, 'web.service.consul', 'A');
      expect(web.flags).toContain('ra');
    } finally {
      await server.close();
    }
  });

  it('forwards over TCP when asked over TCP', async () => {
    const { server, target } = await startServer(backend(), HOST, { recursors: [`${HOST}:${good.port}`] });
    try {
      const before = good.tcpQueries;
      const r = await dig(target, '+tcp', 'example.org', 'A');
      expect(r.answer.map((a) => a.data)).toEqual(['192.0.2.1']);
      expect(good.tcpQueries).toBe(before + 1);
    } finally {
      await server.close();
    }
  });

  it('moves to the next recursor on a timeout or an rcode other than NOERROR/NXDOMAIN', async () => {
    const { server, target } = await startServer(backend(), HOST, {
      recursors: [`${HOST}:${dead}`, `${HOST}:${flaky.port}`, `${HOST}:${good.port}`],
      recursorTimeoutMs: 300,
    });
    try {
      const before = flaky.udpQueries;
      const r = await dig(target, 'broken.example', 'A');
      expect(r.status).toBe('NOERROR');
      expect(r.answer.map((a) => a.data)).toEqual(['192.0.2.9']);
      expect(flaky.udpQueries).toBe(before + 1);
      expect((await dig(target, 'example.org', 'A')).answer.map((a) => a.data)).toEqual(['192.0.2.1']);
    } finally {
      await server.close();
    }
  });

  it('SERVFAIL with ra when every recursor fails', async () => {
    const { server, target } = await startServer(backend(), HOST, {
      recursors: [`${HOST}:${dead}`, `${HOST}:${flaky.port}`],
      recursorTimeoutMs: 300,
    });
    try {
      const r = await dig(target, 'broken.example', 'A');
      expect(r.status).toBe('SERVFAIL');
      expect(r.flags).toContain('ra');
      expect(server.stats().recursorFailures).toBe(1);
      expect(server.stats().servfail).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a CNAME target outside the domain is resolved through the recursors', async () => {
    const b = backend();
    b.addInstance({ node: 'outside', serviceName: 'extsvc', serviceId: 'extsvc', port: 443 });
    const { server, target } = await startServer(b, HOST, { recursors: [`${HOST}:${good.port}`] });
    try {
      const node = await dig(target, 'outside.node.consul', 'A');
      expect(node.answer.map((a) => `${a.name} ${a.type} ${a.data}`)).toEqual([
        'outside.node.consul. CNAME ext.example.org.',
        'ext.example.org. A 192.0.2.77',
      ]);
      const svc = await dig(target, 'extsvc.service.consul', 'A');
      expect(svc.answer.map((a) => `${a.type} ${a.data}`)).toEqual(['CNAME ext.example.org.', 'A 192.0.2.77']);
    } finally {
      await server.close();
    }
  });

  it('rejects an invalid recursor address', async () => {
    await expect(() => startServer(backend(), HOST, { recursors: ['not an address'] })).rejects.toThrow(/Invalid recursor address/);
  });

  it('recursor_strategy random spreads first asks over the recursors; sequential always asks the first', async () => {
    const other = await startUpstream(HOST, { 'example.org': '192.0.2.1' });
    try {
      for (const strategy of ['sequential', 'random'] as const) {
        const { server, target } = await startServer(backend(), HOST, { recursors: [`${HOST}:${good.port}`, `${HOST}:${other.port}`], recursorStrategy: strategy });
        try {
          const [g0, o0] = [good.udpQueries, other.udpQueries];
          for (let i = 0; i < 30; i++) expect((await dig(target, 'example.org', 'A')).status).toBe('NOERROR');
          const [g, o] = [good.udpQueries - g0, other.udpQueries - o0];
          expect(g + o).toBe(30);
          // Random: all 30 on one recursor has a chance of 2^-29.
          if (strategy === 'sequential') expect(o).toBe(0);
          else expect(Math.min(g, o)).toBeGreaterThan(0);
        } finally {
          await server.close();
        }
      }
    } finally {
      await other.close();
    }
  });
});
