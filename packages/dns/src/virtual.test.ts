// `<service>.virtual[.<peer>].<domain>` (agent/dns.go "virtual"): the backend's virtual IP as one
// A record with the node TTL, whatever the question's type; none → NOERROR, empty, no SOA.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DnsHandler } from './handler.js';
import { newStats } from './stats.js';
import { MemoryBackend } from './testing/memory-backend.js';

class VipBackend extends MemoryBackend {
  readonly asked: Array<[string, string]> = [];
  async virtualIP(service: string, peer: string): Promise<string | undefined> {
    this.asked.push([service, peer]);
    return service === 'web' && peer === '' ? '240.0.0.1' : service === 'db' && peer === 'east' ? '240.0.0.9' : '';
  }
}

interface Reply {
  rcode: string;
  answers: Array<{ name: string; type: string; ttl: number; data: unknown }>;
  authorities: unknown[];
}

async function ask(h: DnsHandler, name: string, type: 'A' | 'AAAA' | 'SRV' | 'TXT'): Promise<Reply> {
  const reply = await h.handle(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name }] }), 'udp');
  const d = dnsPacket.decode(reply!) as unknown as { rcode: string; answers?: Reply['answers']; authorities?: unknown[] };
  return { rcode: d.rcode, answers: d.answers ?? [], authorities: d.authorities ?? [] };
}

describe('.virtual lookups', () => {
  it('answers the virtual IP as an A record with the node TTL, for any question type', async () => {
    const b = new VipBackend(['dc1']);
    const h = new DnsHandler({ backend: b, datacenter: 'dc1', ttls: { node: 7 } }, newStats(), undefined);
    for (const type of ['A', 'AAAA', 'SRV', 'TXT'] as const) {
      const r = await ask(h, 'Web.virtual.consul', type);
      expect(r.rcode).toBe('NOERROR');
      expect(r.answers).toEqual([expect.objectContaining({ name: 'Web.virtual.consul', type: 'A', ttl: 7, data: '240.0.0.1' })]);
    }
    expect(b.asked[0]).toEqual(['web', '']);
  });

  it('reads a peer from `<peer>` or `<peer>.peer`, ignores `<dc>.dc`, and answers empty without an address', async () => {
    const b = new VipBackend(['dc1']);
    const h = new DnsHandler({ backend: b, datacenter: 'dc1' }, newStats(), undefined);
    expect((await ask(h, 'db.virtual.east.consul', 'A')).answers.map((a) => a.data)).toEqual(['240.0.0.9']);
    expect((await ask(h, 'db.virtual.east.peer.consul', 'A')).answers.map((a) => a.data)).toEqual(['240.0.0.9']);
    expect((await ask(h, 'web.virtual.dc9.dc.consul', 'A')).answers.map((a) => a.data)).toEqual(['240.0.0.1']);
    const none = await ask(h, 'cache.virtual.consul', 'A');
    expect(none).toEqual({ rcode: 'NOERROR', answers: [], authorities: [] });
    expect((await ask(h, 'virtual.consul', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('answers empty when the backend has no virtual IPs', async () => {
    const h = new DnsHandler({ backend: new MemoryBackend(['dc1']), datacenter: 'dc1' }, newStats(), undefined);
    expect(await ask(h, 'web.virtual.consul', 'A')).toEqual({ rcode: 'NOERROR', answers: [], authorities: [] });
  });
});
