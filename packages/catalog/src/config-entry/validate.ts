/**
 * Normalize() and Validate() of each stored kind, in Consul's order and with its texts
 * (agent/structs/config_entry.go, config_entry_intentions.go, config_entry_mesh.go). Each
 * returns the error text (go-multierror's format where Consul collects errors) or undefined;
 * Normalize changes the decoded entry in place.
 */
import { META_KEY_MAX_LENGTH, META_MAX_PAIRS, META_VALUE_MAX_LENGTH } from '../validate.js';
import { multiError } from './schema.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const WILDCARD = '*';

/** validateConfigEntryMeta: the errors it collects. */
export function metaErrors(meta: unknown): string[] {
  const m = (meta ?? {}) as Record<string, string>;
  const out: string[] = [];
  if (Object.keys(m).length > META_MAX_PAIRS) out.push(`Meta exceeds maximum element count ${META_MAX_PAIRS}`);
  for (const [k, v] of Object.entries(m)) {
    if (k.length > META_KEY_MAX_LENGTH) out.push(`Meta key ${JSON.stringify(k)} exceeds maximum length ${META_KEY_MAX_LENGTH}`);
    if (v.length > META_VALUE_MAX_LENGTH) out.push(`Meta value for key ${JSON.stringify(k)} exceeds maximum length ${META_VALUE_MAX_LENGTH}`);
  }
  return out;
}

const multi = (errors: string[]): string | undefined => (errors.length === 0 ? undefined : multiError(errors));

/** MutualTLSMode.validate. */
function mutualTlsError(mode: unknown): string | undefined {
  const m = str(mode);
  return m === '' || m === 'strict' || m === 'permissive' ? undefined : `Invalid MutualTLSMode ${JSON.stringify(m)}. Must be one of "", "strict", or "permissive".`;
}

const validBalance = (s: unknown): boolean => str(s) === '' || s === 'exact_balance';

