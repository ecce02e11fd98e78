/** Metric keys: parts, their dotted JSON name, Prometheus names and label sets. */
import type { MetricLabels } from './types.js';

export function keyParts(name: string | readonly string[]): string[] {
  return typeof name === 'string' ? name.split('.').filter((p) => p !== '') : [...name];
}

/** go-metrics' prometheus sink: parts joined by "_", then " .=-/" replaced by "_". */
export function prometheusName(parts: readonly string[]): string {
  return parts.join('_').replace(/[ .=\-/]/g, '_');
}

export function prometheusLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** A stable identity for name + labels. */
export function seriesKey(name: string, labels: MetricLabels): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`);
  return `${name}\u0000${sorted.join('\u0000')}`;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64), which the Prometheus text format uses. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, expText] = value.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(value);
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
