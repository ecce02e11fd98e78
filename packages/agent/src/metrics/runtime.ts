/** Consul's runtime gauges, read from the Node process when metrics are rendered. */
import type { MetricsRegistry } from './registry.js';

export function registerRuntimeGauges(registry: MetricsRegistry): void {
  registry.gaugeFunc('runtime.alloc_bytes', () => process.memoryUsage().heapUsed);
  registry.gaugeFunc('runtime.sys_bytes', () => process.memoryUsage().rss);
}
