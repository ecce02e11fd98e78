/**
 * The `acl { ... }` stanza, with Consul's JSON keys (and the deprecated top-level `acl_*` keys
 * Consul still maps onto it).
 */
import { parseGoDuration } from '@proconsul/catalog';
import type { FieldSpec, ObjectSpec } from '../checks/decode.js';
import { ConfigError } from '../config/errors.js';

const strings = (...names: string[]): FieldSpec[] => names.map((name) => ({ name, type: 'string' }));

/** Consul's `acl` stanza (agent/config/config.go), keys matched without regard to case. */
const ACL_SPEC: ObjectSpec = {
  struct: 'ACL',
  fields: [
    { name: 'enabled', type: 'bool' },
    { name: 'enable_token_persistence', type: 'bool' },
    { name: 'enable_key_list_policy', type: 'bool' },
    { name: 'enable_token_replication', type: 'bool' },
    { name: 'msp_disable_bootstrap', type: 'bool' },
    ...strings('default_policy', 'down_policy'),
    ...['token_ttl', 'policy_ttl', 'role_ttl', 'disabled_ttl'].map((name): FieldSpec => ({ name, type: 'duration' })),
    {
      name: 'tokens',
      type: {
        object: {
          struct: 'Tokens',
          fields: [
            ...strings('initial_management', 'agent', 'default', 'agent_recovery', 'replication', 'config_file_service_registration', 'dns'),
            ...strings('master', 'agent_master'), // deprecated names of initial_management and agent_recovery
            { name: 'managed_service_provider', type: 'any' },
          ],
        },
      },
    },
  ],
};

/** Config fields for ../config/schema.ts: the stanza and the deprecated top-level keys. */
export const ACL_CONFIG_FIELDS: readonly FieldSpec[] = [
  { name: 'acl', type: { object: ACL_SPEC } },
  ...strings('acl_datacenter', 'acl_default_policy', 'acl_down_policy', 'acl_master_token', 'acl_agent_token', 'acl_agent_master_token', 'acl_token', 'acl_replication_token'),
  { name: 'acl_ttl', type: 'duration' },
  { name: 'acl_enable_key_list_policy', type: 'bool' },
  { name: 'enable_acl_replication', type: 'bool' },
];

export type AclDefaultPolicy = 'allow' | 'deny';
export type AclDownPolicy = 'allow' | 'deny' | 'extend-cache' | 'async-cache';

export interface AclConfig {
  enabled: boolean;
  defaultPolicy: AclDefaultPolicy;
  downPolicy: AclDownPolicy;
  enableTokenPersistence: boolean;
  /** How long a client agent caches what it resolved through the servers (Consul: 30 s each). */
  tokenTtlMs: number;
  policyTtlMs: number;
  roleTtlMs: number;
  /**
   * acl.enable_token_replication: a secondary datacenter's leader also replicates the primary's
   * global tokens (and the secondary keeps local tokens); else it resolves tokens in the primary.
   */
  enableTokenReplication: boolean;
  /**
   * `dns` answers DNS (else `default`, as Consul); `replication` is what a secondary's leader
   * reads the primary's ACLs with (acl:read, acl:write for token replication).
   */
  tokens: { initialManagement: string; agent: string; default: string; agentRecovery: string; dns: string; replication: string };
}

const DOWN_POLICIES: readonly string[] = ['allow', 'deny', 'extend-cache', 'async-cache'];

type Raw = Record<string, unknown>;

