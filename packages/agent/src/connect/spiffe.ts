/**
 * SPIFFE IDs of services (Consul's agent/connect/uri_service.go and the service case of
 * ParseCertURI in uri.go): `spiffe://<trust-domain>[/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<name>`.
 */
export interface SpiffeIdService {
  host: string;
  namespace: string;
  datacenter: string;
  service: string;
}

const SERVICE_PATH = /^(?:\/ap\/([^/]+))?\/ns\/([^/]+)\/dc\/([^/]+)\/svc\/([^/]+)$/;

/** The service identity a URI names, or undefined when it names none. */
export function parseServiceUri(uri: string): SpiffeIdService | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'spiffe:') return undefined;
  const m = SERVICE_PATH.exec(u.pathname);
  if (!m) return undefined;
  const dec = (s: string): string => decodeURIComponent(s);
  return { host: u.host, namespace: dec(m[2]!), datacenter: dec(m[3]!), service: dec(m[4]!) };
}
