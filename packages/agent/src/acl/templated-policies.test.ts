import type { AclPolicyRecord, AclRoleRecord, AclTemplatedPolicy } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import { nodeIdentityRules, serviceIdentityRules } from './identities.js';
import { compileAuthorizer } from './resolver.js';
import { parseRules } from './rules.js';
import { dedupeTemplatedPolicies, renderRules, syntheticPolicy, TEMPLATED_POLICIES, validateVariables } from './templated-policies.js';

const base = (name: string) => TEMPLATED_POLICIES.get(name)!;
const tp = (TemplateName: string, Name?: string, Datacenters?: string[]): AclTemplatedPolicy => ({
  TemplateID: base(TemplateName).TemplateID,
  TemplateName,
  ...(Name !== undefined ? { TemplateVariables: { Name } } : {}),
  ...(Datacenters ? { Datacenters } : {}),
});

describe('templated policies (Consul 1.17 built-ins)', () => {
  it('has Consul 1.17.0\'s five templates, with their IDs, in name order', () => {
    expect([...TEMPLATED_POLICIES.keys()]).toEqual(['builtin/dns', 'builtin/node', 'builtin/nomad-server', 'builtin/service', 'builtin/workload-identity']);
    expect([...TEMPLATED_POLICIES.values()].map((b) => b.TemplateID.slice(-1))).toEqual(['5', '4', '6', '3', '7']);
    expect(base('builtin/dns').Schema).toBe('');
    expect(base('builtin/nomad-server').Schema).toBe('');
    expect(JSON.parse(base('builtin/service').Schema)).toEqual({ type: 'object', properties: { name: { type: 'string', $ref: '#/definitions/min-length-one' } }, required: ['name'], definitions: { 'min-length-one': { type: 'string', minLength: 1 } } });
  });

  it('renders the same rules Consul synthesizes for service and node identities', () => {
    expect(parseRules(renderRules(tp('builtin/service', 'api')))).toEqual(serviceIdentityRules({ ServiceName: 'api' }));
    expect(parseRules(renderRules(tp('builtin/node', 'n1')))).toEqual(nodeIdentityRules({ NodeName: 'n1', Datacenter: 'dc1' }));
    expect(renderRules(tp('builtin/dns'))).toBe('\nnode_prefix "" {\n\tpolicy = "read"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}\nquery_prefix "" {\n\tpolicy = "read"\n}');
    // Every template renders to rules the policy parser accepts.
    for (const name of TEMPLATED_POLICIES.keys()) expect(() => parseRules(renderRules(tp(name, 'x')))).not.toThrow();
  });

  it('escapes the name as Go\'s html/template does, so it cannot leave its quotes', () => {
    const rules = renderRules(tp('builtin/service', 'a" } acl = "write'));
    expect(rules).toContain('service "a&#34; } acl = &#34;write" {');
    expect(parseRules(rules).single.acl).toBeUndefined();
  });

  it('validates variables against the schema with gojsonschema\'s and go-multierror\'s texts', () => {
    expect(validateVariables(base('builtin/service'), { Name: 'api' })).toBeUndefined();
    expect(validateVariables(base('builtin/service'), undefined)).toBe('1 error occurred:\n\t* Invalid type. Expected: object, given: null\n\n');
    // An empty name is omitted when Go marshals the variables, so it is missing.
    expect(validateVariables(base('builtin/node'), { Name: '' })).toBe('1 error occurred:\n\t* name is required\n\n');
    expect(validateVariables(base('builtin/workload-identity'), { Name: '' })).toBe('1 error occurred:\n\t* name is required\n\n');
    // No schema: anything goes.
    expect(validateVariables(base('builtin/dns'), undefined)).toBeUndefined();
    expect(validateVariables(base('builtin/dns'), { Name: 'ignored' })).toBeUndefined();
  });

  it('synthesizes Consul\'s policy: the ID is the rules in hex then FNV-128a\'s offset basis', () => {
    const p = syntheticPolicy(tp('builtin/dns'));
    expect(p.ID.startsWith(Buffer.from('\nnode_prefix', 'utf8').toString('hex'))).toBe(true);
    expect(p.ID.endsWith('6c62272e07bb014262b821756295c58d')).toBe(true);
    expect(p).toMatchObject({ Name: `synthetic-policy-${p.ID}`, Description: 'synthetic policy generated from templated policy: builtin/dns', Datacenters: null });
    expect(syntheticPolicy(tp('builtin/service', 'web', ['dc2'])).Datacenters).toEqual(['dc2']);
  });

  it('deduplicates as Consul: once per template without variables, once per name otherwise, first wins', () => {
    const list = [tp('builtin/dns', undefined, ['dc1']), tp('builtin/service', 'a'), tp('builtin/dns'), tp('builtin/service', 'b'), tp('builtin/service', 'a', ['dc2'])];
    expect(dedupeTemplatedPolicies(list)).toEqual([list[0], list[1], list[3]]);
  });
});

