/**
 * The jwt-provider kind as Consul 1.17 CE declares it
 * (agent/structs/config_entry_jwt_provider.go): the key set, issuer and token locations that
 * service-intentions' JWT requirements name. Struct, Normalize and Validate with Consul's
 * texts; entries carry no Hash (Consul's hashstructure value).
 */
import { metaErrors } from './validate.js';
import { f, multiError, o, type StructType } from './schema.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' ? (v as Obj) : undefined);

/** DefaultClockSkewSeconds. */
const DEFAULT_CLOCK_SKEW_SECONDS = 30;

const named: StructType = { fields: [o('Name', 'string')] };
const remoteJwks: StructType = {
  fields: [
    o('URI', 'string'), o('RequestTimeoutMs', 'int', 'request_timeout_ms'), o('CacheDuration', 'duration', 'cache_duration'),
    o('FetchAsynchronously', 'bool', 'fetch_asynchronously'),
    o('RetryPolicy', {
      ptr: {
        fields: [
          o('NumRetries', 'int', 'num_retries'),
          o('RetryPolicyBackOff', { ptr: { fields: [o('BaseInterval', 'duration', 'base_interval'), o('MaxInterval', 'duration', 'max_interval')] } }, 'retry_policy_back_off'),
        ],
      },
    }, 'retry_policy'),
    o('JWKSCluster', {
      ptr: {
        fields: [
          o('DiscoveryType', 'string', 'discovery_type'),
          o('TLSCertificates', {
            ptr: {
              fields: [
                o('CaCertificateProviderInstance', { ptr: { fields: [o('InstanceName', 'string', 'instance_name'), o('CertificateName', 'string', 'certificate_name')] } }, 'ca_certificate_provider_instance'),
                // InlineBytes is a []byte in Consul (base64 in JSON); kept as the string given.
                o('TrustedCA', {
                  ptr: {
                    fields: [
                      o('Filename', 'string', 'filename'), o('EnvironmentVariable', 'string', 'environment_variable'), o('InlineString', 'string', 'inline_string'),
                      o('InlineBytes', 'string', 'inline_bytes'),
                    ],
                  },
                }, 'trusted_ca'),
              ],
            },
          }, 'tls_certificates'),
          o('ConnectTimeout', 'duration', 'connect_timeout'),
        ],
      },
    }, 'jwks_cluster'),
  ],
};

/** structs.JWTProviderConfigEntry. */
export const JWT_PROVIDER: StructType = {
  fields: [
    o('Kind', 'string'), o('Name', 'string'),
    o('JSONWebKeySet', { ptr: { fields: [o('Local', { ptr: { fields: [o('JWKS', 'string'), o('Filename', 'string')] } }), o('Remote', { ptr: remoteJwks })] } }, 'json_web_key_set'),
    o('Issuer', 'string'), o('Audiences', 'strings'),
    o('Locations', {
      list: {
        ptr: {
          fields: [
            o('Header', { ptr: { fields: [o('Name', 'string'), o('ValuePrefix', 'string', 'value_prefix'), o('Forward', 'bool')] } }),
            o('QueryParam', { ptr: named }, 'query_param'), o('Cookie', { ptr: named }),
          ],
        },
      },
    }),
    o('Forwarding', { ptr: { fields: [o('HeaderName', 'string', 'header_name'), f('PadForwardPayloadHeader', 'bool', { alias: 'pad_forward_payload_header' })] } }),
    o('ClockSkewSeconds', 'int', 'clock_skew_seconds'), o('CacheConfig', { ptr: { fields: [o('Size', 'int')] } }, 'cache_config'), o('Meta', 'stringMap'),
  ],
};

const countSet = (...vals: boolean[]): number => vals.filter(Boolean).length;

/** Go's base64.StdEncoding.DecodeString: padded, standard alphabet (newlines are skipped). */
const isStdBase64 = (s: string): boolean => {
  const t = s.replace(/[\r\n]/g, '');
  return t.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(t);
};

