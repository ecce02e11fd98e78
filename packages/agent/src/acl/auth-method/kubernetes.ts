/**
 * The `kubernetes` auth method (Consul's kubeauth): the bearer token is a service account JWT,
 * checked by the Kubernetes API's TokenReview (authenticated as Config.ServiceAccountJWT, TLS
 * trusted by Config.CACert); then the service account is read for its
 * `consul.hashicorp.com/service-name` annotation, which overrides its name. The identity has
 * `serviceaccount.namespace`, `serviceaccount.name` and `serviceaccount.uid`.
 */
import { parseCompactJws } from './compact-jws.js';
import { decodeConfig, parsePemCertificates } from './config.js';
import { fetchText, type FetchResult } from './https-fetch.js';
import { AuthMethodError, bare, type AuthIdentity, type AuthValidator } from './identity.js';

interface KubernetesConfig {
  Host: string;
  CACert: string;
  ServiceAccountJWT: string;
}

const SERVICE_NAME_ANNOTATION = 'consul.hashicorp.com/service-name';
const FIELDS = ['serviceaccount.namespace', 'serviceaccount.name', 'serviceaccount.uid'] as const;

const bad = (msg: string): AuthMethodError => new AuthMethodError(msg);

/** client-go's error for a failed call: the Status object's message when there is one. */
function apiError(res: FetchResult): string {
  try {
    const status = JSON.parse(res.body) as { kind?: unknown; message?: unknown };
    if (status.kind === 'Status' && typeof status.message === 'string' && status.message !== '') return status.message;
  } catch {
    // not a Status
  }
  if (res.status === 401) return 'Unauthorized';
  if (res.status === 403) return 'Forbidden';
  return `the server responded with the status code ${res.status} but did not return more information`;
}

export class KubernetesValidator implements AuthValidator {
  private readonly base: string;
  private constructor(private readonly c: KubernetesConfig) {
    // A host or host:port is the https base of the API, as client-go takes it.
    this.base = (/^https?:\/\//.test(c.Host) ? c.Host : `https://${c.Host}`).replace(/\/+$/, '');
  }

  static create(raw: Record<string, unknown>): KubernetesValidator {
    const c = decodeConfig<KubernetesConfig>(raw, { Host: 'string', CACert: 'string', ServiceAccountJWT: 'string' });
    if (!c.Host) throw bad('Config.Host is required');
    if (!c.CACert) throw bad('Config.CACert is required');
    if (parsePemCertificates(c.CACert).length === 0) throw bad('error parsing kubernetes ca cert: data does not contain any valid RSA or ECDSA certificates');
    if (!c.ServiceAccountJWT) throw bad('Config.ServiceAccountJWT is required');
    try {
      parseCompactJws(c.ServiceAccountJWT);
    } catch (err) {
      throw bad(`Config.ServiceAccountJWT is not a valid JWT: ${(err as Error).message}`);
    }
    return new KubernetesValidator(c as KubernetesConfig);
  }

  blankIdentity(): AuthIdentity {
    return { selectable: { serviceaccount: bare([['namespace', ''], ['name', ''], ['uid', '']]) }, projected: new Map(FIELDS.map((f) => [f, ''])) };
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<FetchResult> {
    return fetchText(`${this.base}${path}`, {
      method,
      caPem: this.c.CACert,
      headers: { authorization: `Bearer ${this.c.ServiceAccountJWT}`, accept: 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async validateLogin(token: string): Promise<AuthIdentity> {
    try {
      parseCompactJws(token);
    } catch (err) {
      throw bad(`failed to parse and validate JWT: ${(err as Error).message}`);
    }
    const review = await this.call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { token }, status: { user: {} },
    });
    if (review.status < 200 || review.status > 299) throw bad(apiError(review));
    let status: { authenticated?: unknown; error?: unknown; user?: { username?: unknown; uid?: unknown } } = {};
    try {
      status = ((JSON.parse(review.body) as { status?: typeof status }).status ?? {});
    } catch {
      throw bad('lookup failed: the TokenReview answer is not JSON');
    }
    if (typeof status.error === 'string' && status.error !== '') throw bad(`lookup failed: ${status.error}`);
    if (status.authenticated !== true) throw bad('lookup failed: service account jwt not valid');
    const parts = String(status.user?.username ?? '').split(':');
    if (parts.length !== 4) throw bad('lookup failed: unexpected username format');
    if (parts[0] !== 'system' || parts[1] !== 'serviceaccount') throw bad('lookup failed: username returned is not a service account');
    const namespace = parts[2]!;
    let name = parts[3]!;
    const uid = typeof status.user?.uid === 'string' ? status.user.uid : '';
    const sa = await this.call('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`);
    if (sa.status < 200 || sa.status > 299) throw bad(`annotation lookup failed: ${apiError(sa)}`);
    try {
      const override = (JSON.parse(sa.body) as { metadata?: { annotations?: Record<string, unknown> } }).metadata?.annotations?.[SERVICE_NAME_ANNOTATION];
      if (typeof override === 'string') name = override;
    } catch {
      throw bad('annotation lookup failed: the service account answer is not JSON');
    }
    return {
      selectable: { serviceaccount: bare([['namespace', namespace], ['name', name], ['uid', uid]]) },
      projected: new Map([['serviceaccount.namespace', namespace], ['serviceaccount.name', name], ['serviceaccount.uid', uid]]),
    };
  }
}
