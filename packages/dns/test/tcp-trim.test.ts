// TCP answers as Consul's trimTCPResponse (agent/dns.go) cuts them: over 1024 SRV answers the
// count cap drops the rest but leaves the Additional section whole and sets no TC; only a message
// over 64 KiB is trimmed, with TC (enable_truncate) and syncExtra's one extra per target. Raw TCP
// and dns-packet, not dig: dig merges identical extras.
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsServer } from '../src/index.js';
import { lengthPrefixed, MemoryBackend, startServer, tcpExchange, tcpFrames, type Target } from './helpers.js';

const HOST = '127.0.127.50';

/** `n` instances of `svc` on `nodes` nodes (names of `nameLength` characters) in datacenter `d`. */
function instances(n: number, nodes: number, nameLength: number): MemoryBackend {
  const b = new MemoryBackend(['d']);
  const name = (i: number) => `n${i}`.padEnd(nameLength, 'x');
  for (let i = 0; i < nodes; i++) b.addNode({ name: name(i), address: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`, datacenter: 'd' });
  for (let i = 0; i < n; i++) b.addInstance({ node: name(i % nodes), serviceName: 's', serviceId: `s-${i}`, port: 1000 + i });
  return b;
}

/** One SRV query over TCP, decoded as sent (dig would merge identical extras). */
async function srvOverTcp(target: Target): Promise<{ packet: dnsPacket.DecodedPacket; size: number }> {
  const q = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'SRV', name: '_s._tcp.service.consul' }] });
  const { data } = await tcpExchange(target, lengthPrefixed(q), 2_000);
  const [frame] = tcpFrames(data);
  expect(frame, 'an answer').toBeDefined();
  return { packet: dnsPacket.decode(frame!), size: frame!.length };
}

const tc = (p: dnsPacket.DecodedPacket): boolean => (p as unknown as { flag_tc: boolean }).flag_tc;

describe('TCP trimming', () => {
  let server: DnsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('over 1024 SRV answers that fit 64 KiB: 1024 kept, every extra kept, no TC', async () => {
    // 1000 instances at a hostname (an SRV answer, no extra) and 100 on node n (each brings the
    // node's A): the cap cuts 76 answers, syncExtra would leave one A; Consul keeps all 100.
    const b = instances(100, 1, 1);
    for (let i = 0; i < 1000; i++) b.addInstance({ node: 'n0', serviceName: 's', serviceId: `h-${i}`, port: 5000 + i, serviceAddress: 'h.x' });
    const started = await startServer(b, HOST, { datacenter: 'd', enableTruncate: true });
    server = started.server;
    const { packet, size } = await srvOverTcp(started.target);
    expect(size).toBeLessThan(65523);
    expect(packet.answers).toHaveLength(1024);
    expect(packet.additionals!.filter((x) => x.type === 'A')).toHaveLength(100);
    expect(tc(packet)).toBe(false);
    expect(server.stats().truncated).toBe(0);
  });

  it('over 64 KiB: trimmed to fit, one extra per target left, TC set', async () => {
    // 1100 nodes with long names: the capped answer is still far over 64 KiB.
    const started = await startServer(instances(1100, 1100, 40), HOST, { datacenter: 'd', enableTruncate: true });
    server = started.server;
    const { packet, size } = await srvOverTcp(started.target);
    expect(packet.answers!.length).toBeGreaterThan(100);
    expect(packet.answers!.length).toBeLessThan(1024);
    const targets = new Set(packet.answers!.map((x) => (x as dnsPacket.SrvAnswer).data.target));
    expect(packet.additionals!.map((x) => x.name).sort()).toEqual([...targets].sort());
    expect(tc(packet)).toBe(true);
    expect(size).toBeLessThanOrEqual(65523);
    expect(server.stats().truncated).toBe(1);
  });
});
