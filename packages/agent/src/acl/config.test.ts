import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import { defaultPolicyHeader, parseAclConfig, securityIssues } from './config.js';

describe('parseAclConfig', () => {
  it('defaults to ACLs off, default allow, down extend-cache', () => {
    expect(parseAclConfig({})).toEqual({
      enabled: false,
      defaultPolicy: 'allow',
      downPolicy: 'extend-cache',
      enableTokenPersistence: false,
      tokenTtlMs: 30_000,
      policyTtlMs: 30_000,
      roleTtlMs: 30_000,
      enableTokenReplication: false,
      tokens: { initialManagement: '', agent: '', default: '', agentRecovery: '', dns: '', replication: '' },
    });
  });

  it('reads Consul\'s keys and the deprecated ones', () => {
    const c = parseAclConfig({
      acl: { enabled: true, default_policy: 'deny', down_policy: 'async-cache', enable_token_persistence: true, token_ttl: '5s', policy_ttl: '1m', role_ttl: '250ms', tokens: { initial_management: 'm', agent: 'a' } },
      acl_token: 'd',
      acl_agent_master_token: 'r',
    });
    expect(c).toEqual({
      enabled: true,
      defaultPolicy: 'deny',
      downPolicy: 'async-cache',
      enableTokenPersistence: true,
      tokenTtlMs: 5_000,
      policyTtlMs: 60_000,
      roleTtlMs: 250,
      enableTokenReplication: false,
      tokens: { initialManagement: 'm', agent: 'a', default: 'd', agentRecovery: 'r', dns: '', replication: '' },
    });
    expect(parseAclConfig({ acl: { tokens: { master: 'old' } } }).tokens.initialManagement).toBe('old');
    expect(parseAclConfig({ acl_datacenter: 'dc1' }).enabled).toBe(true);
    expect(parseAclConfig({ acl_ttl: '2s' }).tokenTtlMs).toBe(2_000);
  });

  it('reads the replication keys as Consul maps them (applyDeprecatedConfig)', () => {
    const on = parseAclConfig({ acl: { enable_token_replication: true, tokens: { replication: 'rep' } } });
    expect([on.enableTokenReplication, on.tokens.replication]).toEqual([true, 'rep']);
    // acl_replication_token fills the token and turns token replication on, whatever the new key says.
    const legacy = parseAclConfig({ acl_replication_token: 'old', acl: { enable_token_replication: false } });
    expect([legacy.enableTokenReplication, legacy.tokens.replication]).toEqual([true, 'old']);
    expect(parseAclConfig({ acl_replication_token: 'old', acl: { tokens: { replication: 'new' } } }).tokens.replication).toBe('new');
    // enable_acl_replication counts only when acl.enable_token_replication is absent.
    expect(parseAclConfig({ enable_acl_replication: true }).enableTokenReplication).toBe(true);
    expect(parseAclConfig({ enable_acl_replication: true, acl: { enable_token_replication: false } }).enableTokenReplication).toBe(false);
  });

  it.each([
    [{ acl: 'yes' }, 'acl: expected an object'],
    [{ acl: { enabled: 'true' } }, 'acl.enabled: expected a boolean'],
    [{ acl: { down_policy: 'sometimes' } }, /^acl\.down_policy must be one of/],
    [{ acl: { tokens: { agent: 7 } } }, 'acl.tokens.agent: expected a string'],
    [{ acl: { token_ttl: 'soon' } }, 'acl.token_ttl: time: invalid duration "soon"'],
  ])('refuses %j', (raw, message) => {
    expect(() => parseAclConfig(raw)).toThrow(ConfigError);
    expect(() => parseAclConfig(raw)).toThrow(message);
  });
});

describe('safe defaults', () => {
  it('reports the policy actually enforced', () => {
    expect(defaultPolicyHeader({ enabled: false, defaultPolicy: 'deny' })).toBe('allow');
    expect(defaultPolicyHeader({ enabled: true, defaultPolicy: 'deny' })).toBe('deny');
  });

  it('raises the script-check issue only without ACLs', () => {
    expect(securityIssues({ enableScriptChecks: true, acl: { enabled: false } })).toHaveLength(1);
    expect(securityIssues({ enableScriptChecks: true, acl: { enabled: true } })).toEqual([]);
    expect(securityIssues({ enableScriptChecks: false, acl: { enabled: false } })).toEqual([]);
  });
});
