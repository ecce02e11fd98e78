import { describe, expect, it } from 'vitest';
import type { AclTokenRecord } from './acl-types.js';
import { Catalog } from './catalog.js';

type NewToken = Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;
const token = (id: string, secret: string, extra: Partial<NewToken> = {}): NewToken => ({
  AccessorID: id,
  SecretID: secret,
  Description: '',
  Policies: [],
  Roles: [],
  ServiceIdentities: [],
  NodeIdentities: [],
  Local: false,
  CreateTime: '2026-01-01T00:00:00Z',
  Hash: 'h',
  ...extra,
});
const policy = (id: string, name: string) => ({ ID: id, Name: name, Description: '', Rules: '', Datacenters: [], Hash: 'h' });

describe('ACL tables', () => {
  it('bootstraps once, then refuses with the reset index', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'ACLBootstrap', Token: token('a1', 's1') })).toEqual({ ok: true, value: true });
    expect(c.acl.bootstrapIndex).toBe(1);
    expect(c.apply(2, { Type: 'ACLBootstrap', Token: token('a2', 's2') })).toEqual({ ok: false, error: 'ACL bootstrap no longer allowed (reset index: 1)' });
    expect(c.apply(3, { Type: 'ACLBootstrap', Token: token('a3', 's3'), ResetIndex: 1 }).ok).toBe(true);
    expect(c.acl.bootstrapIndex).toBe(3);
  });

  it('keeps secrets and names unique, and links policies by ID with their current name', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'ACLPolicySet', Policy: policy('p1', 'ops') }).ok).toBe(true);
    expect(c.apply(2, { Type: 'ACLPolicySet', Policy: policy('p2', 'ops') })).toEqual({ ok: false, error: 'Invalid Policy: A Policy with Name "ops" already exists' });
    expect(c.apply(3, { Type: 'ACLTokenSet', Token: token('a1', 's1', { Policies: [{ ID: 'p1', Name: 'ops' }] }) }).ok).toBe(true);
    expect(c.apply(4, { Type: 'ACLTokenSet', Token: token('a2', 's1') })).toEqual({ ok: false, error: 'Invalid Token: SecretID is already in use' });
    expect(c.apply(5, { Type: 'ACLTokenSet', Token: token('a3', 's3', { Policies: [{ ID: 'nope', Name: '' }] }) })).toEqual({ ok: false, error: 'cannot find policy nope' });
    expect(c.apply(6, { Type: 'ACLPolicySet', Policy: policy('p1', 'operators') }).ok).toBe(true);
    expect(c.acl.tokens.get('a1')!.Policies).toEqual([{ ID: 'p1', Name: 'operators' }]);
    expect(c.apply(7, { Type: 'ACLPolicyDelete', ID: 'p1' })).toEqual({ ok: true, value: true });
    expect(c.acl.tokens.get('a1')!.Policies).toEqual([]);
    expect(c.acl.tokens.get('a1')).toMatchObject({ CreateIndex: 3, ModifyIndex: 3 });
    expect(c.apply(8, { Type: 'ACLTokenDelete', AccessorID: 'a1' })).toEqual({ ok: true, value: true });
    expect(c.acl.tokensBySecret.has('s1')).toBe(false);
  });

  it('survives a snapshot and restore, and restores old snapshots without ACLs as empty', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'ACLPolicySet', Policy: policy('p1', 'ops') });
    c.apply(2, { Type: 'ACLBootstrap', Token: token('a1', 's1', { Policies: [{ ID: 'p1', Name: 'ops' }] }) });
    const snap = c.snapshot();
    const d = new Catalog();
    d.restore(snap);
    expect(d.snapshot()).toEqual(snap);
    expect(d.acl.tokensBySecret.get('s1')!.AccessorID).toBe('a1');
    const old = { ...snap };
    delete old.ACL;
    d.restore(old);
    expect(d.acl.tokens.size).toBe(0);
    expect(d.acl.bootstrapIndex).toBe(0);
  });
});
