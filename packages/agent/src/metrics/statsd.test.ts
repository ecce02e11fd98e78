import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { MetricsRegistry } from './registry.js';
import { statsdLine, StatsdSink } from './statsd.js';

describe("go-metrics' statsd sink", () => {
  it('formats lines as go-metrics does: label values in the name, : and space made _, %f of a float32', () => {
    expect(statsdLine(['consul', 'http', 'GET', 'v1', 'kv'], {}, 0.412, 'ms')).toBe('consul.http.GET.v1.kv:0.412000|ms\n');
    expect(statsdLine(['consul', 'host:1', 'runtime', 'alloc_bytes'], {}, 123456789, 'g')).toBe('consul.host_1.runtime.alloc_bytes:123456792.000000|g\n');
    expect(statsdLine(['consul', 'rpc', 'request'], { method: 'KVS.Get', peer: 'a b' }, 1, 'c')).toBe('consul.rpc.request.KVS.Get.a_b:1.000000|c\n');
  });

  it('sends what the registry records, gauges with the hostname, in packets of at most 1,400 bytes', async () => {
    const rx = createSocket('udp4');
    const packets: string[] = [];
    rx.on('message', (m) => packets.push(m.toString()));
    await new Promise<void>((r) => rx.bind(0, '127.0.66.57', () => r()));
    const sink = new StatsdSink('127.0.66.57', (rx.address() as AddressInfo).port);
    const m = new MetricsRegistry({ hostname: 'node1', sink });
    try {
      m.setGauge('runtime.num_goroutines', 7);
      m.incrCounter('catalog.register', 2);
      for (let i = 0; i < 100; i++) m.addSample(['http', 'GET', 'v1', 'kv'], i);
      m.gaugeFunc('raft.applied_index', () => 42);
      m.emitGaugeFuncs();
      sink.flush();
      await vi.waitFor(() => expect(packets.join('').split('\n').filter(Boolean)).toHaveLength(103), { timeout: 5000 });
      const lines = packets.join('').split('\n');
      expect(lines).toContain('consul.node1.runtime.num_goroutines:7.000000|g');
      expect(lines).toContain('consul.catalog.register:2.000000|c');
      expect(lines).toContain('consul.http.GET.v1.kv:99.000000|ms');
      expect(lines).toContain('consul.node1.raft.applied_index:42.000000|g');
      expect(packets.length).toBeGreaterThan(1);
      for (const p of packets) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(1400);
    } finally {
      sink.close();
      rx.close();
    }
  });
});
