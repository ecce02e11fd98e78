import { describe, expect, it } from 'vitest';
import { formatGoFloat } from './names.js';
import { goTimeString, MetricsRegistry } from './registry.js';
import { registerRuntimeGauges } from './runtime.js';

function clock(startMs: number): { now: () => number; advance(ms: number): void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const T0 = Date.UTC(2024, 0, 1, 0, 0, 10, 250);

describe('MetricsRegistry JSON (/v1/agent/metrics)', () => {
  it('has Consul\'s shape: Timestamp, Gauges, Points, Counters, Samples', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now });
    m.setGauge('runtime.alloc_bytes', 4704344);
    m.incrCounter('rpc.request');
    m.incrCounter('rpc.request', 2);
    m.addSample(['http', 'GET', 'v1', 'agent', 'metrics'], 0.18);
    m.addSample(['http', 'GET', 'v1', 'agent', 'metrics'], 0.42);
    const s = m.summary();
    expect(s.Timestamp).toBe('2024-01-01 00:00:10 +0000 UTC');
    expect(s.Gauges).toEqual([{ Name: 'consul.runtime.alloc_bytes', Value: 4704344, Labels: {} }]);
    expect(s.Points).toEqual([]);
    expect(s.Counters).toEqual([
      { Name: 'consul.rpc.request', Count: 2, Rate: 0.3, Sum: 3, Min: 1, Max: 2, Mean: 1.5, Stddev: Math.SQRT1_2, Labels: {} },
    ]);
    expect(s.Samples).toHaveLength(1);
    expect(s.Samples[0]).toMatchObject({ Name: 'consul.http.GET.v1.agent.metrics', Count: 2, Min: 0.18, Max: 0.42, Labels: {} });
    expect(s.Samples[0]?.Mean).toBeCloseTo(0.3, 10);
    expect(s.Samples[0]?.Stddev).toBeCloseTo(0.16970562748, 8);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('keeps series with different labels apart', () => {
    const m = new MetricsRegistry({ now: clock(T0).now });
    m.incrCounter('api.http', 1, { method: 'GET', path: 'v1_kv' });
    m.incrCounter('api.http', 1, { method: 'PUT', path: 'v1_kv' });
    m.incrCounter('api.http', 1, { path: 'v1_kv', method: 'GET' });
    const counters = m.summary().Counters;
    expect(counters.map((x) => [x.Labels.method, x.Count])).toEqual(
      expect.arrayContaining([
        ['GET', 2],
        ['PUT', 1],
      ]),
    );
    expect(counters).toHaveLength(2);
  });

  it('shows the last finished interval once a newer one exists, as go-metrics does', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now });
    m.incrCounter('a');
    c.advance(10_000);
    m.incrCounter('b');
    const s = m.summary();
    expect(s.Timestamp).toBe('2024-01-01 00:00:10 +0000 UTC');
    expect(s.Counters.map((x) => x.Name)).toEqual(['consul.a']);
    c.advance(10_000);
    expect(m.summary().Counters.map((x) => x.Name)).toEqual(['consul.b']);
  });

  it('drops intervals older than the retention', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now, retainMs: 30_000 });
    m.incrCounter('old');
    c.advance(60_000);
    // Only the current interval remains, so it is the one shown.
    expect(m.summary().Counters).toEqual([]);
    expect(m.summary().Timestamp).toBe(goTimeString(Date.UTC(2024, 0, 1, 0, 1, 10)));
  });

  it('puts the hostname into gauge names when asked, like go-metrics EnableHostname', () => {
    const m = new MetricsRegistry({ now: clock(T0).now, hostname: 'node1' });
    m.setGauge('runtime.num_goroutines', 7);
    m.incrCounter('x');
    const s = m.summary();
    expect(s.Gauges[0]?.Name).toBe('consul.node1.runtime.num_goroutines');
    expect(s.Counters[0]?.Name).toBe('consul.x');
  });

  it('reads function gauges when rendering', () => {
    const m = new MetricsRegistry({ now: clock(T0).now });
    let v = 1;
    m.gaugeFunc('memberlist.size', () => v);
    expect(m.summary().Gauges).toEqual([{ Name: 'consul.memberlist.size', Value: 1, Labels: {} }]);
    v = 5;
    expect(m.summary().Gauges[0]?.Value).toBe(5);
    registerRuntimeGauges(m);
    const names = m.summary().Gauges.map((g) => g.Name);
    expect(names).toContain('consul.runtime.alloc_bytes');
    expect(m.summary().Gauges.find((g) => g.Name === 'consul.runtime.alloc_bytes')?.Value).toBeGreaterThan(0);
  });

  it('measureSince records elapsed milliseconds on its own clock', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now });
    const start = m.clock();
    c.advance(25);
    m.measureSince('kvs.apply', start);
    expect(m.summary().Samples[0]).toMatchObject({ Name: 'consul.kvs.apply', Count: 1, Sum: 25 });
  });
});

