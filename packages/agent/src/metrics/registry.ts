/**
 * Counters, gauges and samples, kept two ways as Consul's go-metrics sinks keep them:
 * - the in-memory sink: 10-second intervals (a minute retained) behind /v1/agent/metrics;
 * - the Prometheus sink: cumulative counters, last gauge values, summaries with 0.5/0.9/0.99
 *   quantiles over a sliding window, behind /v1/agent/metrics?format=prometheus.
 */
import { AggregateSample } from './aggregate.js';
import {
  escapeLabelValue,
  formatGoFloat,
  keyParts,
  prometheusLabelName,
  prometheusName,
  seriesKey,
} from './names.js';
import type { MetricSink } from './statsd.js';
import type { GaugeValue, MetricLabels, MetricsSummary, PointValue, SampledValue } from './types.js';

/** A metric name: dotted ("http.GET.v1.agent.metrics") or its parts. The prefix is added. */
export type MetricName = string | readonly string[];

export interface MetricsRegistryOptions {
  /** Name prefix (Consul's telemetry.metrics_prefix), default "consul". */
  prefix?: string;
  /**
   * When set, gauge names get it after the prefix (go-metrics' EnableHostname, which Consul
   * turns on unless telemetry.disable_hostname): "consul.<host>.runtime.alloc_bytes".
   */
  hostname?: string;
  /** Aggregation interval (go-metrics inmem sink: 10 s). */
  intervalMs?: number;
  /** How long intervals are kept (Consul: 1 minute). */
  retainMs?: number;
  /** Prometheus series not updated for this long are dropped; 0 keeps them (Consul's prometheus_retention_time). */
  prometheusRetentionMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** A sink every gauge, counter and sample also goes to as it happens (statsd.ts). */
  sink?: MetricSink;
}

interface Interval {
  startMs: number;
  gauges: Map<string, GaugeValue>;
  points: Map<string, PointValue>;
  counters: Map<string, { name: string; labels: MetricLabels; agg: AggregateSample }>;
  samples: Map<string, { name: string; labels: MetricLabels; agg: AggregateSample }>;
}

interface PromSeries {
  name: string;
  labels: MetricLabels;
  updatedMs: number;
}
interface PromValue extends PromSeries {
  value: number;
}
interface PromSummary extends PromSeries {
  sum: number;
  count: number;
  /**
   * The newest SUMMARY_WINDOW_MAX samples, a ring (`next` is where the next one goes): their times
   * and values in two arrays of plain numbers, which V8 keeps unboxed, not an object per sample
   * (one per HTTP request, each outliving the young generation).
   */
  atMs: number[];
  values: number[];
  next: number;
}

/** Summary quantiles of go-metrics' prometheus sink. */
const QUANTILES = [0.5, 0.9, 0.99] as const;
/** Summary window (go-metrics sets MaxAge 10 s, so idle quantiles read NaN) and a bound on its samples. */
const SUMMARY_WINDOW_MS = 10_000;
const SUMMARY_WINDOW_MAX = 2_048;
/** Bound on distinct series, so unbounded label values cannot exhaust memory. */
const MAX_SERIES = 10_000;

/** Go's time.Time.String() for a UTC instant: "2024-01-01 00:00:10 +0000 UTC". */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:10.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

export class MetricsRegistry {
  private readonly prefix: string[];
  private readonly hostname: string | undefined;
  private readonly intervalMs: number;
  private readonly retainMs: number;
  private readonly prometheusRetentionMs: number;
  private readonly now: () => number;
  private readonly sink: MetricSink | undefined;
  private intervals: Interval[] = [];
  private readonly promCounters = new Map<string, PromValue>();
  private readonly promGauges = new Map<string, PromValue>();
  private readonly promSummaries = new Map<string, PromSummary>();
  private readonly gaugeCallbacks = new Map<string, { parts: string[]; labels: MetricLabels; read: () => number }>();
  /** Resolved names of label-free metrics: the hot path (one sample per HTTP request) skips the joins. */
  private readonly resolved = new Map<string, { parts: string[]; dotted: string; key: string }>();

