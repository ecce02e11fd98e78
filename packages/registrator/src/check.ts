import { InvalidMetadataError } from './errors.js';

/** The `Check` of an agent service registration (Consul's AgentServiceCheck field names). */
export interface ServiceCheck {
  HTTP?: string;
  Method?: string;
  TLSSkipVerify?: boolean;
  TCP?: string;
  Args?: string[];
  TTL?: string;
  Interval?: string;
  Timeout?: string;
  Status?: 'passing' | 'warning' | 'critical';
  DeregisterCriticalServiceAfter?: string;
}

/** Metadata keys that describe the check and so do not become service Meta. */
export const CHECK_KEYS = new Set([
  'check_http', 'check_http_method', 'check_https', 'check_https_method', 'check_tcp', 'check_script',
  'check_cmd', 'check_ttl', 'check_interval', 'check_timeout', 'check_initial_status', 'check_deregister_after',
  'check_tls_skip_verify',
]);

/** Registrator's default check interval. */
export const DEFAULT_INTERVAL = '10s';

const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const STATUSES = new Set(['passing', 'warning', 'critical']);

interface Target {
  address: string;
  port: number;
  containerName: string;
  /** `-ttl`: a TTL check that registrator refreshes, when no check is configured. */
  ttlSeconds: number;
}

/** The check registrator's Consul backend builds from `SERVICE_CHECK_*` (first kind found wins). */
export function buildCheck(values: Record<string, string>, target: Target): ServiceCheck | undefined {
  const bad = (key: string, why: string): never => {
    throw new InvalidMetadataError(target.containerName, key, why);
  };
  for (const key of ['check_interval', 'check_timeout', 'check_ttl', 'check_deregister_after']) {
    const v = values[key];
    if (v !== undefined && !DURATION.test(v)) bad(key, `"${v}" is not a duration such as 10s or 1m`);
  }
  const status = values.check_initial_status;
  if (status !== undefined && !STATUSES.has(status)) bad('check_initial_status', `"${status}" is not passing, warning or critical`);

  const check: ServiceCheck = {};
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  if (values.check_http !== undefined) {
    check.HTTP = `http://${host}:${target.port}${values.check_http}`;
    if (values.check_http_method) check.Method = values.check_http_method;
  } else if (values.check_https !== undefined) {
    check.HTTP = `https://${host}:${target.port}${values.check_https}`;
    if (values.check_https_method) check.Method = values.check_https_method;
    if (values.check_tls_skip_verify === 'true') check.TLSSkipVerify = true;
  } else if (values.check_script !== undefined) {
    const script = values.check_script.replaceAll('$SERVICE_IP', target.address).replaceAll('$SERVICE_PORT', String(target.port));
    check.Args = ['sh', '-c', script];
  } else if (values.check_ttl !== undefined) {
    check.TTL = values.check_ttl;
  } else if (values.check_tcp !== undefined) {
    check.TCP = `${host}:${target.port}`;
  } else if (target.ttlSeconds > 0) {
    check.TTL = `${target.ttlSeconds}s`;
  } else {
    return undefined;
  }
  if (check.HTTP || check.TCP || check.Args) {
    check.Interval = values.check_interval ?? DEFAULT_INTERVAL;
    if (values.check_timeout) check.Timeout = values.check_timeout;
  }
  if (status) check.Status = status as ServiceCheck['Status'];
  if (values.check_deregister_after) check.DeregisterCriticalServiceAfter = values.check_deregister_after;
  return check;
}
