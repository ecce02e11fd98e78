/**
 * The built-in provider's configuration (Consul's ParseConsulCAConfig in
 * agent/connect/ca/provider_consul_config.go and CommonCAProviderConfig.Validate in
 * agent/structs/connect_ca.go): defaults, weakly-typed decoding (durations as Go strings or
 * nanoseconds, numbers as strings), and Consul's checks with its texts.
 */
import { formatGoDuration, parseGoDuration } from '@proconsul/catalog';

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
}

export class CAConfigError extends Error {}

function field(raw: Record<string, unknown>, name: string): unknown {
  // mapstructure matches field names without regard to case.
  const k = Object.keys(raw).find((key) => key.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : raw[k];
}

function duration(raw: Record<string, unknown>, name: string, dflt: number): number {
  const v = field(raw, name);
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'number') return v / 1e6; // nanoseconds, as Go's time.Duration
  if (typeof v !== 'string') throw new CAConfigError(`error decoding config: '${name}' expected a duration, got ${typeof v}`);
  try {
    return parseGoDuration(v);
  } catch (err) {
    throw new CAConfigError(`error decoding config: 1 error(s) decoding:\n\n* error decoding '${name}': ${(err as Error).message}`);
  }
}

function int(raw: Record<string, unknown>, name: string, dflt: number): number {
  const v = field(raw, name);
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new CAConfigError(`error decoding config: 1 error(s) decoding:\n\n* cannot parse '${name}' as int`);
  return n;
}

function str(raw: Record<string, unknown>, name: string): string {
  const v = field(raw, name);
  return typeof v === 'string' ? v : '';
}

/** ParseConsulCAConfig: the config with Consul's defaults, validated. */
export function parseConsulCAConfig(raw: Record<string, unknown>): ConsulCAProviderConfig {
  const type = str(raw, 'PrivateKeyType') || 'ec';
  const c = {
    leafCertTtlMs: duration(raw, 'LeafCertTTL', 72 * HOUR_MS),
    intermediateCertTtlMs: duration(raw, 'IntermediateCertTTL', 8760 * HOUR_MS),
    rootCertTtlMs: duration(raw, 'RootCertTTL', 87600 * HOUR_MS),
    privateKeyType: type as 'ec' | 'rsa',
    privateKeyBits: int(raw, 'PrivateKeyBits', type === 'rsa' ? 0 : 256),
    privateKey: str(raw, 'PrivateKey'),
    rootCert: str(raw, 'RootCert'),
  };
  if (c.privateKey === '' && c.rootCert !== '') throw new CAConfigError('must provide a private key when providing a root cert');
  validateCommon(c);
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
