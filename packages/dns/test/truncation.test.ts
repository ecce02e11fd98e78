// UDP limits (udp_answer_limit, 512 bytes, the EDNS size), TC with enable_truncate and dig's
// retry over TCP, a_record_limit.
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsServer } from '../src/index.js';
import dnsPacket from 'dns-packet';
import { dig, MemoryBackend, startServer, udpExchange } from './helpers.js';

const HOST = '127.0.3.11';

function many(n: number): MemoryBackend {
  const b = new MemoryBackend(['dc1']);
  for (let i = 1; i <= n; i++) {
    b.addNode({ name: `node-${i}`, address: `10.3.${Math.floor(i / 250)}.${i % 250}`, datacenter: 'dc1' });
    b.addInstance({ node: `node-${i}`, serviceName: 'big', serviceId: `big-${i}`, port: 8000 + i });
  }
  return b;
}

describe('truncation', () => {
  let server: DnsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('UDP without EDNS: at most udp_answer_limit (3) answers, no TC by default, SRV included', async () => {
    const started = await startServer(many(20), HOST);
    server = started.server;
    const a = await dig(started.target, '+noedns', 'big.service.consul', 'A');
    expect(a.answer).toHaveLength(3);
    expect(a.flags).not.toContain('tc');
    const srv = await dig(started.target, '+noedns', '_big._tcp.service.consul', 'SRV');
    expect(srv.answer).toHaveLength(3);
    // Additional follows the SRV answers that were kept.
    const targets = srv.answer.map((x) => x.data.split(' ')[3]).sort();
    expect(srv.additional.map((x) => x.name).sort()).toEqual(targets);
    expect(server.stats().truncated).toBe(2);
  });

  it('a trimmed SRV answer keeps one extra per target and drops the TXT, as Consul\'s syncExtra', async () => {
    // Five instances on one node with meta: untrimmed, each brings the node's A and TXT.
    const b = new MemoryBackend(['dc1']);
    b.addNode({ name: 'shared', address: '10.3.9.1', datacenter: 'dc1', meta: { rack: 'r1' } });
    for (let i = 1; i <= 5; i++) b.addInstance({ node: 'shared', serviceName: 'many', serviceId: `many-${i}`, port: 9000 + i });
    const started = await startServer(b, HOST);
    server = started.server;
    const trimmed = await dig(started.target, '+noedns', '_many._tcp.service.consul', 'SRV');
    expect(trimmed.answer).toHaveLength(3);
    expect(trimmed.additional.map((x) => `${x.name} ${x.type} ${x.data}`)).toEqual(['shared.node.dc1.consul. A 10.3.9.1']);
    const whole = await dig(started.target, '+bufsize=4096', '_many._tcp.service.consul', 'SRV');
    expect(whole.answer).toHaveLength(5);
    expect(whole.additional.filter((x) => x.type === 'A')).toHaveLength(5);
    expect(whole.additional.filter((x) => x.type === 'TXT')).toHaveLength(5);
  });

  it('udp_answer_limit is configurable and capped at 8', async () => {
    const started = await startServer(many(20), HOST, { udpAnswerLimit: 50 });
    server = started.server;
    expect((await dig(started.target, '+noedns', 'big.service.consul', 'A')).answer).toHaveLength(8);
  });

  it('EDNS: the advertised size is honoured instead of the count', async () => {
    const started = await startServer(many(400), HOST);
    server = started.server;
    const small = await dig(started.target, '+bufsize=1232', '+ignore', 'big.service.consul', 'A');
    const at512 = await dig(started.target, '+bufsize=512', '+ignore', 'big.service.consul', 'A');
    expect(at512.answer).toHaveLength(3); // 512 counts as no EDNS for the cap, as in Consul
    const large = await dig(started.target, '+bufsize=4096', 'big.service.consul', 'A');
    expect(small.answer.length).toBeGreaterThan(3); // no count cap with EDNS
    expect(large.answer.length).toBeGreaterThan(small.answer.length);
    expect(large.answer.length).toBeLessThan(400);
    // dig caps +bufsize at 4096: ask for 65000 with a hand-made query.
    const query = dnsPacket.encode({
      type: 'query',
      id: 7,
      questions: [{ type: 'A', name: 'big.service.consul' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 65000 } as dnsPacket.Answer],
    });
    const reply = await udpExchange(started.target, query);
    const decoded = dnsPacket.decode(reply!);
    expect(decoded.answers).toHaveLength(400);
    expect(decoded.additionals?.find((a) => a.type === 'OPT')).toMatchObject({ udpPayloadSize: 65000 });
  });

  it('enable_truncate: TC set on a trimmed UDP answer, and dig retries over TCP and gets everything', async () => {
    const started = await startServer(many(20), HOST, { enableTruncate: true });
    server = started.server;
    const ignored = await dig(started.target, '+noedns', '+ignore', 'big.service.consul', 'A');
    expect(ignored.flags).toContain('tc');
    expect(ignored.answer).toHaveLength(3);
    const before = server.stats().tcpQueries;
    const r = await dig(started.target, '+noedns', 'big.service.consul', 'A');
    expect(r.raw).toContain('Truncated, retrying in TCP mode');
    expect(r.answer).toHaveLength(20);
    expect(r.flags).not.toContain('tc');
    expect(server.stats().tcpQueries).toBe(before + 1);
    const srv = await dig(started.target, '+noedns', '_big._tcp.service.consul', 'SRV');
    expect(srv.answer).toHaveLength(20);
    expect(srv.additional).toHaveLength(20);
  });

  it('TCP: nothing trimmed for a large service', async () => {
    const started = await startServer(many(600), HOST);
    server = started.server;
    const r = await dig(started.target, '+tcp', 'big.service.consul', 'A');
    expect(r.answer).toHaveLength(600);
  });

  it('a_record_limit caps A answers over UDP and TCP, not SRV', async () => {
    const started = await startServer(many(10), HOST, { aRecordLimit: 2 });
    server = started.server;
    expect((await dig(started.target, '+tcp', 'big.service.consul', 'A')).answer).toHaveLength(2);
    expect((await dig(started.target, '+bufsize=4096', 'big.service.consul', 'A')).answer).toHaveLength(2);
    expect((await dig(started.target, '+tcp', '_big._tcp.service.consul', 'SRV')).answer).toHaveLength(10);
  });
});
