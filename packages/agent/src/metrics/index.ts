/**
 * Agent telemetry: a registry of counters, gauges and samples with Consul's
 * /v1/agent/metrics JSON and Prometheus text output.
 *
 *   const metrics = new MetricsRegistry();          // names get the "consul." prefix
 *   metrics.incrCounter('rpc.request');
 *   metrics.measureSince(['http', 'GET', 'v1', 'kv'], start);
 *   reply.send(metrics.summary());                  // or metrics.prometheus()
 */
export type { MetricLabels, GaugeValue, PointValue, SampledValue, MetricsSummary } from './types.js';
export {
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
  type MetricName,
  type MetricsRegistryOptions,
} from './registry.js';
