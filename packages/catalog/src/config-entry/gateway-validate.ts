/**
 * Normalize() and Validate() of the gateway kinds, in Consul's order and with its texts
 * (agent/structs/config_entry_gateways.go; validateTLSConfig from config_entry_mesh.go and
 * types/tls.go; HTTPHeaderModifiers.Validate from config_entry_discoverychain.go).
 */
import { isProtocolHttpLike } from '../discovery-chain/compile.js';
import { metaErrors } from './validate.js';
import { multiError } from './schema.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
const WILDCARD = '*';

// types/tls.go: the versions (sorted as TLSVersions() prints them) and their order.
const TLS_VERSIONS = ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'];
const TLS_ORDER: Record<string, number> = { TLSv1_0: 1, TLSv1_1: 2, TLSv1_2: 3, TLSv1_3: 4 };
/** TLSVersionsWithConfigurableCipherSuites. */
const CIPHER_CONFIGURABLE = new Set(['', 'TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2']);
/** The keys of envoyTLSCipherSuiteStrings. */
const ENVOY_CIPHER_SUITES = new Set([
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_256_GCM_SHA384', 'TLS_RSA_WITH_AES_256_CBC_SHA',
]);

function tlsVersionError(v: string): string | undefined {
  return TLS_VERSIONS.includes(v) ? undefined : `no matching TLS version found for ${v}, please specify one of [${TLS_VERSIONS.join(', ')}]`;
}

/** validateTLSConfig (config_entry_mesh.go). */
export function tlsConfigError(tls: Obj | undefined): string | undefined {
  const min = str(tls?.TLSMinVersion);
  const max = str(tls?.TLSMaxVersion);
  if (min !== '') {
    const e = tlsVersionError(min);
    if (e) return e;
  }
  if (max !== '') {
    const e = tlsVersionError(max);
    if (e) return e;
    if (min !== '' && TLS_ORDER[max] !== undefined && TLS_ORDER[min] !== undefined && TLS_ORDER[max]! < TLS_ORDER[min]!) {
      return `configuring max version ${max} less than the configured min version ${min} is invalid`;
    }
  }
  const suites = strings(tls?.CipherSuites);
  if (suites.length > 0) {
    if (!CIPHER_CONFIGURABLE.has(min)) return `configuring CipherSuites is only applicable to connections negotiated with TLS 1.2 or earlier, TLSMinVersion is set to ${min}`;
    const unmatched = suites.filter((s) => !ENVOY_CIPHER_SUITES.has(s));
    if (unmatched.length > 0) return `no matching Envoy TLS cipher suite found for ${unmatched.join(',')}`;
  }
  return undefined;
}

/** miekg/dns IsDomainName: labels of 1-63 octets, at most 255 in all (a trailing dot allowed). */
export function isDomainName(s: string): boolean {
  if (s === '.') return true;
  if (s === '' || s.length > 255) return false;
  const labels = (s.endsWith('.') ? s.slice(0, -1) : s).split('.');
  return labels.every((l) => l.length > 0 && l.length <= 63);
}

/** validateHost. */
function hostError(tlsEnabled: boolean, host: string): string | undefined {
  if (host === '*') return tlsEnabled ? "Host '*' is not allowed when TLS is enabled, all hosts must be valid DNS records to add as a DNSSAN" : undefined;
  if (!isDomainName(host)) return `Host ${JSON.stringify(host)} must be a valid DNS hostname`;
  if ((host.startsWith('*.') ? host.slice(2) : host).includes('*')) return `Host ${JSON.stringify(host)} is not valid, a wildcard specifier is only allowed as the leftmost label`;
  return undefined;
}

const sdsOf = (tls: unknown): Obj | undefined => (tls as Obj | undefined)?.SDS as Obj | undefined;

/** validateServiceSDS: the SDS settings a service inherits from its listener and the gateway. */
function serviceSdsError(gwTls: Obj, lis: Obj, svc: Obj): string | undefined {
  const port = portOf(lis);
  const gwSds = sdsOf(gwTls);
  if (gwSds && str(gwSds.ClusterName) === '' && str(gwSds.CertResource) !== '') return 'TLS.SDS.ClusterName is required if CertResource is set';
  const gwCluster = str(gwSds?.ClusterName) !== '';
  const gwCert = str(gwSds?.CertResource) !== '';
  const lisSds = sdsOf(lis.TLS);
  const lisCert = str(lisSds?.CertResource) !== '';
  const lisCluster = str(lisSds?.ClusterName) !== '';
  if (gwCluster && !gwCert && !lisCert) return `TLS.SDS.CertResource is required if ClusterName is set for gateway (listener on port ${port})`;
  if (lisCluster && !lisCert) return `TLS.SDS.CertResource is required if ClusterName is set for listener (listener on port ${port})`;
  if (lisCert && !lisCluster && !gwCluster) return `TLS.SDS.ClusterName is required if CertResource is set (listener on port ${port})`;
  const svcSds = sdsOf(svc.TLS);
  const svcCert = str(svcSds?.CertResource) !== '';
  const name = JSON.stringify(str(svc.Name));
  if (svcCert && strings(svc.Hosts).length < 1) return `A service specifying TLS.SDS.CertResource must have at least one item in Hosts (service ${name} on listener on port ${port})`;
  if (svcCert && str(svcSds?.ClusterName) === '' && !lisCluster && !gwCluster) return `TLS.SDS.ClusterName is required if CertResource is set (service ${name} on listener on port ${port})`;
  return undefined;
}

