/**
 * Consul's `tls { defaults {...}, https {...}, internal_rpc {...}, grpc {...} }` stanza and
 * the deprecated top-level keys it replaced (`ca_file`, `cert_file`, `key_file`,
 * `verify_incoming`, `verify_incoming_https`, `verify_outgoing`). A protocol block inherits
 * each unset key from `defaults`. The HTTPS listener and internal RPC (Raft and agent RPC on
 * the server port) use it.
 */
import type { FieldSpec, ObjectSpec } from '../checks/decode.js';
import { ConfigError } from '../config/errors.js';

const PROTOCOL_FIELDS: FieldSpec[] = [
  ...['ca_file', 'ca_path', 'cert_file', 'key_file', 'tls_min_version'].map((name): FieldSpec => ({ name, type: 'string' })),
  { name: 'verify_incoming', type: 'bool' },
  { name: 'verify_outgoing', type: 'bool' },
  { name: 'use_auto_cert', type: 'bool' },
  { name: 'tls_cipher_suites', type: 'any' },
];

const protocol = (struct: string, extra: FieldSpec[] = []): ObjectSpec => ({ struct, fields: [...PROTOCOL_FIELDS, ...extra] });

/** Config fields for ../config/schema.ts. */
export const TLS_CONFIG_FIELDS: readonly FieldSpec[] = [
  {
    name: 'tls',
    type: {
      object: {
        struct: 'TLS',
        fields: [
          { name: 'defaults', type: { object: protocol('TLSProtocolConfig', [{ name: 'verify_server_hostname', type: 'bool' }]) } },
          { name: 'https', type: { object: protocol('TLSProtocolConfig', [{ name: 'verify_server_hostname', type: 'bool' }]) } },
          { name: 'internal_rpc', type: { object: protocol('TLSProtocolConfig', [{ name: 'verify_server_hostname', type: 'bool' }]) } },
          { name: 'grpc', type: { object: protocol('TLSProtocolConfig', [{ name: 'verify_server_hostname', type: 'bool' }]) } },
        ],
      },
    },
  },
  ...['ca_file', 'ca_path', 'cert_file', 'key_file', 'tls_min_version'].map((name): FieldSpec => ({ name, type: 'string' })),
  ...['verify_incoming', 'verify_incoming_https', 'verify_incoming_rpc', 'verify_outgoing', 'verify_server_hostname'].map((name): FieldSpec => ({ name, type: 'bool' })),
];

/** Node's names for the TLS versions Consul's `tls_min_version` takes. */
export type TlsMinVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** Consul's values (types/tls.go); TLS_AUTO is Go's default for Consul's listeners, TLS 1.2. */
const TLS_VERSIONS: Record<string, TlsMinVersion> = {
  TLS_AUTO: 'TLSv1.2',
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};

/** The older top-level `tls_min_version` values (Consul's DeprecatedConsulAgentTLSVersions). */
const DEPRECATED_TLS_VERSIONS: Record<string, string> = { tls10: 'TLSv1_0', tls11: 'TLSv1_1', tls12: 'TLSv1_2', tls13: 'TLSv1_3' };

/**
 * `tls.<block>.tls_min_version`, else `tls.defaults.tls_min_version`, else the deprecated
 * top-level key: Consul's builder (tlsVersion) with its text for a value it does not know.
 */
function minVersion(c: Raw, block: string): TlsMinVersion {
  const tls = (c.tls ?? {}) as Raw;
  const own = s(((tls[block] ?? {}) as Raw).tls_min_version);
  const defaults = s(((tls.defaults ?? {}) as Raw).tls_min_version);
  const legacy = s(c.tls_min_version);
  const [name, value] =
    own !== undefined
      ? [`tls.${block}.tls_min_version`, own]
      : defaults !== undefined
        ? ['tls.defaults.tls_min_version', defaults]
        : ['tls.defaults.tls_min_version', legacy !== undefined ? (DEPRECATED_TLS_VERSIONS[legacy] ?? legacy) : 'TLS_AUTO'];
  const version = TLS_VERSIONS[value];
  if (version === undefined) {
    const known = Object.keys(TLS_VERSIONS).sort().join(', ');
    throw new ConfigError(`${name}: invalid TLS version: no matching TLS version found for ${value}, please specify one of [${known}]`);
  }
  return version;
}

export interface HttpsTlsConfig {
  caFile: string;
  caPath: string;
  certFile: string;
  keyFile: string;
  /** Require and verify a client certificate signed by the CA. */
  verifyIncoming: boolean;
  /** tls_min_version of tls.https (or tls.defaults). */
  minVersion: TlsMinVersion;
}

type Raw = Record<string, unknown>;

const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const b = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/** The HTTPS listener's settings: tls.https, then tls.defaults, then the deprecated keys. */
/** `autoTls`: auto_encrypt.tls, whose certificate serves HTTPS when no cert_file is set. */
export function parseHttpsTls(c: Raw, httpsPort: number, autoTls = false): HttpsTlsConfig {
  const tls = (c.tls ?? {}) as Raw;
  const https = (tls.https ?? {}) as Raw;
  const defaults = (tls.defaults ?? {}) as Raw;
  const pick = (key: string, ...legacy: unknown[]): string => s(https[key]) ?? s(defaults[key]) ?? legacy.map(s).find((v) => v !== undefined) ?? '';
  const out: HttpsTlsConfig = {
    caFile: pick('ca_file', c.ca_file),
    caPath: pick('ca_path', c.ca_path),
    certFile: pick('cert_file', c.cert_file),
    keyFile: pick('key_file', c.key_file),
    verifyIncoming: b(https.verify_incoming) ?? b(defaults.verify_incoming) ?? b(c.verify_incoming_https) ?? b(c.verify_incoming) ?? false,
    minVersion: minVersion(c, 'https'),
  };
  if (httpsPort > 0 && !autoTls && (out.certFile === '' || out.keyFile === '')) {
    throw new ConfigError('HTTPS listener (ports.https) requires tls.defaults.cert_file and tls.defaults.key_file (or tls.https)');
  }
  if (out.verifyIncoming && out.caFile === '' && out.caPath === '') {
    throw new ConfigError('VerifyIncoming set for HTTPS: CA file must be set (tls.defaults.ca_file)');
  }
  return out;
}

