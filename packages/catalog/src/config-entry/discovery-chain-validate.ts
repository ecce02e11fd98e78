/**
 * Normalize() and Validate() of service-resolver and service-router, in Consul 1.17 OSS's order
 * and with its texts (agent/structs/config_entry_discoverychain.go and, for the enterprise-only
 * fields, config_entry_discoverychain_ce.go). Go walks a resolver's Subsets and Failover maps in
 * random order; they are walked sorted here, so of two faults the same one is always named.
 */
import { formatGoDuration } from '../duration.js';
import { multiError } from './schema.js';
import { metaErrors } from './validate.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const map = (v: unknown): Record<string, Obj> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, Obj>) : {});
const q = (s: string): string => JSON.stringify(s);

/** What the agent lends the pure validators: the go-bexpr parser (Consul's bexpr.CreateEvaluator). */
export interface ConfigEntryHooks {
  /** The parse error of a filter expression, or undefined when it parses. */
  filterError?: (expression: string) => string | undefined;
}

const VALID_SUBSET = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const SUBSET_MAX_LENGTH = 63;

/** validateServiceSubset: a subset name is a DNS label (it is part of an SNI name). */
function subsetNameError(name: string): string | undefined {
  if (name === '' || name.length > SUBSET_MAX_LENGTH) return 'must be non-empty and 63 characters or fewer';
  if (!VALID_SUBSET.test(name)) {
    return "must be 63 characters or fewer, begin or end with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-' in between";
  }
  return undefined;
}

const LB_POLICIES = new Set(['', 'random', 'round_robin', 'least_request', 'ring_hash', 'maglev']);
const HASH_FIELDS = new Set(['header', 'cookie', 'query_parameter']);

function loadBalancerError(lb: Obj): string | undefined {
  const policy = str(lb.Policy);
  if (!LB_POLICIES.has(policy)) return `Bad LoadBalancer policy: ${q(policy)} is not supported`;
  if (policy !== 'ring_hash' && lb.RingHashConfig) return `Bad LoadBalancer configuration. RingHashConfig specified for incompatible load balancing policy ${q(policy)}`;
  if (policy !== 'least_request' && lb.LeastRequestConfig) return `Bad LoadBalancer configuration. LeastRequestConfig specified for incompatible load balancing policy ${q(policy)}`;
  const hashPolicies = list(lb.HashPolicies);
  if (policy !== 'ring_hash' && policy !== 'maglev' && hashPolicies.length > 0) return `Bad LoadBalancer configuration: HashPolicies specified for non-hash-based Policy: ${q(policy)}`;
  for (const [i, hp] of hashPolicies.entries()) {
    const field = str(hp.Field);
    const value = str(hp.FieldValue);
    const p = `Bad LoadBalancer HashPolicy[${i}]: `;
    if (field !== '' && !HASH_FIELDS.has(field)) return `${p}${q(field)} is not a supported field`;
    if (hp.SourceIP === true && field !== '') return `${p}A single hash policy cannot hash both a source address and a ${q(field)}`;
    if (hp.SourceIP === true && value !== '') return `${p}A FieldValue cannot be specified when hashing SourceIP`;
    if (field !== '' && value === '') return `${p}Field ${q(field)} was specified without a FieldValue`;
    if (value !== '' && field === '') return `${p}FieldValue requires a Field to apply to`;
    const cookie = hp.CookieConfig as Obj | undefined;
    if (cookie) {
      if (field !== 'cookie') return `${p}cookie_config provided for ${q(field)}`;
      if (cookie.Session === true && typeof cookie.TTL === 'number' && cookie.TTL !== 0) return `${p}a session cookie cannot have an associated TTL`;
    }
  }
  return undefined;
}

/** The enterprise-only fields of a redirect, a failover and a failover target (ValidateEnterprise, CE). */
function enterpriseError(x: Obj, fields: readonly string[]): string | undefined {
  for (const k of fields) if (str(x[k]) !== '') return `Setting ${k} requires Consul Enterprise`;
  return undefined;
}

