/**
 * The `jwt` auth method (Consul's ssoauth + internal/go-sso/oidcauth, type jwt): a bearer JWT
 * verified with static public keys (JWTValidationPubKeys), a JWKS URL (JWKSURL, JWKSCACert) or
 * OIDC discovery (OIDCDiscoveryURL, OIDCDiscoveryCACert); then its times, issuer and audience
 * checked with Consul's leeways; then ClaimMappings/ListClaimMappings copied into the identity
 * as `value.<name>` and `list.<name>`. Texts are go-sso's, go-jose's and go-oidc's.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { parseCompactJws } from './compact-jws.js';
import { decodeConfig, parsePemCertificates } from './config.js';
import { fetchText } from './https-fetch.js';
import { AuthMethodError, bare, type AuthIdentity, type AuthValidator } from './identity.js';

export interface JwtConfig {
  JWTValidationPubKeys: string[];
  JWKSURL: string;
  JWKSCACert: string;
  OIDCDiscoveryURL: string;
  OIDCDiscoveryCACert: string;
  BoundIssuer: string;
  BoundAudiences: string[];
  ClaimMappings: Record<string, string>;
  ListClaimMappings: Record<string, string>;
  JWTSupportedAlgs: string[];
  /** Milliseconds (Go durations in the Config). */
  ExpirationLeeway: number;
  NotBeforeLeeway: number;
  ClockSkewLeeway: number;
}

const SPEC = {
  JWTValidationPubKeys: 'strings', JWKSURL: 'string', JWKSCACert: 'string', OIDCDiscoveryURL: 'string', OIDCDiscoveryCACert: 'string',
  BoundIssuer: 'string', BoundAudiences: 'strings', ClaimMappings: 'stringMap', ListClaimMappings: 'stringMap', JWTSupportedAlgs: 'strings',
  ExpirationLeeway: 'duration', NotBeforeLeeway: 'duration', ClockSkewLeeway: 'duration',
} as const;

const SUPPORTED_ALGS = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512']);
/** go-sso's claimDefaultLeeway (s) and go-jose's jwt.DefaultLeeway. */
const CLAIM_DEFAULT_LEEWAY_MS = 150_000;
const CLOCK_SKEW_DEFAULT_LEEWAY_MS = 60_000;
/** How long fetched keys are used before they are fetched again (go-oidc refetches on an unknown key too). */
const KEYS_TTL_MS = 5 * 60_000;
/** The token go-sso verifies a JWKS URL with: its signature fails, any other error is the URL's. */
const TEST_JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.Hf3E3iCHzqC5QIQ0nCqS1kw78IiQTRVzsLTuKoDIpdk';

const bad = (msg: string): AuthMethodError => new AuthMethodError(msg);

/** parsePublicKeyPEM: an RSA, ECDSA or Ed25519 public key, or a certificate holding one. */
function parsePublicKey(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (['rsa', 'rsa-pss', 'ec', 'ed25519'].includes(key.asymmetricKeyType ?? '')) return key;
  } catch {
    // refused below with go-sso's text
  }
  throw bad('data does not contain any valid RSA, ECDSA, or ED25519 public keys');
}

/** A JWKS fetched from a URL (go-oidc's RemoteKeySet), kept a while, fetched again when no key verifies. */
class RemoteKeySet {
  #keys: JSONWebKeySet | undefined;
  #fetchedMs = 0;
  constructor(private readonly url: string, private readonly caPem: string) {}

  async fetch(): Promise<JSONWebKeySet> {
    let res;
    try {
      res = await fetchText(this.url, this.caPem ? { caPem: this.caPem } : {});
    } catch (err) {
      throw bad(`fetching keys oidc: get keys failed: Get ${JSON.stringify(this.url)}: ${(err as Error).message}`);
    }
    if (res.status !== 200) throw bad(`fetching keys oidc: get keys failed: ${res.statusText} ${res.body}`);
    let keys: unknown;
    try {
      keys = JSON.parse(res.body);
    } catch (err) {
      throw bad(`fetching keys oidc: failed to decode keys: ${(err as Error).message} ${res.body}`);
    }
    if (typeof keys !== 'object' || keys === null || !Array.isArray((keys as JSONWebKeySet).keys)) throw bad(`fetching keys oidc: failed to decode keys: no keys ${res.body}`);
    this.#keys = keys as JSONWebKeySet;
    this.#fetchedMs = Date.now();
    return this.#keys;
  }

