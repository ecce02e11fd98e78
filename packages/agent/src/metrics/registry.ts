import type { MetricLabels, MetricsSummary } from './types.js';

/** A metric name: dotted ("http.GET.v1.agent.metrics") or its parts. The prefix is added. */
export type MetricName = string | readonly string[];

export interface MetricsRegistryOptions {
  /** Name prefix (Consul's telemetry.metrics_prefix), default "consul". */
  prefix?: string;
  /** Aggregation interval (go-metrics inmem sink: 10 s). */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Counters, gauges and samples (timers in ms), aggregated per interval like go-metrics'
 * in-memory sink, rendered as Consul's /v1/agent/metrics JSON or Prometheus text.
 */
export class MetricsRegistry {
  constructor(options: MetricsRegistryOptions = {}) {
    void options;
  }

  incrCounter(name: MetricName, value = 1, labels: MetricLabels = {}): void {
    void name; void value; void labels;
    throw new Error('not implemented');
  }

  setGauge(name: MetricName, value: number, labels: MetricLabels = {}): void {
    void name; void value; void labels;
    throw new Error('not implemented');
  }

  addSample(name: MetricName, value: number, labels: MetricLabels = {}): void {
    void name; void value; void labels;
    throw new Error('not implemented');
  }

  /** Adds a sample of the milliseconds elapsed since `startMs` (a `now()` reading). */
  measureSince(name: MetricName, startMs: number, labels: MetricLabels = {}): void {
    void name; void startMs; void labels;
    throw new Error('not implemented');
  }

  /** The JSON body of GET /v1/agent/metrics: the current (latest) interval. */
  summary(): MetricsSummary {
    throw new Error('not implemented');
  }

  /** The body of GET /v1/agent/metrics?format=prometheus (text/plain; version=0.0.4). */
  prometheus(): string {
    throw new Error('not implemented');
  }
}

/** Content-Type for the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
