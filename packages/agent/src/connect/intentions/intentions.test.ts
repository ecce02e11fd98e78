import { describe, expect, it } from 'vitest';
import { intentionPrecedence } from '@proconsul/catalog';
import { byPrecedence, intentionString, toIntention, type ServiceIntentionsEntry, type SourceIntention } from './intention.js';
import { authorizeDecision, intentionDecision, matchDestination, matchSource } from './match.js';
import { deleteByName, findLegacy, legacyCreate, legacyDelete, legacyUpdate, upsertByName } from './mutation.js';
import { legacyApplyError, legacyEntryError, validateLegacyIntention } from './legacy-validate.js';
import { CertUriError, parseCertUri } from '../spiffe.js';
import { Authorizer } from '../../acl/authorizer.js';
import { parseRules } from '../../acl/rules.js';

const src = (Name: string, Action = 'allow', extra: Partial<SourceIntention> = {}): SourceIntention => ({ Name, Action, Type: 'consul', ...extra });
const entry = (Name: string, sources: SourceIntention[], idx = 10): ServiceIntentionsEntry => ({
  Kind: 'service-intentions',
  Name,
  Sources: sources.map((s) => ({ ...s, Precedence: intentionPrecedence(Name, s.Name) })),
  CreateIndex: idx,
  ModifyIndex: idx,
});

describe('precedence (Consul docs, "Precedence and matching order", OSS rows)', () => {
  it.each([
    ['web', 'api', 9],
    ['*', 'api', 8],
    ['web', '*', 6],
    ['*', '*', 5],
  ])('%s => %s is %i', (s, d, p) => expect(intentionPrecedence(d, s)).toBe(p));

  it('sorts by precedence, then by the 4-tuple', () => {
    const e = [entry('*', [src('*'), src('web')]), entry('api', [src('*'), src('web'), src('a')])];
    const order = e.flatMap((x) => x.Sources.map((s) => toIntention(x, s))).sort(byPrecedence).map((i) => `${i.SourceName}>${i.DestinationName}`);
    expect(order).toEqual(['a>api', 'web>api', '*>api', 'web>*', '*>*']);
  });
});

describe('match', () => {
  const entries = [entry('*', [src('*', 'deny'), src('web')]), entry('api', [src('*'), src('web', 'deny')]), entry('db', [src('api')])];

  it('by destination: the entry of the name and the wildcard entry, highest precedence first', () => {
    expect(matchDestination(entries, 'api').map((i) => `${i.SourceName}>${i.DestinationName}:${i.Precedence}`)).toEqual(['web>api:9', '*>api:8', 'web>*:6', '*>*:5']);
    expect(matchDestination(entries, 'other').map((i) => `${i.SourceName}>${i.DestinationName}`)).toEqual(['web>*', '*>*']);
  });

  it('by source: sources named so or *, local only', () => {
    const withPeer = [...entries, entry('x', [src('web', 'allow', { Peer: 'p1' })])];
    expect(matchSource(withPeer, 'web').map((i) => `${i.SourceName}>${i.DestinationName}`)).toEqual(['web>api', '*>api', 'web>*', '*>*']);
    expect(matchSource(entries, 'api').map((i) => `${i.SourceName}>${i.DestinationName}`)).toEqual(['api>db', '*>api', '*>*']);
  });

  it('decides by the first covering intention, L7 permissions deny a connection, else the default', () => {
    const forApi = matchDestination(entries, 'api');
    expect(intentionDecision({ intentions: forApi, by: 'source', target: 'web', defaultAllow: true, allowPermissions: false }).Allowed).toBe(false);
    expect(intentionDecision({ intentions: forApi, by: 'source', target: 'billing', defaultAllow: false, allowPermissions: false })).toMatchObject({ Allowed: true, HasExact: false });
    const none = intentionDecision({ intentions: [], by: 'source', target: 'web', defaultAllow: false, allowPermissions: false });
    expect(none).toEqual({ Allowed: false, DefaultAllow: false, HasPermissions: false, HasExact: false });
    const l7 = [entry('api', [{ Name: 'web', Type: 'consul', Permissions: [{ Action: 'allow', HTTP: { PathPrefix: '/' } }] }])];
    const d = intentionDecision({ intentions: matchDestination(l7, 'api'), by: 'source', target: 'web', defaultAllow: true, allowPermissions: false });
    expect(d).toMatchObject({ Allowed: false, HasPermissions: true, HasExact: true });
    expect(intentionDecision({ intentions: matchDestination(l7, 'api'), by: 'source', target: 'web', defaultAllow: false, allowPermissions: true }).Allowed).toBe(true);
  });

  it("authorize reasons are Consul's", () => {
    expect(authorizeDecision(matchDestination(entries, 'api'), 'web', true)).toEqual({
      Authorized: false,
      Reason: 'Matched L4 intention: default/web => default/api (Precedence: 9, Action: DENY)',
    });
    expect(authorizeDecision([], 'web', false)).toEqual({ Authorized: false, Reason: 'Default behavior configured by ACLs' });
    const l7 = matchDestination([entry('api', [{ Name: 'web', Type: 'consul', Permissions: [{ Action: 'allow', HTTP: { PathPrefix: '/' } }] }])], 'api');
    expect(authorizeDecision(l7, 'web', true)).toEqual({ Authorized: false, Reason: 'Matched L7 intention: default/web => default/api (Precedence: 9, Permissions: 1)' });
    // A client in another namespace is not covered by intentions of the default one, not even `*` (default/*).
    expect(authorizeDecision(matchDestination(entries, 'api'), 'web', true, 'other').Reason).toBe('Default behavior configured by ACLs');
  });
});