function obj(value: unknown, key: string): Raw {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${key}: expected an object`);
  return value as Raw;
}

function str(value: unknown, key: string, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new ConfigError(`${key}: expected a string`);
  return value;
}

/** Consul's default for token_ttl, policy_ttl and role_ttl (agent/config/default.go). */
const ACL_TTL_DEFAULT_MS = 30_000;

function ttl(value: unknown, key: string): number {
  if (value === undefined || value === null) return ACL_TTL_DEFAULT_MS;
  if (typeof value !== 'string' && typeof value !== 'number') throw new ConfigError(`${key}: expected a duration`);
  try {
    return parseGoDuration(value);
  } catch (err) {
    throw new ConfigError(`${key}: ${(err as Error).message}`);
  }
}

function bool(value: unknown, key: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new ConfigError(`${key}: expected a boolean`);
  return value;
}

/** Reads the merged config's `acl` object and the legacy top-level keys it supersedes. */
export function parseAclConfig(config: Raw): AclConfig {
  const acl = obj(config.acl, 'acl');
  const tokens = obj(acl.tokens, 'acl.tokens');
  // Consul maps acl_datacenter (pre-1.4) to primary_datacenter and turns ACLs on.
  const legacyDc = str(config.acl_datacenter, 'acl_datacenter', '');
  const defaultPolicy = str(acl.default_policy ?? config.acl_default_policy, 'acl.default_policy', 'allow');
  if (defaultPolicy !== 'allow' && defaultPolicy !== 'deny') {
    throw new ConfigError(`acl.default_policy must be "allow" or "deny", not ${JSON.stringify(defaultPolicy)}`);
  }
  const downPolicy = str(acl.down_policy ?? config.acl_down_policy, 'acl.down_policy', 'extend-cache');
  if (!DOWN_POLICIES.includes(downPolicy)) {
    throw new ConfigError(`acl.down_policy must be one of ${DOWN_POLICIES.map((p) => JSON.stringify(p)).join(', ')}, not ${JSON.stringify(downPolicy)}`);
  }
  const token = (key: string, ...legacy: unknown[]): string => {
    const value = tokens[key] ?? legacy.find((v) => v !== undefined && v !== null);
    return str(value, `acl.tokens.${key}`, '');
  };
  // Consul's applyDeprecatedConfig: acl_replication_token also turns token replication on (and
  // wins over acl.enable_token_replication); enable_acl_replication counts when the new key is absent.
  const legacyReplicationToken = config.acl_replication_token !== undefined && config.acl_replication_token !== null;
  const tokenReplication = legacyReplicationToken || bool(acl.enable_token_replication ?? config.enable_acl_replication, 'acl.enable_token_replication');
  return {
    enabled: bool(acl.enabled, 'acl.enabled') || legacyDc !== '',
    enableTokenReplication: tokenReplication,
    defaultPolicy,
    downPolicy: downPolicy as AclDownPolicy,
    enableTokenPersistence: bool(acl.enable_token_persistence, 'acl.enable_token_persistence'),
    // acl_ttl is the pre-1.4 name of token_ttl.
    tokenTtlMs: ttl(acl.token_ttl ?? config.acl_ttl, 'acl.token_ttl'),
    policyTtlMs: ttl(acl.policy_ttl, 'acl.policy_ttl'),
    roleTtlMs: ttl(acl.role_ttl, 'acl.role_ttl'),
    tokens: {
      initialManagement: token('initial_management', tokens.master, config.acl_master_token),
      agent: token('agent', config.acl_agent_token),
      default: token('default', config.acl_token),
      agentRecovery: token('agent_recovery', tokens.agent_master, config.acl_agent_master_token),
      dns: token('dns'),
      replication: token('replication', config.acl_replication_token),
    },
  };
}

/**
 * The value of X-Consul-Default-ACL-Policy: what an unauthenticated request is actually
 * subject to. With ACLs off nothing is denied, so "allow", whatever default_policy says.
 */
export function defaultPolicyHeader(acl: Pick<AclConfig, 'enabled' | 'defaultPolicy'>): AclDefaultPolicy {
  return acl.enabled ? acl.defaultPolicy : 'allow';
}

/** Consul's text (agent/config/builder.go), logged as `[SECURITY] issue` at start. */
export const REMOTE_SCRIPT_CHECK_SECURITY_WARNING =
  'using enable-script-checks without ACLs and without allow_write_http_from is DANGEROUS, use enable-local-script-checks instead, see https://www.hashicorp.com/blog/protecting-consul-from-rce-risk-in-specific-configurations/';

/** Consul's security issues for a configuration (logged at error level, the agent still starts). */
export function securityIssues(c: { enableScriptChecks: boolean; acl: Pick<AclConfig, 'enabled'> }): string[] {
  return c.enableScriptChecks && !c.acl.enabled ? [REMOTE_SCRIPT_CHECK_SECURITY_WARNING] : [];
}