  constructor(options: MetricsRegistryOptions = {}) {
    this.prefix = options.prefix === '' ? [] : [options.prefix ?? 'consul'];
    this.hostname = options.hostname;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.retainMs = options.retainMs ?? 60_000;
    this.prometheusRetentionMs = options.prometheusRetentionMs ?? 0;
    this.now = options.now ?? Date.now;
    this.sink = options.sink;
  }

  incrCounter(name: MetricName, value = 1, labels: MetricLabels = {}): void {
    const parts = [...this.prefix, ...keyParts(name)];
    const dotted = parts.join('.');
    const key = seriesKey(dotted, labels);
    const interval = this.currentInterval();
    let entry = interval.counters.get(key);
    if (entry === undefined) {
      if (interval.counters.size >= MAX_SERIES) return;
      entry = { name: dotted, labels: { ...labels }, agg: new AggregateSample() };
      interval.counters.set(key, entry);
    }
    entry.agg.ingest(value);
    const prom = this.promSeries(this.promCounters, parts, labels, () => ({ value: 0 }));
    if (prom !== undefined) prom.value += value;
    this.sink?.emit(parts, labels, value, 'c');
  }

  setGauge(name: MetricName, value: number, labels: MetricLabels = {}): void {
    const parts = this.gaugeParts(keyParts(name));
    const dotted = parts.join('.');
    const key = seriesKey(dotted, labels);
    const interval = this.currentInterval();
    if (interval.gauges.has(key) || interval.gauges.size < MAX_SERIES) {
      interval.gauges.set(key, { Name: dotted, Value: value, Labels: { ...labels } });
    }
    const prom = this.promSeries(this.promGauges, parts, labels, () => ({ value }));
    if (prom !== undefined) prom.value = value;
    this.sink?.emit(parts, labels, value, 'g');
  }

  /** Sends the gauges read on demand (gaugeFunc) to the sink, as go-metrics emits runtime gauges every second. */
  emitGaugeFuncs(): void {
    if (!this.sink) return;
    for (const cb of this.gaugeCallbacks.values()) this.sink.emit(cb.parts, cb.labels, cb.read(), 'g');
  }

  /**
   * A gauge read when metrics are rendered (runtime figures such as memory); Consul's agent
   * emits those every interval, this saves the timer.
   */
  gaugeFunc(name: MetricName, read: () => number, labels: MetricLabels = {}): void {
    const parts = this.gaugeParts(keyParts(name));
    this.gaugeCallbacks.set(seriesKey(parts.join('.'), labels), { parts, labels: { ...labels }, read });
  }

  addSample(name: MetricName, value: number, labels: MetricLabels = {}): void {
    const { parts, dotted, key } = this.resolve(name, labels);
    const interval = this.currentInterval();
    let entry = interval.samples.get(key);
    if (entry === undefined) {
      if (interval.samples.size >= MAX_SERIES) return;
      entry = { name: dotted, labels: { ...labels }, agg: new AggregateSample() };
      interval.samples.set(key, entry);
    }
    entry.agg.ingest(value);
    const prom = this.promSeries(this.promSummaries, parts, labels, () => ({ sum: 0, count: 0, atMs: [], values: [], next: 0 }));
    if (prom !== undefined) {
      prom.sum += value;
      prom.count += 1;
      // A ring, not push + splice: this runs once per HTTP request.
      prom.atMs[prom.next] = this.now();
      prom.values[prom.next] = value;
      prom.next = (prom.next + 1) % SUMMARY_WINDOW_MAX;
    }
    this.sink?.emit(parts, labels, value, 'ms');
  }