/** Internal RPC (server port 8300): Consul's tls.internal_rpc over tls.defaults over the deprecated keys. */
export interface RpcTlsConfig {
  caFile: string;
  caPath: string;
  certFile: string;
  keyFile: string;
  /** A server refuses plaintext and TLS clients without a certificate from the CA. */
  verifyIncoming: boolean;
  /** This agent dials servers over TLS only and verifies their chain against the CA. */
  verifyOutgoing: boolean;
  /** Servers must present a certificate valid for `serverName`. */
  verifyServerHostname: boolean;
  /** `server.<datacenter>.<domain>` (the domain without its trailing dot). */
  serverName: string;
  /** tls_min_version of tls.internal_rpc (or tls.defaults), for both ends of an RPC connection. */
  minVersion: TlsMinVersion;
}

/** Whether any RPC TLS file is configured (RpcTls.load has something to read). */
export function rpcTlsConfigured(c: RpcTlsConfig): boolean {
  return c.caFile !== '' || c.caPath !== '' || (c.certFile !== '' && c.keyFile !== '');
}

/** `autoTls`: auto_encrypt.tls (tlsutil's base.AutoTLS): the certificate comes from the servers. */
export function parseRpcTls(c: Raw, datacenter: string, domain: string, autoTls = false): RpcTlsConfig {
  const tls = (c.tls ?? {}) as Raw;
  const rpc = (tls.internal_rpc ?? {}) as Raw;
  const defaults = (tls.defaults ?? {}) as Raw;
  for (const block of ['defaults', 'https', 'grpc']) {
    if (b(((tls[block] ?? {}) as Raw).verify_server_hostname) !== undefined) {
      throw new ConfigError('verify_server_hostname is only valid in the tls.internal_rpc stanza');
    }
  }
  if (b(((tls.grpc ?? {}) as Raw).verify_outgoing) !== undefined) throw new ConfigError('verify_outgoing is not valid in the tls.grpc stanza');
  const pick = (key: string): string => s(rpc[key]) ?? s(defaults[key]) ?? s(c[key]) ?? '';
  const flag = (key: string, ...legacy: string[]): boolean =>
    b(rpc[key]) ?? b(defaults[key]) ?? legacy.map((k) => b(c[k])).find((v) => v !== undefined) ?? false;
  const verifyServerHostname = b(rpc.verify_server_hostname) ?? b(c.verify_server_hostname) ?? false;
  const out: RpcTlsConfig = {
    caFile: pick('ca_file'),
    caPath: pick('ca_path'),
    certFile: pick('cert_file'),
    keyFile: pick('key_file'),
    verifyIncoming: flag('verify_incoming', 'verify_incoming_rpc', 'verify_incoming'),
    // verify_server_hostname implies verify_outgoing (Consul, after CVE-2018-19653).
    verifyOutgoing: flag('verify_outgoing', 'verify_outgoing') || verifyServerHostname,
    verifyServerHostname,
    serverName: `server.${datacenter}.${domain.replace(/\.$/, '')}`,
    minVersion: minVersion(c, 'internal_rpc'),
  };
  const hasCa = out.caFile !== '' || out.caPath !== '';
  if (out.verifyOutgoing && !hasCa) throw new ConfigError('VerifyOutgoing set, and no CA certificate provided!');
  if (out.verifyIncoming && !hasCa) throw new ConfigError('VerifyIncoming set but no CA certificates were provided');
  if (out.verifyIncoming && !autoTls && (out.certFile === '' || out.keyFile === '')) {
    throw new ConfigError('VerifyIncoming requires either a Cert and Key pair in the configuration file, or auto_encrypt/auto_config be enabled');
  }
  return out;
}

/** Consul's deprecated top-level TLS keys and the keys that replaced them (its deprecated.go). */
const DEPRECATED: Record<string, string> = {
  ca_file: 'tls.defaults.ca_file',
  ca_path: 'tls.defaults.ca_path',
  cert_file: 'tls.defaults.cert_file',
  key_file: 'tls.defaults.key_file',
  verify_incoming: 'tls.defaults.verify_incoming',
  verify_incoming_https: 'tls.https.verify_incoming',
  verify_incoming_rpc: 'tls.internal_rpc.verify_incoming',
  verify_outgoing: 'tls.defaults.verify_outgoing',
  verify_server_hostname: 'tls.internal_rpc.verify_server_hostname',
  tls_min_version: 'tls.defaults.tls_min_version',
};

/** The warnings Consul prints at start for each deprecated TLS key that is set. */
export function deprecatedTlsWarnings(c: Raw): string[] {
  const out = Object.entries(DEPRECATED)
    .filter(([old]) => c[old] !== undefined)
    .map(([old, now]) => `The '${old}' field is deprecated. Use the '${now}' field instead.`);
  const legacy = s(c.tls_min_version);
  if (legacy !== undefined && DEPRECATED_TLS_VERSIONS[legacy] !== undefined) {
    out.push(`'tls_min_version' value '${legacy}' is deprecated, please specify '${DEPRECATED_TLS_VERSIONS[legacy]}' instead`);
  }
  return out;
}