describe('the Intention JSON of a source', () => {
  it('has no ID and no times when not written by the legacy API (the docs sample of a read by name)', () => {
    const e = { ...entry('api', [src('web')]), Meta: { a: 'b' } };
    const ixn = toIntention(e, e.Sources[0]!);
    expect(ixn).toEqual({
      Description: '', SourceNS: 'default', SourceName: 'web', DestinationNS: 'default', DestinationName: 'api', SourceType: 'consul', Action: 'allow',
      Meta: { a: 'b' }, Precedence: 9, CreateIndex: 10, ModifyIndex: 10,
    });
  });

  it('carries the legacy ID, meta, times and a hash', () => {
    const t = '2026-01-02T03:04:05.000000006Z';
    const e = entry('api', [src('web', 'allow', { LegacyID: 'c2b1b0a8-0000-4000-8000-000000000001', LegacyMeta: { k: 'v' }, LegacyCreateTime: t, LegacyUpdateTime: t })]);
    const ixn = toIntention(e, e.Sources[0]!);
    expect(ixn).toMatchObject({ ID: 'c2b1b0a8-0000-4000-8000-000000000001', Meta: { k: 'v' }, CreatedAt: t, UpdatedAt: t });
    expect(Buffer.from(ixn.Hash!, 'base64')).toHaveLength(32);
    expect(intentionString(ixn)).toBe('default/web => default/api (ID: c2b1b0a8-0000-4000-8000-000000000001, Precedence: 9, Action: ALLOW)');
  });
});

describe('mutations of the destination entry', () => {
  const legacy = (Name: string, id: string): SourceIntention => src(Name, 'allow', { LegacyID: id, LegacyMeta: {}, LegacyCreateTime: 't1', LegacyUpdateTime: 't1' });

  it('legacy create appends; update keeps the create time; delete of the last source deletes the entry', () => {
    const c1 = legacyCreate(undefined, 'api', legacy('web', 'id1'));
    expect(c1).toMatchObject({ op: 'upsert', entry: { Name: 'api', Sources: [{ Name: 'web' }] } });
    const e1 = { ...(c1 as { entry: ServiceIntentionsEntry }).entry, CreateIndex: 5, ModifyIndex: 5 };
    const c2 = legacyCreate(e1, 'api', legacy('db', 'id2'));
    const e2 = (c2 as { entry: ServiceIntentionsEntry }).entry;
    expect(e2.Sources.map((s) => s.Name)).toEqual(['web', 'db']);
    const found = findLegacy([e2], 'id2')!;
    expect(found.index).toBe(1);
    const u = legacyUpdate(found.entry, found.index, { ...legacy('db', 'id2'), Action: 'deny', LegacyCreateTime: 't2', LegacyUpdateTime: 't2' });
    expect((u as { entry: ServiceIntentionsEntry }).entry.Sources[1]).toMatchObject({ Action: 'deny', LegacyCreateTime: 't1', LegacyUpdateTime: 't2' });
    expect(legacyDelete(e1, 0)).toEqual({ op: 'delete', name: 'api' });
  });

  it('upsert by name replaces the same source; delete by name is idempotent', () => {
    const e = entry('api', [src('web'), src('db')]);
    const u = upsertByName(e, 'api', src('web', 'deny'));
    expect((u as { entry: ServiceIntentionsEntry }).entry.Sources.map((s) => `${s.Name}:${s.Action}`)).toEqual(['web:deny', 'db:allow']);
    expect(deleteByName(e, 'nope')).toEqual({ op: 'none' });
    expect(deleteByName(undefined, 'web')).toEqual({ op: 'none' });
    expect(deleteByName(entry('api', [src('web')]), 'web')).toEqual({ op: 'delete', name: 'api' });
  });

  it('refuses legacy edits of an entry written as a config entry', () => {
    expect(legacyApplyError(entry('api', [src('web')]))).toBe(
      'cannot use legacy intention API to edit intentions with a destination of "default/api" after editing them via a service-intentions config entry',
    );
    expect(legacyApplyError(entry('api', [legacy('web', 'x')]))).toBeUndefined();
    expect(legacyEntryError({ ...entry('api', [legacy('web', 'x')]), Meta: { a: 'b' } })).toBe('Meta must be omitted for legacy intention writes');
  });

  it("validates a legacy intention with go-multierror's text", () => {
    const base = { SourceName: 'web', DestinationName: 'api', SourceType: 'consul', Action: 'allow', Description: '', Meta: {} };
    expect(validateLegacyIntention(base)).toBeUndefined();
    expect(validateLegacyIntention({ ...base, SourceName: 'w*', Action: 'maybe' })).toBe(
      "2 errors occurred:\n\t* SourceName: wildcard character '*' cannot be used with partial values\n\t* Action must be set to 'allow' or 'deny'\n\n",
    );
  });
});