describe('MetricsRegistry Prometheus text', () => {
  it('renders counters, gauges and summaries with consul_ names', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now });
    m.incrCounter('rpc.request', 3);
    m.incrCounter('rpc.request');
    m.setGauge('runtime.alloc_bytes', 4704344);
    m.setGauge('catalog.service.count', 2, { service: 'web "a"' });
    for (const v of [1, 2, 3, 4]) m.addSample('serf.queue.Event-x', v);
    expect(m.prometheus()).toBe(
      [
        '# HELP consul_catalog_service_count consul_catalog_service_count',
        '# TYPE consul_catalog_service_count gauge',
        'consul_catalog_service_count{service="web \\"a\\""} 2',
        '# HELP consul_rpc_request consul_rpc_request',
        '# TYPE consul_rpc_request counter',
        'consul_rpc_request 4',
        '# HELP consul_runtime_alloc_bytes consul_runtime_alloc_bytes',
        '# TYPE consul_runtime_alloc_bytes gauge',
        'consul_runtime_alloc_bytes 4.704344e+06',
        '# HELP consul_serf_queue_Event_x consul_serf_queue_Event_x',
        '# TYPE consul_serf_queue_Event_x summary',
        'consul_serf_queue_Event_x{quantile="0.5"} 2',
        'consul_serf_queue_Event_x{quantile="0.9"} 4',
        'consul_serf_queue_Event_x{quantile="0.99"} 4',
        'consul_serf_queue_Event_x_sum 10',
        'consul_serf_queue_Event_x_count 4',
        '',
      ].join('\n'),
    );
  });

  it('counters stay cumulative across intervals; idle summary quantiles read NaN', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now });
    m.incrCounter('a');
    m.addSample('t', 5);
    c.advance(30_000);
    m.incrCounter('a');
    const text = m.prometheus();
    expect(text).toContain('consul_a 2\n');
    expect(text).toContain('consul_t{quantile="0.5"} NaN\n');
    expect(text).toContain('consul_t_count 1\n');
  });

  it('summary quantiles come from the newest 2,048 samples of the last 10 s; sum and count from all', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now });
    for (let v = 1; v <= 1000; v++) m.addSample('t', v);
    c.advance(11_000);
    for (let v = 1001; v <= 3000; v++) m.addSample('t', v);
    // The ring keeps samples 953..3000; 953..1000 are 11 s old, so the quantiles are of 1001..3000.
    const text = m.prometheus();
    expect(text).toContain('consul_t{quantile="0.5"} 2000\n');
    expect(text).toContain('consul_t{quantile="0.9"} 2800\n');
    expect(text).toContain('consul_t{quantile="0.99"} 2980\n');
    expect(text).toContain('consul_t_sum 4.5015e+06\n');
    expect(text).toContain('consul_t_count 3000\n');
  });

  it('drops series not updated within the retention time', () => {
    const c = clock(T0);
    const m = new MetricsRegistry({ now: c.now, prometheusRetentionMs: 60_000 });
    m.setGauge('g', 1);
    c.advance(61_000);
    m.setGauge('h', 1);
    const text = m.prometheus();
    expect(text).not.toContain('consul_g ');
    expect(text).toContain('consul_h 1');
  });
});

describe('formatGoFloat (strconv.FormatFloat g -1)', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [0.18, '0.18'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [1e21, '1e+21'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
  ])('%d -> %s', (v, text) => {
    expect(formatGoFloat(v)).toBe(text);
  });
});
