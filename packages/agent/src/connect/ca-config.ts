/**
 * The built-in provider's configuration (Consul's ParseConsulCAConfig in
 * agent/connect/ca/provider_consul_config.go and CommonCAProviderConfig.Validate in
 * agent/structs/connect_ca.go): defaults (defaultConsulCAProviderConfig, CSRMaxPerSecond 50 as
 * GetCommonConfig), mapstructure's weakly-typed decoding (durations as Go strings or
 * nanoseconds, numbers as strings) with its error texts, and Consul's checks with their texts.
 */
import { decodeStruct, ConfigEntryDecodeError, formatGoDuration, type StructType } from '@proconsul/catalog';

const HOUR_MS = 3_600_000;

export interface ConsulCAProviderConfig {
  leafCertTtlMs: number;
  intermediateCertTtlMs: number;
  rootCertTtlMs: number;
  privateKeyType: 'ec' | 'rsa';
  privateKeyBits: number;
  /** A user-supplied key and root (PEM), or ''. */
  privateKey: string;
  rootCert: string;
  /** The leader's signing limits (csr-limit.ts). */
  csrMaxPerSecond: number;
  csrMaxConcurrent: number;
}

export class CAConfigError extends Error {}

/** structs.ConsulCAProviderConfig with CommonCAProviderConfig squashed in. */
const CONSUL_CA_PROVIDER_CONFIG: StructType = {
  fields: [
    { name: 'LeafCertTTL', type: 'duration' },
    { name: 'RootCertTTL', type: 'duration' },
    { name: 'IntermediateCertTTL', type: 'duration' },
    { name: 'SkipValidate', type: 'bool' },
    { name: 'CSRMaxPerSecond', type: 'float32' },
    { name: 'CSRMaxConcurrent', type: 'int' },
    { name: 'PrivateKeyType', type: 'string' },
    { name: 'PrivateKeyBits', type: 'int' },
    { name: 'PrivateKey', type: 'string' },
    { name: 'RootCert', type: 'string' },
    { name: 'DisableCrossSigning', type: 'bool' },
  ],
};

/** ParseConsulCAConfig: the config with Consul's defaults, validated. */
export function parseConsulCAConfig(raw: Record<string, unknown>): ConsulCAProviderConfig {
  let v: Record<string, unknown>;
  try {
    // Keys not in the struct are ignored (no ErrorUnused).
    v = decodeStruct(raw, CONSUL_CA_PROVIDER_CONFIG).value;
  } catch (err) {
    if (err instanceof ConfigEntryDecodeError) throw new CAConfigError(`error decoding config: ${err.message}`);
    throw err;
  }
  const ns = (name: string, dfltMs: number): number => (typeof v[name] === 'number' ? (v[name] as number) / 1e6 : dfltMs);
  const c: ConsulCAProviderConfig = {
    leafCertTtlMs: ns('LeafCertTTL', 72 * HOUR_MS),
    intermediateCertTtlMs: ns('IntermediateCertTTL', 8760 * HOUR_MS),
    rootCertTtlMs: ns('RootCertTTL', 87600 * HOUR_MS),
    privateKeyType: (v.PrivateKeyType ?? 'ec') as 'ec' | 'rsa',
    privateKeyBits: (v.PrivateKeyBits ?? 256) as number,
    privateKey: (v.PrivateKey ?? '') as string,
    rootCert: (v.RootCert ?? '') as string,
    csrMaxPerSecond: (v.CSRMaxPerSecond ?? 50) as number,
    csrMaxConcurrent: (v.CSRMaxConcurrent ?? 0) as number,
  };
  if (c.privateKey === '' && c.rootCert !== '') throw new CAConfigError('must provide a private key when providing a root cert');
  if (v.SkipValidate !== true) validateCommon(c);
  return c;
}

/** CommonCAProviderConfig.Validate. */
function validateCommon(c: ConsulCAProviderConfig): void {
  if (c.leafCertTtlMs < HOUR_MS) throw new CAConfigError('leaf cert TTL must be greater or equal than 1h0m0s');
  if (c.leafCertTtlMs > 8760 * HOUR_MS) throw new CAConfigError('leaf cert TTL must be less than 8760h0m0s');
  if (c.intermediateCertTtlMs < 3 * HOUR_MS) throw new CAConfigError('Intermediate Cert TTL must be greater or equal than 3h');
  if (c.intermediateCertTtlMs < 3 * c.leafCertTtlMs) throw new CAConfigError(`Intermediate Cert TTL must be greater or equal than 3 * LeafCertTTL (>=${formatGoDuration(3 * c.leafCertTtlMs)}).`);
  switch (c.privateKeyType) {
    case 'ec':
      if (![224, 256, 384, 521].includes(c.privateKeyBits)) throw new CAConfigError('EC key length must be one of (224, 256, 384, 521) bits');
      break;
    case 'rsa':
      if (c.privateKeyBits !== 2048 && c.privateKeyBits !== 4096) throw new CAConfigError('RSA key length must be 2048 or 4096 bits');
      break;
    default:
      throw new CAConfigError("private key type must be either 'ec' or 'rsa'");
  }
}
