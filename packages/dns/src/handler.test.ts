// The decoder and handler in process: any bytes in, never a throw, and any reply decodes.
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DnsHandler } from './handler.js';
import { newStats } from './stats.js';
import { MemoryBackend } from './testing/memory-backend.js';

function handler(): DnsHandler {
  const b = new MemoryBackend(['dc1']);
  b.addNode({ name: 'n1', address: '10.0.0.1', datacenter: 'dc1' });
  b.addInstance({ node: 'n1', serviceName: 'web', serviceId: 'web', port: 80 });
  return new DnsHandler({ backend: b, datacenter: 'dc1' }, newStats(), undefined);
}

describe('DnsHandler on arbitrary input', () => {
  it('never throws; replies decode as responses; every packet is counted once', async () => {
    const h = handler();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.constantFrom<'udp' | 'tcp'>('udp', 'tcp'), async (bytes, transport) => {
        n++;
        const reply = await h.handle(Buffer.from(bytes), transport);
        if (reply) expect(dnsPacket.decode(reply).type).toBe('response');
      }),
      { numRuns: 2000 },
    );
    expect(h.stats.queries + h.stats.malformed).toBe(n);
  });

  it('answers a valid query, from the cache the second time with the new id', async () => {
    const h = handler();
    const q = (id: number) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web.service.consul' }] });
    const first = await h.handle(q(1), 'udp');
    const second = h.handle(q(2), 'udp');
    expect(second).toBeInstanceOf(Buffer); // synchronous: the cached encoding
    const d1 = dnsPacket.decode(first!);
    const d2 = dnsPacket.decode(second as Buffer);
    expect(d1.id).toBe(1);
    expect(d2.id).toBe(2);
    expect(d2.flag_rd).toBe(true);
    expect(d2.answers).toEqual(d1.answers);
    expect(h.stats.answers).toBe(2);
  });
});