/** UpstreamConfig.validate(named). */
function upstreamError(u: Obj, named: boolean): string | undefined {
  if (named) {
    if (str(u.Name) === '') return 'Name is required';
    if (u.Name === WILDCARD) return 'Wildcard name is not supported';
  } else if (str(u.Name) !== '') return 'Name must be empty';
  const errs: string[] = [];
  const phc = u.PassiveHealthCheck as Obj | undefined;
  if (phc && typeof phc.Interval === 'number' && phc.Interval < 0) errs.push('passive health check interval cannot be negative');
  const lim = u.Limits as Obj | undefined;
  if (lim) {
    if (typeof lim.MaxConnections === 'number' && lim.MaxConnections < 0) errs.push('max connections cannot be negative');
    if (typeof lim.MaxPendingRequests === 'number' && lim.MaxPendingRequests < 0) errs.push('max pending requests cannot be negative');
    if (typeof lim.MaxConcurrentRequests === 'number' && lim.MaxConcurrentRequests < 0) errs.push('max concurrent requests cannot be negative');
  }
  if (!validBalance(u.BalanceOutboundConnections)) errs.push(`invalid value for balance_outbound_connections: ${str(u.BalanceOutboundConnections)}`);
  return multi(errs);
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
/** validateEndpointAddress: an IP, or a domain name without a wildcard. */
function addressValid(a: string): boolean {
  if (IPV4.test(a) && a.split('.').every((p) => Number(p) <= 255)) return true;
  if (a.includes(':') && /^[0-9a-fA-F:.]+$/.test(a)) return true;
  if (a.includes(WILDCARD) || a === '' || a.length > 255) return false;
  return a.split('.').every((l, i, all) => (l.length > 0 && l.length <= 63) || (i === all.length - 1 && l === ''));
}

function serviceDefaults(e: Obj): string | undefined {
  e.Protocol = str(e.Protocol).toLowerCase();
  const uc = e.UpstreamConfig as Obj | undefined;
  const upstreams = [...list(uc?.Overrides), ...(uc?.Defaults ? [uc.Defaults as Obj] : [])];
  for (const u of upstreams) {
    if (typeof u.Protocol === 'string') u.Protocol = u.Protocol.toLowerCase();
    if (typeof u.ConnectTimeoutMs === 'number' && u.ConnectTimeoutMs < 0) u.ConnectTimeoutMs = 0;
  }
  if (str(e.Name) === '') return 'Name is required';
  if (e.Name === WILDCARD) return 'service-defaults name must be the name of a service, and not a wildcard';
  const errs = metaErrors(e.Meta);
  if (!validBalance(e.BalanceInboundConnections)) errs.push(`invalid value for balance_inbound_connections: ${str(e.BalanceInboundConnections)}`);
  if (uc && e.Destination) {
    errs.push('UpstreamConfig and Destination are mutually exclusive for service defaults');
    return multi(errs);
  }
  for (const u of list(uc?.Overrides)) {
    const err = upstreamError(u, true);
    if (err) errs.push(`error in upstream override for ${str(u.Peer) !== '' ? `peer:${str(u.Peer)}/` : ''}${str(u.Name)}: ${err}`);
  }
  if (uc?.Defaults) {
    const err = upstreamError(uc.Defaults as Obj, false);
    if (err) errs.push(`error in upstream defaults: ${err}`);
  }
  const dest = e.Destination as Obj | undefined;
  if (dest) {
    const addrs = (dest.Addresses as string[] | undefined) ?? [];
    if (addrs.length === 0) errs.push('Destination must contain at least one valid address');
    const seen = new Set<string>();
    for (const a of addrs) {
      if (seen.has(a)) {
        errs.push(`Duplicate address '${a}' is not allowed`);
        continue;
      }
      seen.add(a);
      if (!addressValid(a)) errs.push(`Destination address '${a}' is invalid Could not validate address ${a} as an IP or Hostname`);
    }
    const port = typeof dest.Port === 'number' ? dest.Port : 0;
    if (port < 1 || port > 65535) errs.push(`Invalid Port number ${port}`);
  }
  const mtls = mutualTlsError(e.MutualTLSMode);
  if (mtls) return mtls;
  return multi(errs);
}

function proxyDefaults(e: Obj): string | undefined {
  const name = str(e.Name);
  if (name !== '' && name !== 'global') return `invalid name (${JSON.stringify(name)}), only "global" is supported`;
  e.Name = 'global';
  const meta = multi(metaErrors(e.Meta));
  if (meta) return meta;
  return mutualTlsError(e.MutualTLSMode);
}

function mesh(e: Obj): string | undefined {
  return multi(metaErrors(e.Meta));
}

/** isValidHTTPMethod's methods (config_entry_intentions.go). */
export const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE']);

/** computeIntentionPrecedence (OSS: the namespace is never a wildcard). */
export function intentionPrecedence(destination: string, source: string): number {
  const max = destination === WILDCARD ? 6 : 9;
  const countSrc = source === WILDCARD ? 1 : 2;
  return max - (2 - countSrc);
}

/** validateIntentionWildcards for a name (OSS: namespace and partition are the defaults). */
function wildcardError(name: string, peer: string, samenessGroup: string): string | undefined {
  if (name !== WILDCARD && name.includes(WILDCARD)) return "Name: wildcard character '*' cannot be used with partial values";
  if (peer.includes(WILDCARD)) return "Peer: cannot use wildcard '*' in peer";
  if (samenessGroup.includes(WILDCARD)) return "SamenessGroup: cannot use wildcard '*' in sameness group";
  return undefined;
}

function intentionPermissionError(perm: Obj, i: number, j: number): string | undefined {
  if (perm.Action !== 'allow' && perm.Action !== 'deny') return `Sources[${i}].Permissions[${j}].Action must be set to 'allow' or 'deny'`;
  const p = `Sources[${i}].Permissions[${j}].HTTP`;
  const http = perm.HTTP as Obj | undefined;
  if (!http) return `${p} is required`;
  let pathParts = 0;
  if (str(http.PathExact) !== '') {
    pathParts++;
    if (!str(http.PathExact).startsWith('/')) return `${p}.PathExact doesn't start with '/': ${JSON.stringify(http.PathExact)}`;
  }
  if (str(http.PathPrefix) !== '') {
    pathParts++;
    if (!str(http.PathPrefix).startsWith('/')) return `${p}.PathPrefix doesn't start with '/': ${JSON.stringify(http.PathPrefix)}`;
  }
  if (str(http.PathRegex) !== '') pathParts++;
  if (pathParts > 1) return `${p} should only contain at most one of PathExact, PathPrefix, or PathRegex`;
  let permParts = pathParts;
  for (const [k, hdr] of list(http.Header).entries()) {
    if (str(hdr.Name) === '') return `${p}.Header[${k}] missing required Name field`;
    const parts = [hdr.Present === true, ...['Exact', 'Regex', 'Prefix', 'Suffix'].map((x) => str(hdr[x]) !== '')].filter(Boolean).length;
    if (parts !== 1) return `${p}.Header[${k}] should only contain one of Present, Exact, Prefix, Suffix, or Regex`;
    permParts++;
  }
  const methods = (http.Methods as string[] | undefined) ?? [];
  if (methods.length > 0) {
    const found = new Set<string>();
    for (const m of methods) {
      if (!HTTP_METHODS.has(m)) return `${p}.Methods contains an invalid method ${JSON.stringify(m)}`;
      if (found.has(m)) return `${p}.Methods contains ${JSON.stringify(m)} more than once`;
      found.add(m);
    }
    permParts++;
  }
  if (permParts === 0) return `${p} should not be empty`;
  const jwt = perm.JWT as Obj | undefined;
  if (jwt) return multi(list(jwt.Providers).filter((pr) => str(pr.Name) === '').map(() => 'JWT provider name is required'));
  return undefined;
}

function serviceIntentions(e: Obj): string | undefined {
  const name = str(e.Name);
  const sources = list(e.Sources);
  for (const src of sources) {
    if (str(src.Type) === '') src.Type = 'consul';
    src.Precedence = intentionPrecedence(name, str(src.Name));
    delete src.LegacyID;
    delete src.LegacyCreateTime;
    delete src.LegacyUpdateTime;
    for (const perm of list(src.Permissions)) {
      const http = perm.HTTP as Obj | undefined;
      if (http && Array.isArray(http.Methods)) http.Methods = (http.Methods as string[]).map((m) => m.toUpperCase());
    }
  }
  // Closer to the head means higher precedence (a stable sort).
  if (Array.isArray(e.Sources)) e.Sources = [...sources].sort((a, b) => (b.Precedence as number) - (a.Precedence as number));

  if (name === '') return 'Name is required';
  const wild = wildcardError(name, '', '');
  if (wild) return wild;
  const jwt = e.JWT as Obj | undefined;
  if (jwt) {
    const err = multi(list(jwt.Providers).filter((pr) => str(pr.Name) === '').map(() => 'JWT provider name is required'));
    if (err) return err;
  }
  const meta = multi(metaErrors(e.Meta));
  if (meta) return meta;
  const ordered = list(e.Sources);
  if (ordered.length === 0) return 'At least one source is required';
  const seen = new Set<string>();
  for (const [i, src] of ordered.entries()) {
    const sname = str(src.Name);
    const peer = str(src.Peer);
    const sg = str(src.SamenessGroup);
    if (sname === '') return `Sources[${i}].Name is required`;
    const w = wildcardError(sname, peer, sg);
    if (w) return `Sources[${i}].${w}`;
    if (sg !== '' && peer !== '') return `Sources[${i}].SamenessGroup: cannot set SamenessGroup and Peer at the same time`;
    if (str(src.Description).length > META_VALUE_MAX_LENGTH) return `Sources[${i}].Description exceeds maximum length ${META_VALUE_MAX_LENGTH}`;
    if (src.LegacyMeta && Object.keys(src.LegacyMeta as Obj).length > 0) return `Sources[${i}].LegacyMeta must be omitted`;
    delete src.LegacyMeta;
    const perms = list(src.Permissions);
    if (perms.length === 0 && src.Action !== 'allow' && src.Action !== 'deny') return `Sources[${i}].Action must be set to 'allow' or 'deny'`;
    if (perms.length > 0 && str(src.Action) !== '') return `Sources[${i}].Action must be omitted if Permissions are specified`;
    if (name === WILDCARD && perms.length > 0) return `Sources[${i}].Permissions cannot be specified on intentions with wildcarded destinations`;
    if (src.Type !== 'consul') return `Sources[${i}].Type must be set to 'consul'`;
    for (const [j, perm] of perms.entries()) {
      const err = intentionPermissionError(perm, i, j);
      if (err) return err;
    }
    const key = `${peer}\u0000${sg}\u0000${sname}`;
    if (seen.has(key)) {
      if (peer !== '') return `Sources[${i}] defines peer(${JSON.stringify(peer)}) ${JSON.stringify(sname)} more than once`;
      if (sg !== '') return `Sources[${i}] defines sameness-group(${JSON.stringify(sg)}) ${JSON.stringify(sname)} more than once`;
      return `Sources[${i}] defines ${JSON.stringify(sname)} more than once`;
    }
    seen.add(key);
  }
  return undefined;
}

/** scaleWeight: a float32 weight in units of 0.01%. */
const scaleWeight = (w: number): number => Math.round(Math.fround(Math.fround(w) * 100));

function serviceSplitter(e: Obj): string | undefined {
  const splits = list(e.Splits);
  // The smallest weight is 0.01% (NormalizeServiceSplitWeight); kept as the decimal Go prints.
  for (const split of splits) split.Weight = scaleWeight(typeof split.Weight === 'number' ? split.Weight : 0) / 100;
  const name = str(e.Name);
  if (name === '') return 'Name is required';
  if (splits.length === 0) return 'no splits configured';
  const meta = multi(metaErrors(e.Meta));
  if (meta) return meta;
  const found = new Set<string>();
  for (const split of splits) {
    const key = [str(split.Service) || name, str(split.ServiceSubset), str(split.Namespace), str(split.Partition)];
    // The request/response header changes are part of Go's map key too.
    const full = JSON.stringify([...key, split.RequestHeaders ?? null, split.ResponseHeaders ?? null]);
    if (found.has(full)) {
      return `split destination occurs more than once: service=${JSON.stringify(key[0])}, subset=${JSON.stringify(key[1])}, namespace=${JSON.stringify(key[2])}, partition=${JSON.stringify(key[3])}`;
    }
    found.add(full);
  }
  const sum = splits.reduce((acc, s) => acc + scaleWeight(s.Weight as number), 0);
  if (sum !== 10_000) return `the sum of all split weights must be 100, not ${Math.fround(sum / 100).toFixed(6)}`;
  return undefined;
}

/** Normalize then Validate for `kind`; the error text or undefined. */
export const NORMALIZE_AND_VALIDATE: Readonly<Record<string, (e: Obj) => string | undefined>> = {
  'service-defaults': serviceDefaults,
  'proxy-defaults': proxyDefaults,
  'service-intentions': serviceIntentions,
  mesh,
  'service-splitter': serviceSplitter,
};
