import { describe, expect, it } from 'vitest';
import { ACL_WATCH_KEY, type AclTokenRecord } from './acl-types.js';
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

  it('keeps links not (yet) here with AllowMissingLinks (replication), and wakes ACL watchers on every write', async () => {
    const c = new Catalog();
    const woke = c.watch([ACL_WATCH_KEY]).then(() => true);
    const links = { Policies: [{ ID: 'p9', Name: 'later' }], Roles: [{ ID: 'r9', Name: 'later' }], AuthMethod: 'elsewhere' };
    expect(c.apply(1, { Type: 'ACLTokenSet', Token: token('a1', 's1', links) }).ok).toBe(false);
    expect(c.apply(2, { Type: 'ACLTokenSet', Token: token('a1', 's1', links), AllowMissingLinks: true }).ok).toBe(true);
    expect(c.acl.tokens.get('a1')).toMatchObject(links);
    const role = { ID: 'r9', Name: 'later', Description: '', Policies: [{ ID: 'p9', Name: 'later' }], ServiceIdentities: [], NodeIdentities: [], Hash: 'h' };
    expect(c.apply(3, { Type: 'ACLRoleSet', Role: role })).toEqual({ ok: false, error: 'cannot find policy p9' });
    expect(c.apply(4, { Type: 'ACLRoleSet', Role: role, AllowMissingLinks: true }).ok).toBe(true);
    expect(await woke).toBe(true);
    // The policy arrives later and takes its place in the links.
    expect(c.apply(5, { Type: 'ACLPolicySet', Policy: policy('p9', 'arrived') }).ok).toBe(true);
    expect(c.acl.tokens.get('a1')!.Policies).toEqual([{ ID: 'p9', Name: 'arrived' }]);
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

describe('ACL templated policies', () => {
  const service = { TemplateID: '00000000-0000-0000-0000-000000000003', TemplateName: 'builtin/service', TemplateVariables: { Name: 'api' }, Datacenters: ['dc1'] };
  const dns = { TemplateID: '00000000-0000-0000-0000-000000000005', TemplateName: 'builtin/dns' };
  const role = (id: string, name: string, extra: Record<string, unknown> = {}) => ({ ID: id, Name: name, Description: '', Policies: [], ServiceIdentities: [], NodeIdentities: [], Hash: 'h', ...extra });

  it('stores them on tokens and roles as given, and keeps them through a snapshot', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'ACLRoleSet', Role: role('r1', 'svc', { TemplatedPolicies: [dns] }) })).toEqual({ ok: true, value: true });
    expect(c.apply(2, { Type: 'ACLTokenSet', Token: token('a1', 's1', { TemplatedPolicies: [service], Roles: [{ ID: 'r1', Name: 'svc' }] }) }).ok).toBe(true);
    expect(c.acl.tokens.get('a1')!.TemplatedPolicies).toEqual([service]);
    expect(c.acl.tokensBySecret.get('s1')!.TemplatedPolicies).toEqual([service]);
    expect(c.acl.roles.get('r1')!.TemplatedPolicies).toEqual([dns]);
    const snap = c.snapshot();
    expect(snap.ACL!.Tokens.find((t) => t.AccessorID === 'a1')!.TemplatedPolicies).toEqual([service]);
    const d = new Catalog();
    d.restore(snap);
    expect(d.acl.tokensBySecret.get('s1')!.TemplatedPolicies).toEqual([service]);
    expect(d.acl.roles.get('r1')!.TemplatedPolicies).toEqual([dns]);
    expect(d.snapshot()).toEqual(snap);
  });

  it('loads a snapshot written before templated policies: records without the field have none', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'ACLRoleSet', Role: role('r1', 'old') });
    c.apply(2, { Type: 'ACLTokenSet', Token: token('a1', 's1') });
    const snap = c.snapshot();
    // As an older Proconsul wrote it: no TemplatedPolicies key at all.
    expect(Object.keys(snap.ACL!.Tokens[0]!)).not.toContain('TemplatedPolicies');
    expect(Object.keys(snap.ACL!.Roles[0]!)).not.toContain('TemplatedPolicies');
    const d = new Catalog();
    d.restore(JSON.parse(JSON.stringify(snap)));
    expect(d.acl.tokens.get('a1')!.TemplatedPolicies).toBeUndefined();
    // A restored old token can then gain templated policies.
    expect(d.apply(3, { Type: 'ACLTokenSet', Token: token('a1', 's1', { TemplatedPolicies: [dns] }) }).ok).toBe(true);
    expect(d.acl.tokens.get('a1')).toMatchObject({ TemplatedPolicies: [dns], CreateIndex: 2, ModifyIndex: 3 });
  });

  it('refuses a malformed list whole, before anything changes', () => {
    const c = new Catalog();
    const bad = (tps: unknown) => c.apply(1, { Type: 'ACLTokenSet', Token: token('a1', 's1', { TemplatedPolicies: tps as never }) });
    expect(bad('builtin/dns')).toEqual({ ok: false, error: 'Invalid Token: TemplatedPolicies must be a list' });
    expect(bad([{ TemplateName: 'builtin/dns' }])).toEqual({ ok: false, error: 'Invalid Token: TemplatedPolicies: TemplateName and TemplateID must be strings' });
    expect(bad([{ ...service, TemplateVariables: { Name: 7 } }])).toEqual({ ok: false, error: 'Invalid Token: TemplatedPolicies: TemplateVariables.Name must be a string' });
    expect(bad([{ ...service, Datacenters: 'dc1' }])).toEqual({ ok: false, error: 'Invalid Token: TemplatedPolicies: Datacenters must be a list of strings' });
    expect(bad(Array.from({ length: 257 }, () => dns))).toEqual({ ok: false, error: 'Invalid Token: TemplatedPolicies: more than 256' });
    expect(c.acl.tokens.size).toBe(0);
    expect(c.apply(2, { Type: 'ACLRoleSet', Role: role('r1', 'x', { TemplatedPolicies: [null] }) })).toEqual({ ok: false, error: 'Invalid Role: TemplatedPolicies must be a list of objects' });
    expect(c.acl.roles.size).toBe(0);
  });
});
