/**
 * Connect's SPIFFE IDs (Consul's agent/connect/uri.go ParseCertURI, uri_service.go): a service is
 * `spiffe://<trust-domain>[/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<name>`; agents, servers, mesh
 * gateways and the signing ID (`spiffe://<trust-domain>`) are the other kinds. Percent-encoded
 * segments are decoded. Free of other imports: `proconsul connect proxy` loads it alone
 * (`@proconsul/agent/spiffe`).
 */
export interface SpiffeIdService {
  host: string;
  /** Only when the ID names one (`/ap/<partition>`). */
  partition?: string;
  namespace: string;
  datacenter: string;
  service: string;
}

/** A client agent's ID (Consul's uri_agent.go): `spiffe://<trust-domain>[/ap/<partition>]/agent/client/dc/<dc>/id/<node>`. */
export interface SpiffeIdAgent {
  host: string;
  partition?: string;
  datacenter: string;
  agent: string;
}

export type CertUri = ({ kind: 'service' } & SpiffeIdService) | ({ kind: 'agent' } & SpiffeIdAgent) | { kind: 'server' | 'mesh-gateway' | 'signing'; host: string };

export class CertUriError extends Error {}

const SERVICE_PATH = /^(?:\/ap\/([^/]+))?\/ns\/([^/]+)\/dc\/([^/]+)\/svc\/([^/]+)$/;
const AGENT_PATH = /^(?:\/ap\/([^/]+))?\/agent\/client\/dc\/([^/]+)\/id\/([^/]+)$/;
const SERVER_PATH = /^\/agent\/server\/dc\/([^/]+)$/;
const MESH_GATEWAY_PATH = /^(?:\/ap\/([^/]+))?\/gateway\/mesh\/dc\/([^/]+)$/;

function unescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new CertUriError(`invalid URL escape ${JSON.stringify(s)}`);
  }
}

/** ParseCertURIFromString: what a certificate's URI SAN names. Throws CertUriError. */
export function parseCertUri(uri: string): CertUri {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new CertUriError('SPIFFE ID is not a URL');
  }
  if (u.protocol !== 'spiffe:') throw new CertUriError("SPIFFE ID must have 'spiffe' scheme");
  // A non-special scheme keeps the path as written (escapes undecoded), as Go's RawPath.
  const path = u.pathname;
  const m = SERVICE_PATH.exec(path);
  if (m) {
    return {
      kind: 'service', host: u.host, ...(m[1] !== undefined ? { partition: unescape(m[1]) } : {}),
      namespace: unescape(m[2]!), datacenter: unescape(m[3]!), service: unescape(m[4]!),
    };
  }
  const a = AGENT_PATH.exec(path);
  if (a) return { kind: 'agent', host: u.host, ...(a[1] !== undefined ? { partition: unescape(a[1]) } : {}), datacenter: unescape(a[2]!), agent: unescape(a[3]!) };
  if (SERVER_PATH.test(path)) return { kind: 'server', host: u.host };
  if (MESH_GATEWAY_PATH.test(path)) return { kind: 'mesh-gateway', host: u.host };
  if (path === '' && u.host.indexOf('.') > 0) return { kind: 'signing', host: u.host };
  throw new CertUriError('SPIFFE ID is not in the expected format');
}

/** The service identity a URI names, or undefined when it names none. */
export function parseServiceUri(uri: string): SpiffeIdService | undefined {
  try {
    const id = parseCertUri(uri);
    if (id.kind !== 'service') return undefined;
    const { kind: _kind, ...service } = id;
    return service;
  } catch (err) {
    if (err instanceof CertUriError) return undefined;
    throw err;
  }
}

/** connect.EncodeSerialNumber: the serial's big-endian bytes as colon hex (8 -> "08"). */
export function serialHex(serial: bigint): string {
  let hex = serial.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return hex.match(/../g)!.join(':');
}

/** The trust domain of a cluster: `<cluster-id>.consul` (Consul's SpiffeIDSigning host). */
export function trustDomain(clusterId: string): string {
  return `${clusterId}.consul`.toLowerCase();
}

/** A service's SPIFFE ID (uri_service.go), default namespace and partition as Consul OSS writes it. */
export function serviceUri(trust: string, datacenter: string, service: string): string {
  return `spiffe://${trust}/ns/default/dc/${datacenter}/svc/${service}`;
}

/** SpiffeIDAgent.URI (uri_agent.go), default partition as Consul OSS writes it. */
export function agentUri(trust: string, datacenter: string, node: string): string {
  return `spiffe://${trust}/agent/client/dc/${encodeURIComponent(datacenter)}/id/${encodeURIComponent(node)}`;
}
