/**
 * The agent config's `connect` block (Consul's agent/config/builder.go): `enabled` (on by
 * default since Consul 1.14, agent/config/default.go),
 * `ca_provider` (only the built-in `consul` provider here) and `ca_config`, whose snake_case
 * keys are translated to the CA configuration's own names (lib.TranslateKeys in the builder),
 * then laid over the server defaults of agent/consul/config.go (LeafCertTTL 72h,
 * IntermediateCertTTL 8760h, RootCertTTL 87600h).
 */
import { parseGoDuration } from '@proconsul/catalog';
import type { FieldSpec, ObjectSpec } from '../checks/decode.js';
import { ConfigError } from '../config/errors.js';
import { CAConfigError, parseConsulCAConfig } from './ca-config.js';

const any = (name: string): FieldSpec => ({ name, type: 'any' });

export const CONNECT_SPEC: ObjectSpec = {
  struct: 'Connect',
  fields: [
    { name: 'enabled', type: 'bool' },
    { name: 'ca_provider', type: 'string' },
    { name: 'ca_config', type: { opaque: 'map[string]interface {}' } },
    { name: 'test_ca_leaf_root_change_spread', type: 'duration' },
    // Accepted so a Consul config loads; mesh gateway federation and the rest are not built.
    ...['enable_mesh_gateway_wan_federation', 'enable_serverless_plugin', 'mesh_gateway_wan_federation'].map(any),
  ],
};

export interface ConnectConfig {
  enabled: boolean;
  /** Always `consul`: the built-in CA. */
  caProvider: string;
  /** The CA configuration a new cluster starts with (Consul's CAConfig.Config). */
  caConfig: Record<string, unknown>;
  /**
   * `test_ca_leaf_root_change_spread` (Consul's ConnectTestCALeafRootChangeSpread, meant for
   * tests): when > 0, the fixed delay before leaves are re-signed after a root rotation, in place
   * of a random point of the 30 s window (ca-change-delay.ts). 0: the random spread.
   */
  testCaLeafRootChangeSpreadMs: number;
}

/** Consul's CA providers; only the first is built here. */
const CONSUL_CA_PROVIDERS = ['consul', 'vault', 'aws-pca'];

/** The snake_case ca_config keys the builder translates (agent/config/builder.go). */
const CA_CONFIG_KEYS: Record<string, string> = {
  private_key: 'PrivateKey',
  root_cert: 'RootCert',
  leaf_cert_ttl: 'LeafCertTTL',
  intermediate_cert_ttl: 'IntermediateCertTTL',
  root_cert_ttl: 'RootCertTTL',
  private_key_type: 'PrivateKeyType',
  private_key_bits: 'PrivateKeyBits',
  csr_max_per_second: 'CSRMaxPerSecond',
  csr_max_concurrent: 'CSRMaxConcurrent',
  // Vault and AWS keys are translated too in Consul; they are refused below with their provider.
};

/** agent/consul/config.go DefaultConfig's CAConfig.Config. */
export const DEFAULT_CA_CONFIG: Readonly<Record<string, unknown>> = { LeafCertTTL: '72h', IntermediateCertTTL: '8760h', RootCertTTL: '87600h' };

export function translateCAConfigKeys(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) out[CA_CONFIG_KEYS[k.toLowerCase()] ?? k] = v;
  return out;
}

export function connectConfig(c: Record<string, unknown> | undefined): ConnectConfig {
  const provider = typeof c?.ca_provider === 'string' && c.ca_provider !== '' ? c.ca_provider : 'consul';
  if (provider !== 'consul') {
    if (CONSUL_CA_PROVIDERS.includes(provider)) throw new ConfigError(`connect.ca_provider: the ${JSON.stringify(provider)} CA provider is not supported by this agent (only "consul", the built-in CA)`);
    throw new ConfigError(`connect.ca_provider: unknown CA provider ${JSON.stringify(provider)}`);
  }
  const raw = (c?.ca_config ?? {}) as Record<string, unknown>;
  const caConfig = { ...DEFAULT_CA_CONFIG, ...translateCAConfigKeys(raw) };
  // builder.go Validate: an explicit "consul" provider has its configuration parsed at load time
  // (ca.ParseConsulCAConfig, its error as the agent's); with none named, the leader's CA
  // initialization meets it (and logs it) instead.
  if (c?.ca_provider === 'consul') {
    try {
      parseConsulCAConfig(caConfig);
    } catch (err) {
      if (err instanceof CAConfigError) throw new ConfigError(err.message);
      throw err;
    }
  }
  const spread = c?.test_ca_leaf_root_change_spread;
  return {
    enabled: c?.enabled !== false,
    caProvider: provider,
    caConfig,
    // The schema checked it is a Go duration.
    testCaLeafRootChangeSpreadMs: typeof spread === 'string' ? parseGoDuration(spread) : 0,
  };
}

/** Consul's answer on every Connect endpoint while Connect is off. */
export const CONNECT_NOT_ENABLED = 'Connect must be enabled in order to use this endpoint';