describe('compileAuthorizer with templated policies', () => {
  const none = () => undefined;
  const token = (extra: Partial<Parameters<typeof compileAuthorizer>[0]> = {}) => ({ Policies: [], Roles: [], ServiceIdentities: [], NodeIdentities: [], ...extra });

  it('grants a token\'s and its roles\' templated policies', () => {
    const a = compileAuthorizer(token({ TemplatedPolicies: [tp('builtin/service', 'api')] }), none, none, 'deny', 'dc1');
    expect(a.allowed('service', 'api', 'write')).toBe(true);
    expect(a.allowed('service', 'web', 'write')).toBe(false);
    expect(a.allowed('service', 'web', 'read')).toBe(true);
    const role: AclRoleRecord = { ID: 'r1', Name: 'dns', Description: '', Policies: [], ServiceIdentities: [], NodeIdentities: [], TemplatedPolicies: [tp('builtin/dns')], Hash: '', CreateIndex: 1, ModifyIndex: 1 };
    const b = compileAuthorizer(token({ Roles: [{ ID: 'r1', Name: 'dns' }] }), none, (id) => (id === 'r1' ? role : undefined), 'deny', 'dc1');
    expect(b.allowed('query', 'q', 'read')).toBe(true);
    expect(b.allowed('node', 'n9', 'read')).toBe(true);
    expect(b.allowed('node', 'n9', 'write')).toBe(false);
  });

  it('limits each grant to its datacenters, as Consul scopes synthetic and stored policies', () => {
    const scoped = token({
      TemplatedPolicies: [tp('builtin/service', 'api', ['dc2'])],
      ServiceIdentities: [{ ServiceName: 'web', Datacenters: ['dc2'] }],
      NodeIdentities: [{ NodeName: 'n1', Datacenter: 'dc2' }],
      Policies: [{ ID: 'p1', Name: 'kv' }],
    });
    const policy: AclPolicyRecord = { ID: 'p1', Name: 'kv', Description: '', Rules: 'key_prefix "" { policy = "read" }', Datacenters: ['dc2'], Hash: '', CreateIndex: 1, ModifyIndex: 1 };
    const of = (id: string) => (id === 'p1' ? policy : undefined);
    const inDc1 = compileAuthorizer(scoped, of, none, 'deny', 'dc1');
    const inDc2 = compileAuthorizer(scoped, of, none, 'deny', 'dc2');
    for (const [resource, name] of [['service', 'api'], ['service', 'web'], ['node', 'n1']] as const) {
      expect(inDc1.allowed(resource, name, 'write')).toBe(false);
      expect(inDc2.allowed(resource, name, 'write')).toBe(true);
    }
    expect(inDc1.allowed('key', 'k', 'read')).toBe(false);
    expect(inDc2.allowed('key', 'k', 'read')).toBe(true);
  });

  it('grants nothing for a templated policy that no longer renders', () => {
    const a = compileAuthorizer(token({ TemplatedPolicies: [{ TemplateID: 'x', TemplateName: 'builtin/gone' }, tp('builtin/service')] }), none, none, 'deny', 'dc1');
    expect(a.allowed('service', 'anything', 'read')).toBe(false);
  });
});