  /** Adds a sample of the milliseconds elapsed since `startMs` (a reading of this registry's clock). */
  measureSince(name: MetricName, startMs: number, labels: MetricLabels = {}): void {
    this.addSample(name, this.now() - startMs, labels);
  }

  /** The clock the registry uses (pass its readings to measureSince). */
  clock(): number {
    return this.now();
  }

  /**
   * The JSON body of GET /v1/agent/metrics: the most recent finished interval, or the
   * current one when it is the only one (go-metrics' DisplayMetrics).
   */
  summary(): MetricsSummary {
    this.currentInterval();
    const n = this.intervals.length;
    return this.summaryOf((n === 1 ? this.intervals[0] : this.intervals[n - 2]) as Interval);
  }

  /** The current interval's start and end (readings of this registry's clock). */
  currentSpan(): { startMs: number; endMs: number } {
    const { startMs } = this.currentInterval();
    return { startMs, endMs: startMs + this.intervalMs };
  }

  /**
   * The summary of the interval that started at `startMs` (empty if nothing was recorded in it,
   * or it is no longer retained): what go-metrics' InmemSink.Stream encodes when an interval ends.
   */
  intervalSummary(startMs: number): MetricsSummary {
    const interval = this.intervals.find((i) => i.startMs === startMs);
    return this.summaryOf(interval ?? { startMs, gauges: new Map(), points: new Map(), counters: new Map(), samples: new Map() });
  }

  private summaryOf(interval: Interval): MetricsSummary {
    const gauges = new Map(interval.gauges);
    for (const [key, cb] of this.gaugeCallbacks) {
      gauges.set(key, { Name: cb.parts.join('.'), Value: cb.read(), Labels: { ...cb.labels } });
    }
    const sampled = (m: Interval['counters']): SampledValue[] =>
      [...m.values()]
        .map(({ name, labels, agg }) => ({
          Name: name,
          Count: agg.count,
          Rate: agg.sum / (this.intervalMs / 1000),
          Sum: agg.sum,
          Min: agg.min,
          Max: agg.max,
          Mean: agg.mean(),
          Stddev: agg.stddev(),
          Labels: { ...labels },
        }))
        .sort(byName);
    return {
      Timestamp: goTimeString(interval.startMs),
      Gauges: [...gauges.values()].map((g) => ({ ...g, Labels: { ...g.Labels } })).sort(byName),
      Points: [...interval.points.values()].sort(byName),
      Counters: sampled(interval.counters),
      Samples: sampled(interval.samples),
    };
  }