function redirectError(e: Obj, r: Obj, isSubset: (s: string) => boolean): string | undefined {
  const name = str(e.Name);
  const [service, subset, partition, dc, peer] = ['Service', 'ServiceSubset', 'Partition', 'Datacenter', 'Peer'].map((k) => str(r[k]));
  if (partition !== '' && partition !== 'default' && dc !== '') return 'Cross-datacenter and cross-partition redirect is not supported';
  const ent = enterpriseError(r, ['Partition', 'Namespace', 'SamenessGroup']);
  if (ent) return `Redirect: ${ent}`;
  if (Object.keys(map(e.Failover)).length > 0) return 'Redirect and Failover cannot both be set';
  if (['Service', 'ServiceSubset', 'Namespace', 'Partition', 'Datacenter', 'Peer', 'SamenessGroup'].every((k) => str(r[k]) === '')) return 'Redirect is empty';
  if (peer !== '' && subset !== '') return 'Redirect.Peer cannot be set with Redirect.ServiceSubset';
  if (peer !== '' && partition !== '') return 'Redirect.Partition cannot be set with Redirect.Peer';
  if (peer !== '' && dc !== '') return 'Redirect.Peer cannot be set with Redirect.Datacenter';
  if (service === '') {
    for (const k of ['ServiceSubset', 'Namespace', 'Partition', 'Peer']) if (str(r[k]) !== '') return `Redirect.${k} defined without Redirect.Service`;
    return undefined;
  }
  if (subset !== '' && service === name && !isSubset(subset)) return `Redirect.ServiceSubset ${q(subset)} is not a valid subset of ${q(name)}`;
  return undefined;
}

function failoverError(e: Obj, subset: string, f: Obj, isSubset: (s: string) => boolean): string | undefined {
  const name = str(e.Name);
  const p = `Bad Failover[${q(subset)}]: `;
  const ent = enterpriseError(f, ['Namespace', 'SamenessGroup']);
  if (ent) return p + ent;
  if (subset !== '*' && !isSubset(subset)) return `${p}not a valid subset subset`;
  const targets = list(f.Targets);
  const dcs = Array.isArray(f.Datacenters) ? (f.Datacenters as string[]) : [];
  const service = str(f.Service);
  const serviceSubset = str(f.ServiceSubset);
  if (service === '' && serviceSubset === '' && str(f.Namespace) === '' && dcs.length === 0 && targets.length === 0 && str(f.SamenessGroup) === '') {
    return `${p}one of Service, ServiceSubset, Namespace, Targets, SamenessGroup, or Datacenters is required`;
  }
  const policy = f.Policy as Obj | undefined;
  if (policy && str(policy.Mode) !== '') return `${p}Setting failover policies requires Consul Enterprise`;
  if (serviceSubset !== '' && (service === '' || service === name) && !isSubset(serviceSubset)) {
    return `${p}ServiceSubset ${q(serviceSubset)} is not a valid subset of ${q(service)}`;
  }
  if (dcs.length > 0 && targets.length > 0) return `${p}Targets cannot be set with Datacenters`;
  if (serviceSubset !== '' && targets.length > 0) return `${p}Targets cannot be set with ServiceSubset`;
  if (service !== '' && targets.length > 0) return `${p}Targets cannot be set with Service`;
  for (const [i, t] of targets.entries()) {
    const tp = `Bad Failover[${q(subset)}].Targets[${i}]: `;
    const tent = enterpriseError(t, ['Partition', 'Namespace']);
    if (tent) return tp + tent;
    const [tService, tSubset, tPartition, tDc, tPeer] = ['Service', 'ServiceSubset', 'Partition', 'Datacenter', 'Peer'].map((k) => str(t[k]));
    if (tPeer !== '' && tSubset !== '') return `${tp}Peer cannot be set with ServiceSubset`;
    if (tPeer !== '' && tPartition !== '') return `${tp}Partition cannot be set with Peer`;
    if (tPeer !== '' && tDc !== '') return `${tp}Peer cannot be set with Datacenter`;
    if (tPartition !== '' && tDc !== '') return `${tp}Partition cannot be set with Datacenter`;
    if (tSubset !== '' && (tService === '' || tService === name) && !isSubset(tSubset)) return `${tp}ServiceSubset ${q(tSubset)} is not a valid subset of ${q(name)}`;
  }
  if (dcs.some((dc) => dc === '')) return `Bad Failover[${q(subset)}].Datacenters: found empty datacenter`;
  return undefined;
}

