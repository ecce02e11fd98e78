// `<service>.service.<peer>.peer.<domain>` and `<node>.node.<peer>.peer.<domain>` (Consul's
// agent/dns.go with a PeerName): answered from what the cluster peer exports, healthy ones
// only, with SRV targets named under the peer; NXDOMAIN without those backend methods.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { DnsNode, DnsServiceInstance } from './backend.js';
import { DnsHandler } from './handler.js';
import { newStats } from './stats.js';
import { MemoryBackend } from './testing/memory-backend.js';

/** The peer `cluster-a` exports what this backend holds in datacenter `dc-a`. */
class PeerBackend extends MemoryBackend {
  async peerServiceInstances(service: string, peer: string): Promise<DnsServiceInstance[]> {
    return peer === 'cluster-a' ? this.serviceInstances(service, 'dc-a') : [];
  }
  async peerNode(name: string, peer: string): Promise<DnsNode | undefined> {
    return peer === 'cluster-a' ? this.node(name, 'dc-a') : undefined;
  }
}

interface Reply {
  rcode: string;
  answers: Array<{ type: string; name: string; data: unknown }>;
  additionals: Array<{ type: string; name: string; data: unknown }>;
}

async function ask(h: DnsHandler, name: string, type: 'A' | 'SRV' | 'TXT'): Promise<Reply> {
  const reply = await h.handle(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name }] }), 'udp');
  const d = dnsPacket.decode(reply!) as unknown as Partial<Reply> & { rcode: string };
  return { rcode: d.rcode, answers: d.answers ?? [], additionals: d.additionals ?? [] };
}

function backend<T extends MemoryBackend>(b: T): T {
  b.addNode({ name: 'a1', address: '10.1.0.1', datacenter: 'dc-a', meta: { rack: 'r1' } });
  b.addNode({ name: 'local', address: '10.0.0.1', datacenter: 'dc1' });
  b.addInstance({ node: 'a1', serviceName: 'web', serviceId: 'web-1', port: 8080, tags: ['v1'] });
  b.addInstance({ node: 'a1', serviceName: 'web', serviceId: 'web-2', port: 8081, serviceAddress: '10.1.0.2' });
  b.addInstance({ node: 'a1', serviceName: 'web', serviceId: 'web-down', port: 8082, serviceAddress: '10.1.0.3', health: 'critical' });
  b.addInstance({ node: 'local', serviceName: 'web', serviceId: 'web-local', port: 80 });
  return b;
}

describe('.peer lookups', () => {
  const h = new DnsHandler({ backend: backend(new PeerBackend(['dc1'])), datacenter: 'dc1' }, newStats(), undefined);

  it('answers A and SRV with the healthy imported instances, never local ones', async () => {
    const a = await ask(h, 'web.service.cluster-a.peer.consul', 'A');
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers.map((r) => r.data).sort()).toEqual(['10.1.0.1', '10.1.0.2']);
    const srv = await ask(h, 'web.service.cluster-a.peer.consul', 'SRV');
    expect(srv.answers.map((r) => r.data).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toMatchObject([
      { port: 8080, target: 'a1.node.cluster-a.peer.consul' },
      { port: 8081, target: '0a010002.addr.consul' },
    ]);
    expect(srv.additionals.filter((r) => r.type === 'A').map((r) => [r.name, r.data]).sort()).toEqual([
      ['0a010002.addr.consul', '10.1.0.2'],
      ['a1.node.cluster-a.peer.consul', '10.1.0.1'],
    ]);
  });

  it('filters on a tag, in both name forms', async () => {
    expect((await ask(h, 'v1.web.service.cluster-a.peer.consul', 'A')).answers.map((r) => r.data)).toEqual(['10.1.0.1']);
    const rfc = await ask(h, '_web._v1.service.cluster-a.peer.consul', 'SRV');
    expect(rfc.answers.map((r) => r.data)).toMatchObject([{ port: 8080 }]);
    expect((await ask(h, 'v2.web.service.cluster-a.peer.consul', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('answers a node of the peer, with its meta as TXT', async () => {
    expect((await ask(h, 'a1.node.cluster-a.peer.consul', 'A')).answers.map((r) => r.data)).toEqual(['10.1.0.1']);
    const txt = await ask(h, 'a1.node.cluster-a.peer.consul', 'TXT');
    expect(txt.answers.map((r) => (r.data as Buffer[]).map(String).join(''))).toEqual(['rack=r1']);
    expect((await ask(h, 'local.node.cluster-a.peer.consul', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('is NXDOMAIN for an unknown peer, a peer with a datacenter, or a prepared query', async () => {
    expect((await ask(h, 'web.service.nope.peer.consul', 'A')).rcode).toBe('NXDOMAIN');
    expect((await ask(h, 'web.service.cluster-a.peer.dc1.dc.consul', 'A')).rcode).toBe('NXDOMAIN');
    expect((await ask(h, 'web.query.cluster-a.peer.consul', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('is NXDOMAIN when the backend has no peer lookups', async () => {
    const plain = new DnsHandler({ backend: backend(new MemoryBackend(['dc1'])), datacenter: 'dc1' }, newStats(), undefined);
    expect((await ask(plain, 'web.service.cluster-a.peer.consul', 'A')).rcode).toBe('NXDOMAIN');
    expect((await ask(plain, 'a1.node.cluster-a.peer.consul', 'A')).rcode).toBe('NXDOMAIN');
  });
});