/** url.ParseRequestURI's refusals, as `parse "<uri>": <reason>`. */
function requestUriError(uri: string): string | undefined {
  const fail = (reason: string): string => `parse ${JSON.stringify(uri)}: ${reason}`;
  if (/[\x00-\x1f\x7f]/.test(uri)) return fail('net/url: invalid control character in URL');
  if (uri === '*') return undefined;
  // getScheme: letters, then letters, digits, "+", "-" or "." up to a ":".
  let rest = uri;
  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*)?:/.exec(uri);
  if (uri.startsWith(':')) return fail('missing protocol scheme');
  if (m) {
    scheme = m[1]!;
    rest = uri.slice(m[0].length);
  }
  rest = rest.split('?')[0]!;
  if (!rest.startsWith('/')) return scheme !== '' ? undefined : fail('invalid URI for request');
  if (/%(?![0-9A-Fa-f]{2})/.test(rest)) {
    const bad = /%.{0,2}/.exec(rest.slice(rest.search(/%(?![0-9A-Fa-f]{2})/)))![0];
    return fail(`invalid URL escape ${JSON.stringify(bad)}`);
  }
  return undefined;
}

function keySetError(ks: Obj): string | undefined {
  const local = obj(ks.Local);
  const remote = obj(ks.Remote);
  if (countSet(local !== undefined, remote !== undefined) !== 1) return 'must specify exactly one of Local or Remote JSON Web key set';
  if (remote) {
    const uri = str(remote.URI);
    if (uri === '') return 'Remote JWKS URI is required';
    const bad = requestUriError(uri);
    if (bad) return `Remote JWKS URI is invalid: ${bad}, uri: ${uri}`;
    const backOff = obj(obj(remote.RetryPolicy)?.RetryPolicyBackOff);
    const base = Number(backOff?.BaseInterval ?? 0);
    const max = Number(backOff?.MaxInterval ?? 0);
    if (backOff && max !== 0 && base > max) return "retry policy backoff's MaxInterval should be greater or equal to BaseInterval";
    const cluster = obj(remote.JWKSCluster);
    if (!cluster) return undefined;
    const discovery = str(cluster.DiscoveryType);
    if (discovery !== '' && !['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'].includes(discovery)) {
      return `unsupported jwks cluster discovery type: ${JSON.stringify(discovery)}`;
    }
    const tls = obj(cluster.TLSCertificates);
    if (!tls) return undefined;
    const ca = obj(tls.TrustedCA);
    if (countSet(obj(tls.CaCertificateProviderInstance) !== undefined, ca !== undefined) !== 1) {
      return "must specify exactly one of: CaCertificateProviderInstance or TrustedCA for JKWS' TLSCertificates";
    }
    if (ca && countSet(...['Filename', 'EnvironmentVariable', 'InlineString', 'InlineBytes'].map((k) => str(ca[k]) !== '')) !== 1) {
      return "must specify exactly one of: Filename, EnvironmentVariable, InlineString or InlineBytes for JWKS' TrustedCA";
    }
    return undefined;
  }
  const jwks = str(local!.JWKS);
  if (countSet(str(local!.Filename) !== '', jwks !== '') !== 1) return 'must specify exactly one of String or filename for local keyset';
  if (jwks !== '' && !isStdBase64(jwks)) return 'JWKS must be valid base64 encoded string';
  return undefined;
}

/** JWTLocation.Validate. */
function locationError(l: Obj): string | undefined {
  const parts = [['Header', 'header'], ['QueryParam', 'query param'], ['Cookie', 'cookie']] as const;
  const set = parts.filter(([k]) => obj(l[k]) !== undefined);
  if (set.length !== 1) return 'must set exactly one of: JWT location header, query param or cookie';
  const [key, text] = set[0]!;
  return str(obj(l[key])!.Name) === '' ? `JWT location ${text} name must be specified` : undefined;
}

/** Normalize then Validate. */
export function jwtProvider(e: Obj): string | undefined {
  if (typeof e.ClockSkewSeconds !== 'number' || e.ClockSkewSeconds === 0) e.ClockSkewSeconds = DEFAULT_CLOCK_SKEW_SECONDS;
  if (str(e.Name) === '') return 'Name is required';
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  const ks = obj(e.JSONWebKeySet);
  if (!ks) return 'JSONWebKeySet is required';
  const ksErr = keySetError(ks);
  if (ksErr) return ksErr;
  // validateLocations collects every location's error.
  const locErrs = list(e.Locations).map((l) => locationError(l ?? {})).filter((x): x is string => x !== undefined);
  if (locErrs.length > 0) return multiError(locErrs);
  const fwd = obj(e.Forwarding);
  if (fwd && str(fwd.HeaderName) === '') return 'Header name required for forwarding config';
  return undefined;
}
