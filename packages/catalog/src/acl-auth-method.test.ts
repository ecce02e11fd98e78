import { describe, expect, it } from 'vitest';
import { ACL_AUTH_METHOD_CONFIG_BYTES_MAX } from './acl-store.js';
import type { AclAuthMethodRecord, AclBindingRuleRecord, AclTokenRecord } from './acl-types.js';
import { Catalog } from './catalog.js';

type NewMethod = Omit<AclAuthMethodRecord, 'CreateIndex' | 'ModifyIndex'>;
type NewRule = Omit<AclBindingRuleRecord, 'CreateIndex' | 'ModifyIndex'>;
type NewToken = Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;

const method = (name: string, extra: Partial<NewMethod> = {}): NewMethod => ({
  Name: name, Type: 'jwt', DisplayName: '', Description: '', MaxTokenTTL: 0, TokenLocality: '', Config: { BoundIssuer: 'me' }, ...extra,
});
const rule = (id: string, authMethod: string, extra: Partial<NewRule> = {}): NewRule => ({
  ID: id, Description: '', AuthMethod: authMethod, Selector: '', BindType: 'service', BindName: '${value.name}', ...extra,
});
const token = (id: string, authMethod?: string): NewToken => ({
  AccessorID: id, SecretID: `s-${id}`, Description: '', Policies: [], Roles: [], ServiceIdentities: [{ ServiceName: 'web' }], NodeIdentities: [],
  Local: true, CreateTime: '2026-01-01T00:00:00Z', Hash: 'h', ...(authMethod ? { AuthMethod: authMethod } : {}),
});

describe('ACL auth methods and binding rules', () => {
  it('sets auth methods by name, keeps CreateIndex, refuses a Type change and an oversized Config', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'ACLAuthMethodSet', AuthMethod: method('m1') })).toEqual({ ok: true, value: true });
    expect(c.apply(2, { Type: 'ACLAuthMethodSet', AuthMethod: method('m1', { Description: 'd' }) }).ok).toBe(true);
    expect(c.acl.authMethods.get('m1')).toMatchObject({ Description: 'd', CreateIndex: 1, ModifyIndex: 2 });
    expect(c.apply(3, { Type: 'ACLAuthMethodSet', AuthMethod: method('m1', { Type: 'kubernetes' }) })).toEqual({ ok: false, error: 'the Type field of an Auth Method is immutable' });
    const big = { JWTValidationPubKeys: ['x'.repeat(ACL_AUTH_METHOD_CONFIG_BYTES_MAX)] };
    expect(c.apply(4, { Type: 'ACLAuthMethodSet', AuthMethod: method('m2', { Config: big }) }).ok).toBe(false);
    expect(c.acl.authMethods.has('m2')).toBe(false);
    expect(c.acl.index).toBe(2);
  });

  it('needs the auth method for a binding rule and keeps its AuthMethod immutable', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'ACLBindingRuleSet', BindingRule: rule('r1', 'm1') })).toEqual({ ok: false, error: 'cannot find auth method with name "m1"' });
    c.apply(2, { Type: 'ACLAuthMethodSet', AuthMethod: method('m1') });
    c.apply(3, { Type: 'ACLAuthMethodSet', AuthMethod: method('m2') });
    expect(c.apply(4, { Type: 'ACLBindingRuleSet', BindingRule: rule('r1', 'm1'), CreateOnly: true }).ok).toBe(true);
    expect(c.apply(5, { Type: 'ACLBindingRuleSet', BindingRule: rule('r1', 'm1'), CreateOnly: true })).toEqual({ ok: false, error: 'Invalid Binding Rule: ID r1 already exists' });
    expect(c.apply(6, { Type: 'ACLBindingRuleSet', BindingRule: rule('r1', 'm2') })).toEqual({ ok: false, error: 'the AuthMethod field of an Binding Rule is immutable' });
    expect(c.apply(7, { Type: 'ACLBindingRuleSet', BindingRule: rule('r1', 'm1', { BindName: 'web' }) }).ok).toBe(true);
    expect(c.acl.bindingRules.get('r1')).toMatchObject({ BindName: 'web', CreateIndex: 4, ModifyIndex: 7 });
    expect(c.apply(8, { Type: 'ACLBindingRuleDelete', ID: 'r1' })).toEqual({ ok: true, value: true });
    expect(c.apply(9, { Type: 'ACLBindingRuleDelete', ID: 'r1' })).toEqual({ ok: true, value: false });
  });

  it('deleting an auth method deletes its binding rules and the tokens it issued, nothing else', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'ACLAuthMethodSet', AuthMethod: method('m1') });
    c.apply(2, { Type: 'ACLAuthMethodSet', AuthMethod: method('m2') });
    c.apply(3, { Type: 'ACLBindingRuleSet', BindingRule: rule('r1', 'm1') });
    c.apply(4, { Type: 'ACLBindingRuleSet', BindingRule: rule('r2', 'm2') });
    expect(c.apply(5, { Type: 'ACLTokenSet', Token: token('t1', 'm1') }).ok).toBe(true);
    expect(c.apply(6, { Type: 'ACLTokenSet', Token: token('t2', 'm2') }).ok).toBe(true);
    expect(c.apply(7, { Type: 'ACLTokenSet', Token: token('t3') }).ok).toBe(true);
    expect(c.apply(8, { Type: 'ACLTokenSet', Token: token('t4', 'gone') }).ok).toBe(false);
    expect(c.apply(9, { Type: 'ACLAuthMethodDelete', Name: 'm1' })).toEqual({ ok: true, value: true });
    expect([...c.acl.authMethods.keys()]).toEqual(['m2']);
    expect([...c.acl.bindingRules.keys()]).toEqual(['r2']);
    expect([...c.acl.tokens.keys()].sort()).toEqual(['t2', 't3']);
    expect(c.acl.tokensBySecret.has('s-t1')).toBe(false);
    expect(c.acl.index).toBe(9);
  });

  it('survives a snapshot and restore; a snapshot without them restores none', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'ACLAuthMethodSet', AuthMethod: method('m1', { MaxTokenTTL: 300e9, TokenLocality: 'global' }) });
    c.apply(2, { Type: 'ACLBindingRuleSet', BindingRule: rule('r1', 'm1', { BindType: 'templated-policy', BindName: 'builtin/service', BindVars: { Name: '${value.name}' } }) });
    c.apply(3, { Type: 'ACLTokenSet', Token: token('t1', 'm1') });
    const snap = c.snapshot();
    const d = new Catalog();
    d.restore(snap);
    expect(d.acl.authMethods.get('m1')).toMatchObject({ MaxTokenTTL: 300e9, TokenLocality: 'global', CreateIndex: 1 });
    expect(d.acl.bindingRules.get('r1')?.BindVars).toEqual({ Name: '${value.name}' });
    expect(d.acl.tokens.get('t1')?.AuthMethod).toBe('m1');
    expect(d.snapshot()).toEqual(snap);
    const old = structuredClone(snap);
    delete old.ACL!.AuthMethods;
    delete old.ACL!.BindingRules;
    d.restore(old);
    expect(d.acl.authMethods.size).toBe(0);
    expect(d.acl.bindingRules.size).toBe(0);
  });
});