  /** The body of GET /v1/agent/metrics?format=prometheus (text exposition format 0.0.4). */
  prometheus(): string {
    const now = this.now();
    this.expirePrometheus(now);
    const families = new Map<string, { type: string; lines: Array<{ sortKey: string; text: string[] }> }>();
    const family = (name: string, type: string): Array<{ sortKey: string; text: string[] }> => {
      let f = families.get(name);
      if (f === undefined) {
        f = { type, lines: [] };
        families.set(name, f);
      }
      return f.lines;
    };
    const sortKey = (labels: MetricLabels): string => seriesKey('', labels);

    for (const s of this.promCounters.values()) {
      family(s.name, 'counter').push({ sortKey: sortKey(s.labels), text: [`${s.name}${renderLabels(s.labels)} ${formatGoFloat(s.value)}`] });
    }
    const gaugeValues = new Map<string, PromValue>(this.promGauges);
    for (const [key, cb] of this.gaugeCallbacks) {
      gaugeValues.set(key, { name: prometheusName(cb.parts), labels: cb.labels, value: cb.read(), updatedMs: now });
    }
    for (const s of gaugeValues.values()) {
      family(s.name, 'gauge').push({ sortKey: sortKey(s.labels), text: [`${s.name}${renderLabels(s.labels)} ${formatGoFloat(s.value)}`] });
    }
    for (const s of this.promSummaries.values()) {
      const recent = s.values.filter((_, i) => now - s.atMs[i]! <= SUMMARY_WINDOW_MS).sort((a, b) => a - b);
      const text = QUANTILES.map(
        (q) => `${s.name}${renderLabels(s.labels, { quantile: String(q) })} ${formatGoFloat(quantile(recent, q))}`,
      );
      text.push(`${s.name}_sum${renderLabels(s.labels)} ${formatGoFloat(s.sum)}`);
      text.push(`${s.name}_count${renderLabels(s.labels)} ${formatGoFloat(s.count)}`);
      family(s.name, 'summary').push({ sortKey: sortKey(s.labels), text });
    }

    const out: string[] = [];
    for (const name of [...families.keys()].sort()) {
      const f = families.get(name) as { type: string; lines: Array<{ sortKey: string; text: string[] }> };
      out.push(`# HELP ${name} ${name}`, `# TYPE ${name} ${f.type}`);
      for (const line of f.lines.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))) {
        out.push(...line.text);
      }
    }
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }

  private resolve(name: MetricName, labels: MetricLabels): { parts: string[]; dotted: string; key: string } {
    const cacheable = typeof name === 'string' && Object.keys(labels).length === 0;
    const cached = cacheable ? this.resolved.get(name) : undefined;
    if (cached !== undefined) return cached;
    const parts = [...this.prefix, ...keyParts(name)];
    const dotted = parts.join('.');
    const out = { parts, dotted, key: seriesKey(dotted, labels) };
    if (cacheable && this.resolved.size < MAX_SERIES) this.resolved.set(name, out);
    return out;
  }

  private gaugeParts(parts: string[]): string[] {
    return this.hostname === undefined ? [...this.prefix, ...parts] : [...this.prefix, this.hostname, ...parts];
  }

  private currentInterval(): Interval {
    const now = this.now();
    const startMs = now - (now % this.intervalMs);
    const last = this.intervals[this.intervals.length - 1];
    if (last !== undefined && last.startMs === startMs) return last;
    const fresh: Interval = { startMs, gauges: new Map(), points: new Map(), counters: new Map(), samples: new Map() };
    this.intervals.push(fresh);
    // Keep the intervals inside the retention window (at least the current one).
    this.intervals = this.intervals.filter((i) => i === fresh || startMs - i.startMs < this.retainMs);
    return fresh;
  }

  private promSeries<T extends PromSeries>(
    map: Map<string, T>,
    parts: string[],
    labels: MetricLabels,
    init: () => Omit<T, keyof PromSeries>,
  ): T | undefined {
    const name = prometheusName(parts);
    const promLabels: MetricLabels = {};
    for (const [k, v] of Object.entries(labels)) promLabels[prometheusLabelName(k)] = v;
    const key = seriesKey(name, promLabels);
    let series = map.get(key);
    if (series === undefined) {
      if (map.size >= MAX_SERIES) return undefined;
      series = { name, labels: promLabels, updatedMs: this.now(), ...init() } as T;
      map.set(key, series);
    }
    series.updatedMs = this.now();
    return series;
  }

  private expirePrometheus(now: number): void {
    if (this.prometheusRetentionMs <= 0) return;
    for (const map of [this.promCounters, this.promGauges, this.promSummaries] as Array<Map<string, PromSeries>>) {
      for (const [key, s] of map) if (now - s.updatedMs > this.prometheusRetentionMs) map.delete(key);
    }
  }
}

function byName(a: { Name: string }, b: { Name: string }): number {
  return a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0;
}

function renderLabels(labels: MetricLabels, extra: MetricLabels = {}): string {
  const names = Object.keys(labels).sort();
  const pairs = names.map((k) => `${k}="${escapeLabelValue(labels[k] ?? '')}"`);
  for (const [k, v] of Object.entries(extra)) pairs.push(`${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** The q-quantile of sorted values (nearest rank); NaN when there are none, as client_golang reports. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Content-Type for the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