/** HTTPHeaderModifiers.Validate. */
function headersError(h: unknown, protocol: string): string | undefined {
  const m = h as Obj | undefined;
  const zero = !m || (Object.keys((m.Add as Obj | undefined) ?? {}).length === 0 && Object.keys((m.Set as Obj | undefined) ?? {}).length === 0 && strings(m.Remove).length === 0);
  return zero || isProtocolHttpLike(protocol) ? undefined : 'only valid for http, http2 and grpc protocols';
}

const portOf = (lis: Obj): number => (typeof lis.Port === 'number' ? lis.Port : 0);

function ingressListenerError(e: Obj, lis: Obj, declaredPorts: Set<number>): string | undefined {
  const port = portOf(lis);
  const protocol = str(lis.Protocol);
  if (declaredPorts.has(port)) return `port ${port} declared on two listeners`;
  declaredPorts.add(port);
  if (!isProtocolHttpLike(protocol) && protocol !== 'tcp') return `protocol must be 'tcp', 'http', 'http2', or 'grpc'. '${protocol}' is an unsupported protocol`;
  const services = list(lis.Services);
  if (services.length === 0) return `No service declared for listener with port ${port}`;
  if (!isProtocolHttpLike(protocol) && services.length > 1) return `Multiple services per listener are only supported for L7 protocols, 'http', 'grpc' and 'http2' (listener on port ${port})`;
  if (lis.TLS) {
    const t = tlsConfigError(lis.TLS as Obj);
    if (t) return t;
  }
  const gwTls = (e.TLS as Obj | undefined) ?? {};
  const hosts = new Set<string>();
  const names = new Set<string>();
  for (const s of services) {
    const name = str(s.Name);
    const req = headersError(s.RequestHeaders, protocol);
    if (req) return `request headers ${req} (service ${JSON.stringify(name)} on listener on port ${port})`;
    const res = headersError(s.ResponseHeaders, protocol);
    if (res) return `response headers ${res} (service ${JSON.stringify(name)} on listener on port ${port})`;
    if (protocol === 'tcp') {
      if (name === WILDCARD) return `Wildcard service name is only valid for protocol = 'http' (listener on port ${port})`;
      if (strings(s.Hosts).length !== 0) return `Associating hosts to a service is not supported for the ${protocol} protocol (listener on port ${port})`;
    }
    if (name === '') return `Service name cannot be blank (listener on port ${port})`;
    if (name === WILDCARD && strings(s.Hosts).length !== 0) return `Associating hosts to a wildcard service is not supported (listener on port ${port})`;
    if (names.has(name)) return `Service ${name} cannot be added multiple times (listener on port ${port})`;
    names.add(name);
    const sds = serviceSdsError(gwTls, lis, s);
    if (sds) return sds;
    for (const h of strings(s.Hosts)) {
      if (hosts.has(h)) return `Hosts must be unique within a specific listener (listener on port ${port})`;
      hosts.add(h);
      const he = hostError(gwTls.Enabled === true, h);
      if (he) return he;
    }
  }
  return undefined;
}

export function ingressGateway(e: Obj): string | undefined {
  for (const lis of list(e.Listeners)) lis.Protocol = (str(lis.Protocol) || 'tcp').toLowerCase();
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  const tls = tlsConfigError(e.TLS as Obj | undefined);
  if (tls) return tls;
  const ports = new Set<number>();
  for (const lis of list(e.Listeners)) {
    const err = ingressListenerError(e, lis, ports);
    if (err) return err;
  }
  return undefined;
}

export function terminatingGateway(e: Obj): string | undefined {
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  const seen = new Set<string>();
  for (const svc of list(e.Services)) {
    const name = str(svc.Name);
    if (name === '') return 'Service name cannot be blank.';
    if (seen.has(name)) return `Service ${JSON.stringify(name)} was specified more than once within a namespace`;
    seen.add(name);
    const [ca, cert, key] = [str(svc.CAFile), str(svc.CertFile), str(svc.KeyFile)];
    if ((cert !== '' || key !== '') && !(ca !== '' && cert !== '' && key !== '')) {
      return `Service ${JSON.stringify(name)} must have a CertFile, CAFile, and KeyFile specified for TLS origination`;
    }
  }
  return undefined;
}

/** TerminatingGatewayConfigEntry.Warnings: TLS to a linked service without SNI (the server logs them). */
export function terminatingGatewayWarnings(e: Obj): string[] {
  if (e.Kind !== 'terminating-gateway') return [];
  return list(e.Services)
    .filter((s) => (str(s.CAFile) !== '' || str(s.CertFile) !== '' || str(s.KeyFile) !== '') && str(s.SNI) === '')
    .map((s) => `TLS is configured but SNI is not set for service ${JSON.stringify(str(s.Name))}. Enabling SNI is strongly recommended when using TLS.`);
}