  /** The verified payload; go-oidc's texts. */
  async verify(token: string, algorithms?: string[]): Promise<Uint8Array> {
    try {
      parseCompactJws(token);
    } catch (err) {
      throw bad(`oidc: malformed jwt: ${(err as Error).message}`);
    }
    const fresh = this.#keys !== undefined && Date.now() - this.#fetchedMs < KEYS_TTL_MS;
    for (const keys of fresh ? [this.#keys!, undefined] : [undefined]) {
      const set = createLocalJWKSet(keys ?? (await this.fetch()));
      try {
        return (await compactVerify(token, set, algorithms ? { algorithms } : {})).payload;
      } catch {
        // the next round fetches the keys again (a rotated key), else the signature fails
      }
    }
    throw bad('failed to verify id token signature');
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(Math.trunc(v));
  return undefined;
}

/** Go's %T of a JSON value go-sso could not stringify. */
const goType = (v: unknown): string => (Array.isArray(v) ? '[]interface {}' : typeof v === 'object' ? 'map[string]interface {}' : typeof v);

/** getClaim: a JSON pointer when it starts with "/", else the top-level claim. */
function claim(all: Record<string, unknown>, source: string): unknown {
  if (!source.startsWith('/')) return Object.prototype.hasOwnProperty.call(all, source) ? all[source] : undefined;
  let cur: unknown = all;
  for (const raw of source.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = /^\d+$/.test(key) ? cur[Number(key)] : undefined;
    else if (typeof cur === 'object' && cur !== null && Object.prototype.hasOwnProperty.call(cur, key)) cur = (cur as Record<string, unknown>)[key];
    else return undefined;
  }
  return cur;
}

const numericDate = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
const leewayMs = (configured: number, fallback: number): number => (configured < 0 ? 0 : configured === 0 ? fallback : configured);
const seconds = (ms: number): number => Math.trunc(ms / 1000);

export class JwtValidator implements AuthValidator {
  private constructor(
    private readonly c: Partial<JwtConfig>,
    private readonly pubKeys: KeyObject[],
    private readonly keySet: RemoteKeySet | undefined,
    private readonly oidc: { issuer: string; keys: RemoteKeySet } | undefined,
  ) {}

  /** oidcauth.New for type jwt: Config.Validate, with the JWKS and discovery URLs fetched. */
  static async create(raw: Record<string, unknown>): Promise<JwtValidator> {
    const c = decodeConfig<JwtConfig>(raw, SPEC);
    const methods = [c.OIDCDiscoveryURL, c.JWTValidationPubKeys?.length ? 'keys' : '', c.JWKSURL].filter((x) => x).length;
    if (methods !== 1) throw bad(`exactly one of 'JWTValidationPubKeys', 'JWKSURL', or 'OIDCDiscoveryURL' must be set for type "jwt"`);
    let keySet: RemoteKeySet | undefined;
    if (c.JWKSURL) {
      if (c.JWKSCACert && parsePemCertificates(c.JWKSCACert).length === 0) throw bad('error checking JWKSCACert: could not parse CA PEM value successfully');
      keySet = new RemoteKeySet(c.JWKSURL, c.JWKSCACert ?? '');
      try {
        await keySet.verify(TEST_JWT);
        throw bad('unexpected verification of JWT');
      } catch (err) {
        if (!(err as Error).message.includes('failed to verify id token signature')) throw bad(`error checking JWKSURL: ${(err as Error).message}`);
      }
    } else if (c.JWKSCACert) {
      throw bad(`'JWKSCACert' should not be set unless 'JWKSURL' is set`);
    }
    const pubKeys = (c.JWTValidationPubKeys ?? []).map((pem, i) => {
      try {
        return parsePublicKey(pem);
      } catch (err) {
        throw bad(`error parsing public key JWTValidationPubKeys[${i}]: ${(err as Error).message}`);
      }
    });
    let oidc: { issuer: string; keys: RemoteKeySet } | undefined;
    if (c.OIDCDiscoveryURL) {
      if (c.OIDCDiscoveryCACert && parsePemCertificates(c.OIDCDiscoveryCACert).length === 0) {
        throw bad('error checking OIDCDiscoveryCACert: could not parse CA PEM value successfully');
      }
      oidc = await discover(c.OIDCDiscoveryURL, c.OIDCDiscoveryCACert ?? '').catch((err: Error) => {
        throw bad(`error checking OIDCDiscoveryURL: ${err.message}`);
      });
    } else if (c.OIDCDiscoveryCACert) {
      throw bad(`'OIDCDiscoveryCACert' should not be set unless 'OIDCDiscoveryURL' is set`);
    }
    for (const a of c.JWTSupportedAlgs ?? []) if (!SUPPORTED_ALGS.has(a)) throw bad(`Invalid supported algorithm: ${a}`);
    for (const [field, map] of [['ClaimMappings', c.ClaimMappings], ['ListClaimMappings', c.ListClaimMappings]] as const) {
      const seen = new Set<string>();
      for (const target of Object.values(map ?? {})) {
        if (seen.has(target)) throw bad(`${field} contains multiple mappings for key ${JSON.stringify(target)}`);
        seen.add(target);
      }
    }
    return new JwtValidator(c, pubKeys, keySet, oidc);
  }

  blankIdentity(): AuthIdentity {
    const values = bare(Object.values(this.c.ClaimMappings ?? {}).map((k) => [k, ''] as const));
    const lists = bare<string[] | null>(Object.values(this.c.ListClaimMappings ?? {}).map((k) => [k, null] as const));
    return { selectable: { value: values, list: lists }, projected: new Map(Object.keys(values).map((k) => [`value.${k}`, ''])) };
  }

  async validateLogin(token: string): Promise<AuthIdentity> {
    if (token === '') throw bad('missing jwt');
    const all = this.oidc ? await this.verifyOidc(token) : await this.verifyVanilla(token);
    return this.identity(all);
  }

  /** verifyVanillaJWT: the signature, then exp/nbf/iat with the leeways, the issuer and the audience. */
  private async verifyVanilla(token: string): Promise<Record<string, unknown>> {
    let all: Record<string, unknown>;
    if (this.keySet) {
      let payload: Uint8Array;
      try {
        payload = await this.keySet.verify(token);
      } catch (err) {
        throw bad(`error verifying token: ${(err as Error).message}`);
      }
      try {
        all = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
      } catch (err) {
        throw bad(`failed to unmarshal claims: ${(err as Error).message}`);
      }
    } else {
      try {
        all = parseCompactJws(token).payload;
      } catch (err) {
        throw bad(`error parsing token: ${(err as Error).message}`);
      }
      let valid = false;
      for (const key of this.pubKeys) {
        try {
          await compactVerify(token, key);
          valid = true;
          break;
        } catch {
          // the next key
        }
      }
      if (!valid) throw bad('no known key successfully validated the token signature');
    }
    let iat = numericDate(all.iat);
    let exp = numericDate(all.exp);
    let nbf = numericDate(all.nbf);
    if (iat === 0 && exp === 0 && nbf === 0) throw bad('no issue time, notbefore, or expiration time encoded in token');
    if (exp === 0) exp = Math.max(iat, nbf) + seconds(leewayMs(this.c.ExpirationLeeway ?? 0, CLAIM_DEFAULT_LEEWAY_MS));
    if (nbf === 0) nbf = iat !== 0 ? iat : exp - seconds(leewayMs(this.c.NotBeforeLeeway ?? 0, CLAIM_DEFAULT_LEEWAY_MS));
    iat = Math.max(iat, 0);
    if (this.c.BoundIssuer && this.c.BoundIssuer !== all.iss) throw bad('error validating claims: go-jose/go-jose/jwt: validation failed, invalid issuer claim (iss)');
    const skew = leewayMs(this.c.ClockSkewLeeway ?? 0, CLOCK_SKEW_DEFAULT_LEEWAY_MS);
    const now = Date.now();
    if (now + skew < nbf * 1000) throw bad('error validating claims: go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)');
    if (now - skew > exp * 1000) throw bad('error validating claims: go-jose/go-jose/jwt: validation failed, token is expired (exp)');
    if (now + skew < iat * 1000) throw bad('error validating claims: go-jose/go-jose/jwt: validation field, token issued in the future (iat)');
    this.checkAudience(all.aud, true);
    return all;
  }

  /** go-oidc's IDTokenVerifier (SkipClientIDCheck), then the audience, non-strict. */
  private async verifyOidc(token: string): Promise<Record<string, unknown>> {
    const oidc = this.oidc!;
    const fail = (msg: string): AuthMethodError => bad(`error validating signature: ${msg}`);
    let jws;
    try {
      jws = parseCompactJws(token);
    } catch (err) {
      throw fail(`oidc: malformed jwt: ${(err as Error).message}`);
    }
    const all = jws.payload;
    if (all.iss !== oidc.issuer) throw fail(`oidc: id token issued by a different provider, expected ${JSON.stringify(oidc.issuer)} got ${JSON.stringify(all.iss ?? '')}`);
    const exp = numericDate(all.exp);
    if (exp * 1000 < Date.now()) throw fail(`oidc: token is expired (Token Expiry: ${new Date(exp * 1000).toISOString()})`);
    const nbf = numericDate(all.nbf);
    if (nbf !== 0 && Date.now() + 5 * 60_000 < nbf * 1000) throw fail(`oidc: current time ${new Date().toISOString()} before the nbf (not before) time: ${new Date(nbf * 1000).toISOString()}`);
    const algs = this.c.JWTSupportedAlgs?.length ? this.c.JWTSupportedAlgs : ['RS256'];
    if (!algs.includes(String(jws.header.alg))) throw fail(`oidc: id token signed with unsupported algorithm, expected ${JSON.stringify(algs)} got ${JSON.stringify(jws.header.alg)}`);
    try {
      await oidc.keys.verify(token, algs);
    } catch (err) {
      throw fail(`failed to verify signature: ${(err as Error).message}`);
    }
    this.checkAudience(all.aud, false);
    return all;
  }

  /** validateAudience: strict refuses an audience when none is bound. */
  private checkAudience(aud: unknown, strict: boolean): void {
    const claimed = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    const bound = this.c.BoundAudiences ?? [];
    if (strict && bound.length === 0 && claimed.length > 0) throw bad('error validating claims: audience claim found in JWT but no audiences are bound');
    if (bound.length > 0 && !bound.some((b) => claimed.includes(b))) throw bad('error validating claims: aud claim does not match any bound audience');
  }

  /** extractClaims and identityFromClaims. */
  private identity(all: Record<string, unknown>): AuthIdentity {
    const values = bare<string>();
    for (const [source, target] of Object.entries(this.c.ClaimMappings ?? {})) {
      const raw = claim(all, source);
      if (raw === undefined || raw === null) continue;
      const s = str(raw);
      if (s === undefined) throw bad(`error converting claim '${source}' to string from unknown type ${goType(raw)}`);
      values[target] = s;
    }
    const lists = bare<string[]>();
    for (const [source, target] of Object.entries(this.c.ListClaimMappings ?? {})) {
      const raw = claim(all, source);
      if (raw === undefined || raw === null) continue;
      const items = Array.isArray(raw) ? raw : typeof raw === 'object' ? undefined : [raw];
      if (!items) throw bad(`${JSON.stringify(source)} list claim could not be converted to string list`);
      lists[target] = items.map((x) => {
        const s = str(x);
        if (s === undefined) throw bad(`value ${JSON.stringify(x)} in ${JSON.stringify(source)} list claim could not be parsed as string`);
        return s;
      }).filter((s) => s !== '');
    }
    const blank = this.blankIdentity();
    const projected = new Map(blank.projected);
    for (const [k, v] of Object.entries(values)) projected.set(`value.${k}`, v);
    return { selectable: { value: { ...(blank.selectable.value as object), ...values }, list: { ...(blank.selectable.list as object), ...lists } }, projected };
  }
}

/** go-oidc's NewProvider: the discovery document, its issuer equal to the URL, and its keys. */
async function discover(url: string, caPem: string): Promise<{ issuer: string; keys: RemoteKeySet }> {
  const wellKnown = `${url.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await fetchText(wellKnown, caPem ? { caPem } : {}).catch((err: Error) => {
    throw new Error(`Get ${JSON.stringify(wellKnown)}: ${err.message}`);
  });
  if (res.status !== 200) throw new Error(`${res.statusText}: ${res.body}`);
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    doc = JSON.parse(res.body) as typeof doc;
  } catch (err) {
    throw new Error(`oidc: failed to decode provider discovery object: ${(err as Error).message}`);
  }
  if (doc.issuer !== url) throw new Error(`oidc: issuer did not match the issuer returned by provider, expected ${JSON.stringify(url)} got ${JSON.stringify(doc.issuer ?? '')}`);
  if (typeof doc.jwks_uri !== 'string') throw new Error('oidc: failed to decode provider discovery object: no jwks_uri');
  return { issuer: url, keys: new RemoteKeySet(doc.jwks_uri, caPem) };
}
