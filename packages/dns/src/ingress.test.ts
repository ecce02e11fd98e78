// `<service>.ingress[.<dc>].<domain>`: answered from the backend's ingress instances (the
// ingress gateways that front the service, with their own addresses and ports), healthy ones
// only; NXDOMAIN without that backend method.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { DnsServiceInstance } from './backend.js';
import { DnsHandler } from './handler.js';
import { newStats } from './stats.js';
import { MemoryBackend } from './testing/memory-backend.js';

/** Every service is fronted by the ingress gateway `ig` (and `web` also by `ig-down`). */
class IngressBackend extends MemoryBackend {
  async ingressInstances(service: string, dc: string): Promise<DnsServiceInstance[]> {
    if (service !== 'web') return [];
    return [...(await this.serviceInstances('ig', dc)), ...(await this.serviceInstances('ig-down', dc))];
  }
}

async function ask(h: DnsHandler, name: string, type: 'A' | 'SRV'): Promise<{ rcode: string; answers: Array<{ data: unknown }> }> {
  const reply = await h.handle(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name }] }), 'udp');
  const d = dnsPacket.decode(reply!) as unknown as { rcode: string; answers?: Array<{ data: unknown }> };
  return { rcode: d.rcode, answers: d.answers ?? [] };
}

function backend<T extends MemoryBackend>(b: T): T {
  b.addNode({ name: 'gw', address: '10.0.0.9', datacenter: 'dc1' });
  b.addInstance({ node: 'gw', serviceName: 'ig', serviceId: 'ig-1', port: 8888 });
  b.addInstance({ node: 'gw', serviceName: 'ig-down', serviceId: 'ig-down-1', port: 8889, health: 'critical' });
  return b;
}

describe('.ingress lookups', () => {
  it('answers with the healthy ingress gateways that front the service', async () => {
    const h = new DnsHandler({ backend: backend(new IngressBackend(['dc1'])), datacenter: 'dc1' }, newStats(), undefined);
    expect((await ask(h, 'web.ingress.consul', 'SRV')).answers.map((a) => a.data)).toMatchObject([{ port: 8888, target: 'gw.node.dc1.consul' }]);
    expect((await ask(h, 'web.ingress.dc1.consul', 'A')).answers.map((a) => a.data)).toEqual(['10.0.0.9']);
    expect((await ask(h, 'api.ingress.consul', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('is NXDOMAIN when the backend has no ingress instances', async () => {
    const h = new DnsHandler({ backend: backend(new MemoryBackend(['dc1'])), datacenter: 'dc1' }, newStats(), undefined);
    expect((await ask(h, 'web.ingress.consul', 'A')).rcode).toBe('NXDOMAIN');
  });
});
