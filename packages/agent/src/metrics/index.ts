/**
 * Agent telemetry: a registry of counters, gauges and samples with Consul's
 * /v1/agent/metrics JSON and Prometheus text output.
 *
 *   const metrics = new MetricsRegistry();          // names get the "consul." prefix
 *   registerRuntimeGauges(metrics);
 *   metrics.incrCounter('rpc.request');
 *   const start = metrics.clock();
 *   metrics.measureSince(['http', 'GET', 'v1', 'kv'], start);
 *   reply.send(metrics.summary());                  // or metrics.prometheus()
 */
export type { MetricLabels, GaugeValue, PointValue, SampledValue, MetricsSummary } from './types.js';
export {
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
  goTimeString,
  type MetricName,
  type MetricsRegistryOptions,
} from './registry.js';
export { registerRuntimeGauges } from './runtime.js';
