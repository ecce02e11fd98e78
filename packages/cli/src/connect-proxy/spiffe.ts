/**
 * The proxy's use of Connect's SPIFFE service identities (parsed by the agent's
 * `@proconsul/agent/spiffe`, Consul's agent/connect/uri.go): the URI an upstream instance must
 * present, and Consul's check that it does (connect/tls.go verifyServerCertMatchesURI).
 */
import { CertUriError, parseCertUri, serialHex } from '@proconsul/agent/spiffe';

export interface SpiffeIdService {
  /** The trust domain, `<cluster-id>.consul`. */
  host: string;
  /** `default` when the URI has no `/ap/` segment. */
  partition: string;
  namespace: string;
  datacenter: string;
  service: string;
}

/** A client certificate's URI as a service identity; throws Consul's ParseCertURI texts, or says it names no service. */
export function parseSpiffeService(uri: string): SpiffeIdService {
  const id = parseCertUri(uri);
  if (id.kind !== 'service') throw new CertUriError(`SPIFFE ID is not a service identity: ${uri}`);
  return { host: id.host, partition: id.partition ?? 'default', namespace: id.namespace, datacenter: id.datacenter, service: id.service };
}

/** The URI of a service identity; the partition segment only outside the default partition (Consul's SpiffeIDService.URI). */
export function spiffeServiceUri(id: SpiffeIdService): string {
  const esc = encodeURIComponent;
  const ap = id.partition && id.partition !== 'default' ? `/ap/${esc(id.partition)}` : '';
  return `spiffe://${id.host}${ap}/ns/${esc(id.namespace)}/dc/${esc(id.datacenter)}/svc/${esc(id.service)}`;
}

/**
 * Consul's verifyServerCertMatchesURI: the URI a server presents must name the expected
 * service; the trust domain is not compared (x509 name constraints bound it, and that lets a
 * cluster move between trust domains), the rest is compared case-insensitively.
 * Returns the refusal text, or undefined when the identity matches.
 */
export function serverIdentityMismatch(got: string | undefined, expected: SpiffeIdService): string | undefined {
  const want = spiffeServiceUri(expected);
  if (got === undefined) return 'peer certificate mismatch';
  let host: string;
  try {
    host = new URL(got).host;
  } catch {
    return `peer certificate mismatch got ${got}, want ${want}`;
  }
  const wantSameHost = spiffeServiceUri({ ...expected, host });
  return got.toLowerCase() === wantSameHost.toLowerCase() ? undefined : `peer certificate mismatch got ${got}, want ${want}`;
}

/** A certificate serial (hex, as Node gives it) as Consul writes it (connect.EncodeSerialNumber). */
export function encodeSerialNumber(hex: string): string {
  return serialHex(BigInt(`0x${hex || '0'}`));
}