/** ServiceResolverConfigEntry.Normalize (nothing to change in OSS) and Validate. */
export function serviceResolver(e: Obj, hooks: ConfigEntryHooks = {}): string | undefined {
  if (str(e.Name) === '') return 'Name is required';
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  const subsets = map(e.Subsets);
  const names = Object.keys(subsets).sort();
  for (const name of names) {
    if (name === '') return 'Subset defined with empty name';
    const bad = subsetNameError(name);
    if (bad) return `Subset ${q(name)} is invalid: ${bad}`;
    const filter = str(subsets[name]!.Filter);
    const parseErr = filter === '' ? undefined : hooks.filterError?.(filter);
    if (parseErr !== undefined) return `Filter for subset ${q(name)} is not a valid expression: ${parseErr}`;
  }
  const isSubset = (s: string): boolean => Object.hasOwn(subsets, s);
  const defaultSubset = str(e.DefaultSubset);
  if (defaultSubset !== '' && !isSubset(defaultSubset)) return `DefaultSubset ${q(defaultSubset)} is not a valid subset`;
  if (e.Redirect) {
    const err = redirectError(e, e.Redirect as Obj, isSubset);
    if (err) return err;
  }
  const failover = map(e.Failover);
  for (const subset of Object.keys(failover).sort()) {
    const err = failoverError(e, subset, failover[subset]!, isSubset);
    if (err) return err;
  }
  const pbl = e.PrioritizeByLocality as Obj | undefined;
  if (pbl && str(pbl.Mode) !== '') return 'Prioritize-by-locality requires Consul Enterprise ';
  for (const k of ['ConnectTimeout', 'RequestTimeout']) {
    const ns = typeof e[k] === 'number' ? (e[k] as number) : 0;
    if (ns < 0) return `Bad ${k} '${formatGoDuration(ns / 1e6)}', must be >= 0`;
  }
  return e.LoadBalancer ? loadBalancerError(e.LoadBalancer as Obj) : undefined;
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE']);
const RETRY_CONDITIONS = new Set([
  '5xx', 'gateway-error', 'reset', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx', 'refused-stream', 'cancelled', 'deadline-exceeded',
  'internal', 'resource-exhausted', 'unavailable',
]);

function routeMatchError(http: Obj, i: number): string | undefined {
  let pathParts = 0;
  for (const k of ['PathExact', 'PathPrefix']) {
    const v = str(http[k]);
    if (v === '') continue;
    pathParts++;
    if (!v.startsWith('/')) return `Route[${i}] ${k} doesn't start with '/': ${q(v)}`;
  }
  if (str(http.PathRegex) !== '') pathParts++;
  if (pathParts > 1) return `Route[${i}] should only contain at most one of PathExact, PathPrefix, or PathRegex`;
  for (const [j, hdr] of list(http.Header).entries()) {
    if (str(hdr.Name) === '') return `Route[${i}] Header[${j}] missing required Name field`;
    const parts = [hdr.Present === true, ...['Exact', 'Regex', 'Prefix', 'Suffix'].map((x) => str(hdr[x]) !== '')].filter(Boolean).length;
    if (parts !== 1) return `Route[${i}] Header[${j}] should only contain one of Present, Exact, Prefix, Suffix, or Regex`;
  }
  for (const [j, qp] of list(http.QueryParam).entries()) {
    if (str(qp.Name) === '') return `Route[${i}] QueryParam[${j}] missing required Name field`;
    const parts = [qp.Present === true, str(qp.Exact) !== '', str(qp.Regex) !== ''].filter(Boolean).length;
    if (parts !== 1) return `Route[${i}] QueryParam[${j}] should only contain one of Present, Exact, or Regex`;
  }
  const found = new Set<string>();
  for (const m of (http.Methods as string[] | undefined) ?? []) {
    if (!HTTP_METHODS.has(m)) return `Route[${i}] Methods contains an invalid method ${q(m)}`;
    if (found.has(m)) return `Route[${i}] Methods contains ${q(m)} more than once`;
    found.add(m);
  }
  return undefined;
}

/** ServiceRouterConfigEntry.Normalize (methods upper-cased) and Validate. */
export function serviceRouter(e: Obj): string | undefined {
  const routes = list(e.Routes);
  for (const route of routes) {
    const http = (route.Match as Obj | undefined)?.HTTP as Obj | undefined;
    if (http && Array.isArray(http.Methods)) http.Methods = (http.Methods as string[]).map((m) => m.toUpperCase());
  }
  if (str(e.Name) === '') return 'Name is required';
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  for (const [i, route] of routes.entries()) {
    const http = (route.Match as Obj | undefined)?.HTTP as Obj | undefined;
    if (http) {
      const err = routeMatchError(http, i);
      if (err) return err;
    }
    const dest = route.Destination as Obj | undefined;
    if (!dest) continue;
    const eligibleForPrefixRewrite = http !== undefined && (str(http.PathExact) !== '' || str(http.PathPrefix) !== '');
    if (str(dest.PrefixRewrite) !== '' && !eligibleForPrefixRewrite) return `Route[${i}] cannot make use of PrefixRewrite without configuring either PathExact or PathPrefix`;
    for (const r of (dest.RetryOn as string[] | undefined) ?? []) if (!RETRY_CONDITIONS.has(r)) return `Route[${i}] contains an invalid retry condition: ${q(r)}`;
  }
  return undefined;
}
