// `<service>.connect[.<dc>].<domain>`: answered from the backend's connect instances (the
// proxies, with their own ports), healthy ones only; NXDOMAIN without that backend method.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { DnsServiceInstance } from './backend.js';
import { DnsHandler } from './handler.js';
import { newStats } from './stats.js';
import { MemoryBackend } from './testing/memory-backend.js';

/** Connect instances of `x` are the instances of `x-sidecar-proxy`. */
class MeshBackend extends MemoryBackend {
  async connectInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
    return this.serviceInstances(`${service}-sidecar-proxy`, dc);
  }
}

interface Reply {
  rcode: string;
  answers: Array<{ type: string; data: unknown }>;
}

async function ask(h: DnsHandler, name: string, type: 'A' | 'SRV'): Promise<Reply> {
  const reply = await h.handle(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name }] }), 'udp');
  const d = dnsPacket.decode(reply!) as unknown as { rcode: string; answers?: Reply['answers'] };
  return { rcode: d.rcode, answers: d.answers ?? [] };
}

function backend<T extends MemoryBackend>(b: T): T {
  b.addNode({ name: 'n1', address: '10.0.0.1', datacenter: 'dc1' });
  b.addInstance({ node: 'n1', serviceName: 'socat', serviceId: 'socat', port: 8181 });
  b.addInstance({ node: 'n1', serviceName: 'socat-sidecar-proxy', serviceId: 'socat-sidecar-proxy', port: 21000 });
  b.addInstance({ node: 'n1', serviceName: 'web-sidecar-proxy', serviceId: 'web-sidecar-proxy', port: 21001, health: 'critical' });
  return b;
}

describe('.connect lookups', () => {
  it('answers with the proxies, their ports, healthy only', async () => {
    const h = new DnsHandler({ backend: backend(new MeshBackend(['dc1'])), datacenter: 'dc1' }, newStats(), undefined);
    const srv = await ask(h, 'socat.connect.consul', 'SRV');
    expect(srv.rcode).toBe('NOERROR');
    expect(srv.answers.map((a) => a.data)).toMatchObject([{ port: 21000, target: 'n1.node.dc1.consul' }]);
    expect((await ask(h, 'socat.connect.dc1.consul', 'A')).answers.map((a) => a.data)).toEqual(['10.0.0.1']);
    expect((await ask(h, 'web.connect.consul', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('is NXDOMAIN when the backend has no connect instances', async () => {
    const h = new DnsHandler({ backend: backend(new MemoryBackend(['dc1'])), datacenter: 'dc1' }, newStats(), undefined);
    expect((await ask(h, 'socat.connect.consul', 'SRV')).rcode).toBe('NXDOMAIN');
  });
});