describe('SPIFFE IDs', () => {
  it('parses a service ID', () => {
    expect(parseCertUri('spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web')).toEqual({
      kind: 'service', host: '11111111-2222-3333-4444-555555555555.consul', namespace: 'default', datacenter: 'dc1', service: 'web',
    });
    expect(parseCertUri('spiffe://td.consul/ap/p1/ns/n/dc/dc1/svc/a%20b')).toMatchObject({ partition: 'p1', service: 'a b' });
  });

  it('tells other kinds and refuses what is no SPIFFE ID', () => {
    expect(parseCertUri('spiffe://td.consul/agent/client/dc/dc1/id/n1').kind).toBe('agent');
    expect(parseCertUri('spiffe://td.consul').kind).toBe('signing');
    expect(() => parseCertUri('https://td.consul/ns/default/dc/dc1/svc/web')).toThrow(CertUriError);
    expect(() => parseCertUri('spiffe://td.consul/svc/web')).toThrow('SPIFFE ID is not in the expected format');
    expect(() => parseCertUri('not a uri')).toThrow(CertUriError);
  });
});

describe('intention ACL rules (acl/policy_authorizer.go)', () => {
  const authz = (rules: string, fallback: 'allow' | 'deny' = 'deny'): Authorizer => new Authorizer(parseRules(rules), fallback);

  it('come with service rules: read for a read or write policy, else what `intentions` says', () => {
    const a = authz('service "web" { policy = "write" }\nservice "db" { policy = "read" intentions = "write" }\nservice "x" { policy = "deny" }');
    expect([a.intentionAllowed('web', 'read'), a.intentionAllowed('web', 'write')]).toEqual([true, false]);
    expect(a.intentionAllowed('db', 'write')).toBe(true);
    expect(a.intentionAllowed('x', 'read')).toBe(false);
    expect(a.intentionAllowed('other', 'read')).toBe(false);
    expect(authz('', 'allow').intentionAllowed('other', 'write')).toBe(true);
  });

  it('the wildcard destination: read if any rule grants it, write unless a rule denies it', () => {
    expect(authz('service "web" { policy = "read" }').intentionAllowed('*', 'read')).toBe(true);
    expect(authz('service "web" { policy = "read" }').intentionAllowed('*', 'write')).toBe(false); // no rule decides: default deny
    expect(authz('service_prefix "" { policy = "write" intentions = "write" }').intentionAllowed('*', 'write')).toBe(true);
    expect(authz('service_prefix "" { policy = "write" intentions = "write" }\nservice "db" { policy = "deny" }').intentionAllowed('*', 'write')).toBe(false);
    // A read rule is a denial of write: with it, write on every destination is not granted.
    expect(authz('service "web" { policy = "read" }', 'allow').intentionAllowed('*', 'write')).toBe(false);
    expect(authz('key "k" { policy = "read" }', 'allow').intentionAllowed('*', 'write')).toBe(true);
    expect(authz('service_prefix "" { policy = "deny" }', 'allow').intentionAllowed('*', 'read')).toBe(false);
  });
});
