import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import { assertAclSupported, defaultPolicyHeader, parseAclConfig, securityIssues } from './config.js';

describe('parseAclConfig', () => {
  it('defaults to ACLs off, default allow, down extend-cache', () => {
    expect(parseAclConfig({})).toEqual({
      enabled: false,
      defaultPolicy: 'allow',
      downPolicy: 'extend-cache',
      enableTokenPersistence: false,
      tokens: { initialManagement: '', agent: '', default: '', agentRecovery: '' },
    });
  });

  it('reads Consul\'s keys and the deprecated ones', () => {
    const c = parseAclConfig({
      acl: { enabled: true, default_policy: 'deny', down_policy: 'async-cache', enable_token_persistence: true, tokens: { initial_management: 'm', agent: 'a' } },
      acl_token: 'd',
      acl_agent_master_token: 'r',
    });
    expect(c).toEqual({
      enabled: true,
      defaultPolicy: 'deny',
      downPolicy: 'async-cache',
      enableTokenPersistence: true,
      tokens: { initialManagement: 'm', agent: 'a', default: 'd', agentRecovery: 'r' },
    });
    expect(parseAclConfig({ acl: { tokens: { master: 'old' } } }).tokens.initialManagement).toBe('old');
    expect(parseAclConfig({ acl_datacenter: 'dc1' }).enabled).toBe(true);
  });

  it.each([
    [{ acl: 'yes' }, 'acl: expected an object'],
    [{ acl: { enabled: 'true' } }, 'acl.enabled: expected a boolean'],
    [{ acl: { down_policy: 'sometimes' } }, /^acl\.down_policy must be one of/],
    [{ acl: { tokens: { agent: 7 } } }, 'acl.tokens.agent: expected a string'],
  ])('refuses %j', (raw, message) => {
    expect(() => parseAclConfig(raw)).toThrow(ConfigError);
    expect(() => parseAclConfig(raw)).toThrow(message);
  });
});

describe('safe defaults', () => {
  it('refuses enabled ACLs where they are not enforced (client agents)', () => {
    expect(() => assertAclSupported(parseAclConfig({ acl: { enabled: true } }), false)).toThrow(ConfigError);
    expect(() => assertAclSupported(parseAclConfig({ acl: { enabled: true } }), true)).not.toThrow();
    expect(() => assertAclSupported(parseAclConfig({}), false)).not.toThrow();
  });

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
