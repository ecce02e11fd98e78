import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Authorizer } from './authorizer.js';
import { AclRulesError } from './errors.js';
import { GLOBAL_MANAGEMENT_RULES, nodeIdentityRules, serviceIdentityRules } from './identities.js';
import { emptyRules, mergeRules, parseRules } from './rules.js';

const HCL = `
# KV for the web team
key_prefix "" { policy = "read" }
key_prefix "web/" {
  policy = "write"   // the team's own keys
}
key_prefix "web/secret/" { policy = "deny" }
key "web/secret/public" { policy = "read" }
key_prefix "logs/" { policy = "list" }
/* services */
service_prefix "" { policy = "read" }
service "web" { policy = "write" intentions = "read" }
node_prefix "" { policy = "read" }
session_prefix "" { policy = "write" }
event_prefix "deploy-" { policy = "write" }
agent_prefix "" { policy = "read" }
query_prefix "" { policy = "read" }
operator = "read"
keyring = "deny"
`;

describe('parseRules', () => {
  it('reads HCL and the same rules in JSON alike', () => {
    const json = JSON.stringify({
      key_prefix: { '': { policy: 'read' }, 'web/': { policy: 'write' }, 'web/secret/': { policy: 'deny' }, 'logs/': { policy: 'list' } },
      key: { 'web/secret/public': { policy: 'read' } },
      service_prefix: { '': { policy: 'read' } },
      service: { web: { policy: 'write', intentions: 'read' } },
      node_prefix: { '': { policy: 'read' } },
      session_prefix: { '': { policy: 'write' } },
      event_prefix: { 'deploy-': { policy: 'write' } },
      agent_prefix: { '': { policy: 'read' } },
      query_prefix: { '': { policy: 'read' } },
      operator: 'read',
      keyring: 'deny',
    });
    expect(parseRules(json)).toEqual(parseRules(HCL));
    const r = parseRules(HCL);
    expect(r.segments.key.prefix.get('web/')).toBe('write');
    expect(r.segments.key.exact.get('web/secret/public')).toBe('read');
    expect(r.single).toEqual({ operator: 'read', keyring: 'deny' });
  });

  it('accepts bare labels, `=` objects, escapes and an empty document', () => {
    expect(parseRules('key foo { policy = read }').segments.key.exact.get('foo')).toBe('read');
    expect(parseRules('key = { "a\\"b" = { policy = "write" } }').segments.key.exact.get('a"b')).toBe('write');
    expect(parseRules('')).toEqual(emptyRules());
    expect(parseRules('  # nothing\n')).toEqual(emptyRules());
  });

  it('merges repeated rules for one name: deny over write over list over read', () => {
    const r = parseRules('key "a" { policy = "read" }\nkey "a" { policy = "write" }\nkey "b" { policy = "deny" }\nkey "b" { policy = "write" }');
    expect(r.segments.key.exact.get('a')).toBe('write');
    expect(r.segments.key.exact.get('b')).toBe('deny');
    const merged = mergeRules(parseRules('operator = "read"\nkey "x" { policy = "list" }'), parseRules('operator = "write"\nkey "x" { policy = "read" }'));
    expect(merged.single.operator).toBe('write');
    expect(merged.segments.key.exact.get('x')).toBe('list');
  });

  it.each([
    ['key "a" { policy = "admin" }', 'Invalid key policy: "admin"'],
    ['service "a" { policy = "list" }', 'Invalid service policy: "list"'],
    ['operator = "list"', 'Invalid operator policy: "list"'],
    ['service "a" { policy = "read" intentions = "all" }', 'Invalid service intentions policy: "all"'],
    ['key "a" { }', 'Invalid key policy: ""'],
    ['key "a" { policy = "read" colour = "red" }', 'unknown field "colour"'],
    ['database "a" { policy = "read" }', 'unknown resource "database"'],
    ['key "a" { policy = "read"', 'expected }'],
    ['key "a', 'unterminated string'],
    ['/* open', 'unterminated comment'],
    ['key "a" { policy = "read" } }', 'unexpected }'],
    ['operator "read"', 'expected {'],
    ['key = "read"', 'Invalid key rule'],
    ['{"key": ', 'Failed to parse ACL rules'],
    ['{"operator": 5}', 'Invalid operator policy: "5"'],
    ['key "a" { policy = @ }', 'unexpected "@"'],
  ])('refuses %j', (text, message) => {
    expect(() => parseRules(text)).toThrow(AclRulesError);
    expect(() => parseRules(text)).toThrow(message);
  });

  it('refuses very deep nesting and oversized documents', () => {
    expect(() => parseRules('a = '.repeat(50) + '"x"')).toThrow(AclRulesError);
    expect(() => parseRules('{"a":'.repeat(50) + '1' + '}'.repeat(50))).toThrow(AclRulesError);
    expect(() => parseRules('#'.repeat(300 * 1024))).toThrow('ACL rules larger than');
  });

  it('never throws anything but AclRulesError on arbitrary input', () => {
    const pieces = fc.constantFrom('key', 'key_prefix', 'service', 'operator', '"a"', '"', '{', '}', '=', 'policy', '"read"', '"write"', '[', ']', '#', '/*', '*/', '\n', ' ', ':', ',', '\\');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 40 }).map((p) => p.join(' '))), (text) => {
        try {
          parseRules(text);
        } catch (err) {
          if (!(err instanceof AclRulesError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Authorizer', () => {
  const a = new Authorizer(parseRules(HCL), 'deny');

  it('lets the longest prefix win and an exact rule beat every prefix', () => {
    expect(a.allowed('key', 'other', 'read')).toBe(true);
    expect(a.allowed('key', 'other', 'write')).toBe(false);
    expect(a.allowed('key', 'web/app', 'write')).toBe(true);
    expect(a.allowed('key', 'web/secret/pw', 'read')).toBe(false);
    expect(a.allowed('key', 'web/secret/public', 'read')).toBe(true);
    expect(a.allowed('key', 'web/secret/public', 'write')).toBe(false);
    // An exact rule governs its name only.
    expect(a.allowed('key', 'web/secret/publicity', 'read')).toBe(false);
  });

  it('grants list with list and write, read with all three', () => {
    expect(a.allowed('key', 'logs/x', 'list')).toBe(true);
    expect(a.allowed('key', 'logs/x', 'read')).toBe(true);
    expect(a.allowed('key', 'logs/x', 'write')).toBe(false);
    expect(a.allowed('key', 'other', 'list')).toBe(false);
    expect(a.allowed('key', 'web/x', 'list')).toBe(true);
  });

  it('falls back to the default policy where no rule applies', () => {
    expect(a.allowed('event', 'deploy-web', 'write')).toBe(true);
    expect(a.allowed('event', 'other', 'read')).toBe(false);
    expect(new Authorizer(parseRules(HCL), 'allow').allowed('event', 'other', 'write')).toBe(true);
    expect(a.allowedSingle('operator', 'read')).toBe(true);
    expect(a.allowedSingle('operator', 'write')).toBe(false);
    expect(a.allowedSingle('keyring', 'read')).toBe(false);
    expect(a.allowedSingle('mesh', 'read')).toBe(false);
  });

  it('reaches acl only with a rule or as management, even under default allow', () => {
    const allowAll = new Authorizer(emptyRules(), 'allow');
    expect(allowAll.allowed('node', 'n', 'write')).toBe(true);
    expect(allowAll.allowedSingle('acl', 'read')).toBe(false);
    expect(new Authorizer(parseRules('acl = "read"'), 'deny').allowedSingle('acl', 'read')).toBe(true);
    expect(Authorizer.manageAll().allowedSingle('acl', 'write')).toBe(true);
  });

  it('allows a recursive write only when nothing under the prefix grants less', () => {
    expect(a.keyWritePrefix('web/app/')).toBe(true);
    expect(a.keyWritePrefix('web/')).toBe(false); // web/secret/ is denied
    expect(a.keyWritePrefix('')).toBe(false);
    expect(new Authorizer(parseRules('key_prefix "a/" { policy = "write" }'), 'deny').keyWritePrefix('b/')).toBe(false);
    expect(new Authorizer(parseRules('key_prefix "a/" { policy = "write" }'), 'allow').keyWritePrefix('b/')).toBe(true);
  });

  it('compiles the built-in management rules and the identities', () => {
    const m = new Authorizer(parseRules(GLOBAL_MANAGEMENT_RULES), 'deny');
    for (const r of ['key', 'service', 'node', 'session', 'event', 'agent', 'query'] as const) expect(m.allowed(r, 'anything', 'write')).toBe(true);
    expect(m.allowedSingle('acl', 'write')).toBe(true);
    const svc = new Authorizer(serviceIdentityRules({ ServiceName: 'web' }), 'deny');
    expect(svc.allowed('service', 'web', 'write')).toBe(true);
    expect(svc.allowed('service', 'web-sidecar-proxy', 'write')).toBe(true);
    expect(svc.allowed('service', 'db', 'write')).toBe(false);
    expect(svc.allowed('service', 'db', 'read')).toBe(true);
    expect(svc.allowed('node', 'n1', 'read')).toBe(true);
    expect(svc.allowed('key', 'k', 'read')).toBe(false);
    const node = new Authorizer(nodeIdentityRules({ NodeName: 'n1', Datacenter: 'dc1' }), 'deny');
    expect(node.allowed('node', 'n1', 'write')).toBe(true);
    expect(node.allowed('node', 'n2', 'read')).toBe(false);
    expect(node.allowed('service', 'db', 'read')).toBe(true);
  });
});
