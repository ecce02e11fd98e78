// ACLs against a real agent: one table of route groups, each checked for the anonymous token
// under default deny (denied, or its list filtered), and for a token whose policy holds the
// row's rule (allowed). Plus bootstrap, token sources, bad policies, templated policies, and
// DNS with and without a default token.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.63.10';
const DNS_PORT = 8610;
const MGMT = '6c1a7a3e-0d3f-4d8e-9a8e-1f0c2b3d4e5f';
const ANON = '00000000-0000-0000-0000-000000000002';
const dir = tempDir('acl-');
let agent: AgentProcess;

const asMgmt = { 'X-Consul-Token': MGMT };
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(agent.base, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers);

async function tokenWith(rules: string): Promise<string> {
  const name = `p${Math.random().toString(36).slice(2, 10)}`;
  const p = await call('PUT', '/v1/acl/policy', { Name: name, Rules: rules }, asMgmt);
  expect(p.status, p.text).toBe(200);
  const t = await call('PUT', '/v1/acl/token', { Description: name, Policies: [{ Name: name }] }, asMgmt);
  expect(t.status, t.text).toBe(200);
  return t.json().SecretID as string;
}

beforeAll(async () => {
  const cfg = join(dir.path, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-node', 'n1', '-dns-port', String(DNS_PORT), '-config-file', cfg], `${IP}:8500`);
  for (const [name, port] of [['web', 80], ['db', 5432], ['gone', 1]] as const) {
    expect((await call('PUT', '/v1/agent/service/register', { Name: name, Port: port }, asMgmt)).status).toBe(200);
  }
  for (const k of ['web/a', 'db/a', 'tmp/x']) expect((await call('PUT', `/v1/kv/${k}`, 'v', asMgmt)).status).toBe(200);
  expect((await call('PUT', '/v1/session/create', { Name: 's' }, asMgmt)).status).toBe(200);
  const ext = { Node: 'ext2', Address: '10.0.0.2', Service: { ID: 'ext-svc', Service: 'ext-svc', Port: 1 } };
  expect((await call('PUT', '/v1/catalog/register', ext, asMgmt)).status).toBe(200);
  expect((await call('PUT', '/v1/event/fire/deploy', 'x', asMgmt)).status).toBe(200);
});
afterAll(async () => {
  await agent?.stop();
  dir.remove();
});

interface Row {
  group: string;
  method: string;
  path: string;
  body?: unknown;
  /** The rule that allows the request (or lets the expected item through a filter). */
  rules: string;
  /** For lists: what the anonymous token must not see and the rule's token must see. */
  filtered?: { item: (body: any) => boolean };
  /** Which permission a denial names. */
  denied?: string;
}

const hasName = (name: string) => (b: any) => JSON.stringify(b).includes(`"${name}"`);

const ROWS: Row[] = [
  { group: 'kv', method: 'GET', path: '/v1/kv/web/a', rules: 'key_prefix "web/" { policy = "read" }', denied: `'key:read' on "web/a"` },
  { group: 'kv', method: 'PUT', path: '/v1/kv/web/b', body: 'v', rules: 'key_prefix "web/" { policy = "write" }', denied: `'key:write' on "web/b"` },
  { group: 'kv', method: 'DELETE', path: '/v1/kv/tmp/?recurse', rules: 'key_prefix "tmp/" { policy = "write" }', denied: `'key:write' on "tmp/"` },
  { group: 'kv', method: 'GET', path: '/v1/kv/?recurse', rules: 'key_prefix "db/" { policy = "read" }', filtered: { item: hasName('db/a') } },
  { group: 'kv', method: 'GET', path: '/v1/kv/?keys', rules: 'key_prefix "db/" { policy = "list" }', filtered: { item: hasName('db/a') } },
  { group: 'catalog', method: 'GET', path: '/v1/catalog/services', rules: 'service "web" { policy = "read" }', filtered: { item: (b) => 'web' in b } },
  { group: 'catalog', method: 'GET', path: '/v1/catalog/nodes', rules: 'node_prefix "" { policy = "read" }', filtered: { item: hasName('n1') } },
  { group: 'catalog', method: 'GET', path: '/v1/catalog/service/web', rules: 'service "web" { policy = "read" }\nnode "n1" { policy = "read" }', filtered: { item: hasName('web') } },
  { group: 'catalog', method: 'PUT', path: '/v1/catalog/register', body: { Node: 'ext', Address: '10.0.0.1' }, rules: 'node "ext" { policy = "write" }', denied: `'node:write' on "ext"` },
  { group: 'catalog', method: 'PUT', path: '/v1/catalog/deregister', body: { Node: 'ext2', ServiceID: 'ext-svc' }, rules: 'service "ext-svc" { policy = "write" }', denied: `'service:write' on "ext-svc"` },
  { group: 'health', method: 'GET', path: '/v1/health/service/db', rules: 'service "db" { policy = "read" }\nnode_prefix "" { policy = "read" }', filtered: { item: hasName('db') } },
  { group: 'health', method: 'GET', path: '/v1/health/state/any', rules: 'node_prefix "" { policy = "read" }', filtered: { item: hasName('serfHealth') } },
  { group: 'agent', method: 'GET', path: '/v1/agent/self', rules: 'agent "n1" { policy = "read" }', denied: `'agent:read' on "n1"` },
  { group: 'agent', method: 'GET', path: '/v1/agent/services', rules: 'service "db" { policy = "read" }', filtered: { item: (b) => 'db' in b } },
  { group: 'agent', method: 'GET', path: '/v1/agent/members', rules: 'node_prefix "n" { policy = "read" }', filtered: { item: hasName('n1') } },
  { group: 'agent', method: 'PUT', path: '/v1/agent/service/register', body: { Name: 'api' }, rules: 'service "api" { policy = "write" }', denied: `'service:write' on "api"` },
  { group: 'agent', method: 'PUT', path: '/v1/agent/service/deregister/gone', rules: 'service "gone" { policy = "write" }', denied: `'service:write' on "gone"` },
  { group: 'session', method: 'GET', path: '/v1/session/list', rules: 'session_prefix "" { policy = "read" }', filtered: { item: hasName('n1') } },
  { group: 'session', method: 'PUT', path: '/v1/session/create', body: {}, rules: 'session "n1" { policy = "write" }', denied: `'session:write' on "n1"` },
  { group: 'event', method: 'PUT', path: '/v1/event/fire/deploy', body: 'x', rules: 'event "deploy" { policy = "write" }', denied: `'event:write' on "deploy"` },
  { group: 'event', method: 'GET', path: '/v1/event/list', rules: 'event_prefix "dep" { policy = "read" }', filtered: { item: hasName('deploy') } },
  { group: 'operator', method: 'GET', path: '/v1/operator/raft/configuration', rules: 'operator = "read"', denied: `'operator:read'` },
  { group: 'operator', method: 'GET', path: '/v1/operator/autopilot/health', rules: 'operator = "read"', denied: `'operator:read'` },
  { group: 'operator', method: 'GET', path: '/v1/operator/autopilot/state', rules: 'operator = "read"', denied: `'operator:read'` },
  // GetResolvedExportedServices: MeshReadAllowed (mesh, else operator).
  { group: 'mesh', method: 'GET', path: '/v1/exported-services', rules: 'mesh = "read"', denied: `'mesh:read'` },
  { group: 'mesh', method: 'GET', path: '/v1/exported-services', rules: 'operator = "read"', denied: `'mesh:read'` },
  { group: 'coordinate', method: 'PUT', path: '/v1/coordinate/update', body: { Node: 'n1', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } }, rules: 'node "n1" { policy = "write" }', denied: `'node:write' on "n1"` },
  { group: 'snapshot', method: 'GET', path: '/v1/snapshot', rules: 'acl = "write"', denied: `'acl:write'` },
  { group: 'acl', method: 'GET', path: '/v1/acl/policies', rules: 'acl = "read"', denied: `'acl:read'` },
  { group: 'acl', method: 'PUT', path: '/v1/acl/policy', body: { Name: 'made-by-acl-writer', Rules: '' }, rules: 'acl = "write"', denied: `'acl:write'` },
];

describe('ACL matrix (default deny)', () => {
  it.each(ROWS.map((r) => [`${r.group}: ${r.method} ${r.path}`, r] as const))('%s', async (_name, row) => {
    const anon = await call(row.method, row.path, row.body);
    expect(anon.headers.get('x-consul-default-acl-policy')).toBe('deny');
    if (row.filtered) {
      expect(anon.status, anon.text).toBe(200);
      expect(row.filtered.item(anon.json())).toBe(false);
      expect(anon.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    } else {
      expect(anon.status).toBe(403);
      expect(anon.text).toBe(`Permission denied: token with AccessorID '${ANON}' lacks permission ${row.denied}`);
    }
    const token = await tokenWith(row.rules);
    const allowed = await call(row.method, row.path, row.body, { 'X-Consul-Token': token });
    expect(allowed.status, allowed.text).toBeLessThan(300);
    if (row.filtered) expect(row.filtered.item(allowed.json())).toBe(true);
    // Management sees everything, unfiltered.
    if (row.filtered) {
      const m = await call(row.method, row.path, row.body, asMgmt);
      expect(m.headers.get('x-consul-results-filtered-by-acls')).toBeNull();
      expect(row.filtered.item(m.json())).toBe(true);
    }
  });

  it('rolls a transaction back with 409 naming each denied op, and applies it with the rule', async () => {
    const ops = [{ KV: { Verb: 'check-index', Key: 'db/a', Index: 0 } }, { KV: { Verb: 'set', Key: 'web/t', Value: 'dg==' } }];
    const anon = await call('PUT', '/v1/txn', ops);
    expect(anon.status).toBe(409);
    expect(anon.json()).toEqual({
      Results: null,
      Errors: [
        { OpIndex: 0, What: `Permission denied: token with AccessorID '${ANON}' lacks permission 'key:read' on "db/a"` },
        { OpIndex: 1, What: `Permission denied: token with AccessorID '${ANON}' lacks permission 'key:write' on "web/t"` },
      ],
    });
    expect((await call('GET', '/v1/kv/web/t', undefined, asMgmt)).status).toBe(404);
    const t = await tokenWith('key_prefix "web/" { policy = "write" }\nkey "db/a" { policy = "read" }');
    const ok = await call('PUT', '/v1/txn', [{ KV: { Verb: 'set', Key: 'web/t', Value: 'dg==' } }], { 'X-Consul-Token': t });
    expect(ok.status, ok.text).toBe(200);
    expect((await call('GET', '/v1/kv/web/t?raw', undefined, asMgmt)).text).toBe('v');
  });

  it('keeps a policy or role linked twice (by name and by ID), and a service identity named twice, once, as Consul does', async () => {
    const policy = (await call('PUT', '/v1/acl/policy', { Name: 'twice', Rules: 'key "t" { policy = "read" }' }, asMgmt)).json();
    const role = (await call('PUT', '/v1/acl/role', { Name: 'twice-role', Policies: [{ ID: policy.ID }, { Name: 'twice' }] }, asMgmt)).json();
    expect(role.Policies).toEqual([{ ID: policy.ID, Name: 'twice' }]);
    const token = await call('PUT', '/v1/acl/token', { Policies: [{ Name: 'twice' }, { ID: policy.ID }], Roles: [{ ID: role.ID }, { Name: 'twice-role' }] }, asMgmt);
    expect(token.status, token.text).toBe(200);
    expect(token.json().Policies).toEqual([{ ID: policy.ID, Name: 'twice' }]);
    expect(token.json().Roles).toEqual([{ ID: role.ID, Name: 'twice-role' }]);
    // Service identities: sorted by name, one per name, datacenters merged; none named means all.
    const ids = await call('PUT', '/v1/acl/token', {
      ServiceIdentities: [
        { ServiceName: 'web', Datacenters: ['dc2'] },
        { ServiceName: 'api' },
        { ServiceName: 'web', Datacenters: ['dc1', 'dc2'] },
        { ServiceName: 'db', Datacenters: ['dc1'] },
        { ServiceName: 'db' },
      ],
    }, asMgmt);
    expect(ids.json().ServiceIdentities).toEqual([{ ServiceName: 'api' }, { ServiceName: 'db' }, { ServiceName: 'web', Datacenters: ['dc1', 'dc2'] }]);
  });

  it('checks Node, Service and Check ops of a transaction as Consul does, and filters what gets return', async () => {
    const register = [
      { Node: { Verb: 'set', Node: { Node: 'txn-n1', Address: '10.1.0.1' } } },
      { Service: { Verb: 'set', Node: 'txn-n1', Service: { ID: 'pay1', Service: 'pay', Port: 80 } } },
      { Check: { Verb: 'set', Check: { Node: 'txn-n1', CheckID: 'pay-alive', ServiceID: 'pay1', ServiceName: 'pay', Status: 'passing' } } },
      { Check: { Verb: 'set', Check: { Node: 'txn-n1', CheckID: 'disk', Status: 'passing' } } },
    ];
    const denied = await call('PUT', '/v1/txn', register);
    expect(denied.status).toBe(409);
    expect(denied.json().Errors).toEqual([
      { OpIndex: 0, What: `Permission denied: token with AccessorID '${ANON}' lacks permission 'node:write' on "txn-n1"` },
      { OpIndex: 1, What: `Permission denied: token with AccessorID '${ANON}' lacks permission 'service:write' on "pay"` },
      { OpIndex: 2, What: `Permission denied: token with AccessorID '${ANON}' lacks permission 'service:write' on "pay"` },
      { OpIndex: 3, What: `Permission denied: token with AccessorID '${ANON}' lacks permission 'node:write' on "txn-n1"` },
    ]);
    const writer = await tokenWith('node "txn-n1" { policy = "write" }\nservice "pay" { policy = "write" }');
    const applied = await call('PUT', '/v1/txn', register, { 'X-Consul-Token': writer });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json().Results).toHaveLength(4);

    // Reads are not refused: their results are dropped when the token may not read them.
    const reads = [
      { Node: { Verb: 'get', Node: { Node: 'txn-n1' } } },
      { Service: { Verb: 'get', Node: 'txn-n1', Service: { ID: 'pay1' } } },
      { Check: { Verb: 'get', Check: { Node: 'txn-n1', CheckID: 'pay-alive' } } },
      { Check: { Verb: 'get', Check: { Node: 'txn-n1', CheckID: 'disk' } } },
      { KV: { Verb: 'get', Key: 'web/t' } },
    ];
    const serviceReader = await tokenWith('service "pay" { policy = "read" }');
    const some = await call('PUT', '/v1/txn', reads, { 'X-Consul-Token': serviceReader });
    expect(some.status, some.text).toBe(200);
    expect(some.json().Results.map((r: Record<string, unknown>) => Object.keys(r)[0])).toEqual(['Service', 'Check']);
    expect(some.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    const all = await call('PUT', '/v1/txn', reads, asMgmt);
    expect(all.json().Results).toHaveLength(5);
  });

  it('answers status without a token, and unknown tokens with ACL not found', async () => {
    expect((await call('GET', '/v1/status/leader')).status).toBe(200);
    const r = await call('GET', '/v1/kv/web/a', undefined, { 'X-Consul-Token': 'made-up' });
    expect(r.status).toBe(403);
    expect(r.text).toBe('ACL not found');
  });

  it('says deny on the streamed /v1/agent/monitor too', async () => {
    const ac = new AbortController();
    const r = await fetch(`${agent.base}/v1/agent/monitor`, { headers: asMgmt, signal: ac.signal });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-consul-default-acl-policy')).toBe('deny');
    ac.abort();
  });

  it('takes the token from X-Consul-Token, Authorization: Bearer and ?token', async () => {
    const t = await tokenWith('key_prefix "web/" { policy = "read" }');
    expect((await call('GET', '/v1/kv/web/a', undefined, { 'X-Consul-Token': t })).status).toBe(200);
    expect((await call('GET', '/v1/kv/web/a', undefined, { Authorization: `Bearer ${t}` })).status).toBe(200);
    expect((await call('GET', `/v1/kv/web/a?token=${t}`)).status).toBe(200);
    expect((await call('GET', '/v1/kv/db/a', undefined, { Authorization: `Bearer ${t}` })).status).toBe(403);
  });
});

describe('ACL endpoints', () => {
  it('refuses bootstrap once the initial management token made it', async () => {
    const r = await call('PUT', '/v1/acl/bootstrap');
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/^Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)$/);
  });

  it('shows tokens, policies and roles in Consul\'s shapes', async () => {
    const self = await call('GET', '/v1/acl/token/self', undefined, asMgmt);
    expect(self.json()).toMatchObject({ SecretID: MGMT, Policies: [{ ID: '00000000-0000-0000-0000-000000000001', Name: 'global-management' }], Local: false });
    expect(Object.keys(self.json())).toEqual(['AccessorID', 'SecretID', 'Description', 'Policies', 'Local', 'CreateTime', 'Hash', 'CreateIndex', 'ModifyIndex']);
    const gm = await call('GET', '/v1/acl/policy/name/global-management', undefined, asMgmt);
    expect(gm.json()).toMatchObject({ ID: '00000000-0000-0000-0000-000000000001', Name: 'global-management' });
    expect((await call('DELETE', '/v1/acl/policy/00000000-0000-0000-0000-000000000001', undefined, asMgmt)).status).toBe(400);
    const role = await call('PUT', '/v1/acl/role', { Name: 'web-role', ServiceIdentities: [{ ServiceName: 'web' }] }, asMgmt);
    expect(role.status, role.text).toBe(200);
    const t = await call('PUT', '/v1/acl/token', { Roles: [{ Name: 'web-role' }] }, asMgmt);
    const secret = t.json().SecretID as string;
    expect(t.json().Roles).toEqual([{ ID: role.json().ID, Name: 'web-role' }]);
    // The service identity may register its service and read others, not write them.
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'web', Port: 81 }, { 'X-Consul-Token': secret })).status).toBe(200);
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'other' }, { 'X-Consul-Token': secret })).status).toBe(403);
    expect((await call('GET', '/v1/catalog/service/db', undefined, { 'X-Consul-Token': secret })).json()).toHaveLength(1);
    // Deleting the token revokes it at once.
    const accessor = t.json().AccessorID as string;
    expect((await call('DELETE', `/v1/acl/token/${accessor}`, undefined, asMgmt)).text).toBe('true');
    expect((await call('GET', '/v1/catalog/services', undefined, { 'X-Consul-Token': secret })).text).toBe('ACL not found');
  });

  it('clones a token: new accessor and secret, same links, description replaced when given', async () => {
    const p = await call('PUT', '/v1/acl/policy', { Name: 'clone-src', Rules: 'key_prefix "web/" { policy = "read" }' }, asMgmt);
    expect(p.status, p.text).toBe(200);
    const src = (await call('PUT', '/v1/acl/token', { Description: 'original', Policies: [{ Name: 'clone-src' }] }, asMgmt)).json();
    const c = await call('PUT', `/v1/acl/token/${src.AccessorID}/clone`, { Description: 'copy' }, asMgmt);
    expect(c.status, c.text).toBe(200);
    const clone = c.json();
    expect(clone.AccessorID).not.toBe(src.AccessorID);
    expect(clone.SecretID).not.toBe(src.SecretID);
    expect(clone.Description).toBe('copy');
    expect(clone.Policies).toEqual(src.Policies);
    expect((await call('GET', '/v1/kv/web/a', undefined, { 'X-Consul-Token': clone.SecretID })).status).toBe(200);
    expect((await call('PUT', `/v1/acl/token/${src.AccessorID}/clone`, undefined, asMgmt)).json().Description).toBe('original');
    const missing = await call('PUT', '/v1/acl/token/00000000-0000-0000-0000-00000000dead/clone', undefined, asMgmt);
    expect(missing.status).toBe(403);
    expect(missing.text).toBe('ACL not found');
    const reader = await tokenWith('acl = "read"');
    const denied = await call('PUT', `/v1/acl/token/${src.AccessorID}/clone`, undefined, { 'X-Consul-Token': reader });
    expect(denied.status).toBe(403);
    expect(denied.text).toMatch(/lacks permission 'acl:write'$/);
  });

  it.each([
    [{ Name: 'bad', Rules: 'key "a" { policy = "admin" }' }, 'Invalid Policy: Invalid key policy: "admin"'],
    [{ Name: 'bad', Rules: 'nonsense {' }, /^Invalid Policy: Failed to parse ACL rules/],
    [{ Name: 'has space', Rules: '' }, 'Invalid Policy: invalid Name "has space"'],
    [{ Name: 7 }, /^Policy decoding failed/],
    ['{', /^Request decode failed/],
  ])('refuses the policy %j with 400', async (body, message) => {
    const r = await call('PUT', '/v1/acl/policy', body, asMgmt);
    expect(r.status).toBe(400);
    if (typeof message === 'string') expect(r.text).toBe(message);
    else expect(r.text).toMatch(message);
  });
});

describe('ACL templated policies', () => {
  const asToken = (secret: string) => ({ 'X-Consul-Token': secret });
  async function tokenFor(body: Record<string, unknown>): Promise<{ secret: string; json: any }> {
    const t = await call('PUT', '/v1/acl/token', body, asMgmt);
    expect(t.status, t.text).toBe(200);
    return { secret: t.json().SecretID as string, json: t.json() };
  }
  const denial = (resource: string, name: string, accessor: string) => `Permission denied: token with AccessorID '${accessor}' lacks permission '${resource}:write' on "${name}"`;

  it('lists, reads and previews the built-in templates with acl:read', async () => {
    const anon = await call('GET', '/v1/acl/templated-policies');
    expect(anon.status).toBe(403);
    expect(anon.text).toBe(`Permission denied: token with AccessorID '${ANON}' lacks permission 'acl:read'`);
    const reader = await tokenWith('acl = "read"');
    const list = await call('GET', '/v1/acl/templated-policies', undefined, asToken(reader));
    expect(list.status, list.text).toBe(200);
    expect(Object.keys(list.json())).toEqual(['builtin/dns', 'builtin/node', 'builtin/nomad-server', 'builtin/service', 'builtin/workload-identity']);
    expect(list.json()['builtin/dns']).toEqual({
      TemplateName: 'builtin/dns',
      Schema: '',
      Template: '\nnode_prefix "" {\n\tpolicy = "read"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}\nquery_prefix "" {\n\tpolicy = "read"\n}',
    });
    // The name holds a slash: it is the rest of the path.
    const read = await call('GET', '/v1/acl/templated-policy/name/builtin/service', undefined, asToken(reader));
    expect(read.status, read.text).toBe(200);
    expect(Object.keys(read.json())).toEqual(['TemplateName', 'Schema', 'Template']);
    expect(read.json()).toEqual(list.json()['builtin/service']);
    expect(JSON.parse(read.json().Schema).required).toEqual(['name']);
    expect(read.json().Template).toContain('service "{{.Name}}-sidecar-proxy" {');
    const unknown = await call('GET', '/v1/acl/templated-policy/name/builtin/nope', undefined, asToken(reader));
    expect([unknown.status, unknown.text]).toEqual([400, 'Invalid templated policy Name: builtin/nope']);
    expect((await call('GET', '/v1/acl/templated-policy/name/', undefined, asToken(reader))).text).toBe('Missing templated policy Name');

    const preview = await call('POST', '/v1/acl/templated-policy/preview/builtin/service', { Name: 'api' }, asToken(reader));
    expect(preview.status, preview.text).toBe(200);
    const p = preview.json();
    expect(Object.keys(p)).toEqual(['ID', 'Name', 'Description', 'Rules', 'Datacenters', 'Hash', 'CreateIndex', 'ModifyIndex']);
    expect(p.Rules).toBe('\nservice "api" {\n\tpolicy = "write"\n}\nservice "api-sidecar-proxy" {\n\tpolicy = "write"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}\nnode_prefix "" {\n\tpolicy = "read"\n}');
    expect(p.ID).toBe(`${Buffer.from(p.Rules).toString('hex')}6c62272e07bb014262b821756295c58d`);
    expect(p).toMatchObject({ Name: `synthetic-policy-${p.ID}`, Description: 'synthetic policy generated from templated policy: builtin/service', Datacenters: null, CreateIndex: 0, ModifyIndex: 0 });
    // Go decodes the variable's key in any case.
    expect((await call('POST', '/v1/acl/templated-policy/preview/builtin/node', { name: 'n1' }, asToken(reader))).json().Rules).toContain('node "n1" {');
    expect((await call('POST', '/v1/acl/templated-policy/preview/builtin/dns', undefined, asToken(reader))).status).toBe(200);
    const missing = await call('POST', '/v1/acl/templated-policy/preview/builtin/node', {}, asToken(reader));
    expect([missing.status, missing.text]).toEqual([400, 'validation error for templated policy: "builtin/node": 1 error occurred:\n\t* name is required\n\n']);
    const bogus = await call('POST', '/v1/acl/templated-policy/preview/builtin/bogus', {}, asToken(reader));
    expect([bogus.status, bogus.text]).toEqual([400, 'templated policy "builtin/bogus" does not exist']);
    expect((await call('POST', '/v1/acl/templated-policy/preview/builtin/service', { Name: 'api' })).status).toBe(403);
  });

  it('builtin/service for api: registers and reads api, may not write web', async () => {
    const { secret, json } = await tokenFor({ Description: 'api', TemplatedPolicies: [{ TemplateName: 'builtin/service', TemplateVariables: { Name: 'api' } }] });
    // Consul's server shape: the template's ID filled in, the variable under its JSON name.
    expect(json.TemplatedPolicies).toEqual([{ TemplateID: '00000000-0000-0000-0000-000000000003', TemplateName: 'builtin/service', TemplateVariables: { name: 'api' } }]);
    expect(Object.keys(json)).toEqual(['AccessorID', 'SecretID', 'Description', 'TemplatedPolicies', 'Local', 'CreateTime', 'Hash', 'CreateIndex', 'ModifyIndex']);
    expect((await call('GET', `/v1/acl/token/${json.AccessorID}`, undefined, asMgmt)).json().TemplatedPolicies).toEqual(json.TemplatedPolicies);
    const reg = await call('PUT', '/v1/agent/service/register', { Name: 'api', ID: 'api-tp', Port: 8080 }, asToken(secret));
    expect(reg.status, reg.text).toBe(200);
    const read = await call('GET', '/v1/catalog/service/api', undefined, asToken(secret));
    expect(read.status).toBe(200);
    expect(read.json().map((s: any) => s.ServiceID)).toContain('api-tp');
    const web = await call('PUT', '/v1/agent/service/register', { Name: 'web', Port: 82 }, asToken(secret));
    expect([web.status, web.text]).toEqual([403, denial('service', 'web', json.AccessorID)]);
    expect((await call('PUT', '/v1/kv/web/x', 'v', asToken(secret))).status).toBe(403);
    expect((await call('PUT', '/v1/agent/service/deregister/api-tp', undefined, asToken(secret))).status).toBe(200);
  });

  it('builtin/node for the agent\'s node name: writes that node only', async () => {
    const { secret, json } = await tokenFor({ TemplatedPolicies: [{ TemplateName: 'builtin/node', TemplateVariables: { Name: 'n1' } }] });
    const n1 = await call('PUT', '/v1/catalog/register', { Node: 'n1', Address: IP }, asToken(secret));
    expect(n1.status, n1.text).toBe(200);
    const ext = await call('PUT', '/v1/catalog/register', { Node: 'ext9', Address: '10.0.0.9' }, asToken(secret));
    expect([ext.status, ext.text]).toEqual([403, denial('node', 'ext9', json.AccessorID)]);
    // It reads services, not other nodes.
    expect(Object.keys((await call('GET', '/v1/catalog/services', undefined, asToken(secret))).json())).toContain('db');
    const nodes = await call('GET', '/v1/catalog/nodes', undefined, asToken(secret));
    expect(nodes.json().map((n: any) => n.Node)).toEqual(['n1']);
  });

  it('builtin/dns: reads services and nodes as DNS does, writes nothing', async () => {
    const { secret } = await tokenFor({ TemplatedPolicies: [{ TemplateName: 'builtin/dns' }] });
    const services = await call('GET', '/v1/catalog/services', undefined, asToken(secret));
    expect(Object.keys(services.json())).toEqual(expect.arrayContaining(['db', 'web']));
    expect(services.headers.get('x-consul-results-filtered-by-acls')).toBeNull();
    expect((await call('GET', '/v1/catalog/nodes', undefined, asToken(secret))).json().map((n: any) => n.Node)).toContain('n1');
    const health = await call('GET', '/v1/health/service/web', undefined, asToken(secret));
    expect(health.status).toBe(200);
    expect(health.json()[0].Service.Service).toBe('web');
    expect((await call('GET', '/v1/kv/web/a', undefined, asToken(secret))).status).toBe(403);
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'web' }, asToken(secret))).status).toBe(403);
  });

  it('limits a templated policy to its Datacenters', async () => {
    const elsewhere = await tokenFor({ TemplatedPolicies: [{ TemplateName: 'builtin/service', TemplateVariables: { Name: 'api' }, Datacenters: ['dc2'] }] });
    expect(elsewhere.json.TemplatedPolicies[0].Datacenters).toEqual(['dc2']);
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'api', ID: 'api-dc' }, asToken(elsewhere.secret))).status).toBe(403);
    const here = await tokenFor({ TemplatedPolicies: [{ TemplateName: 'builtin/service', TemplateVariables: { Name: 'api' }, Datacenters: ['dc2', 'dc1'] }] });
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'api', ID: 'api-dc' }, asToken(here.secret))).status).toBe(200);
    expect((await call('PUT', '/v1/agent/service/deregister/api-dc', undefined, asToken(here.secret))).status).toBe(200);
  });

  it('a role with a templated policy, linked to a token, grants it; clone and dedupe keep Consul\'s rules', async () => {
    const role = await call('PUT', '/v1/acl/role', { Name: 'billing-role', TemplatedPolicies: [{ TemplateName: 'builtin/service', TemplateVariables: { Name: 'billing' } }, { TemplateName: 'builtin/dns' }, { TemplateName: 'builtin/dns' }] }, asMgmt);
    expect(role.status, role.text).toBe(200);
    expect(role.json().TemplatedPolicies).toEqual([
      { TemplateID: '00000000-0000-0000-0000-000000000003', TemplateName: 'builtin/service', TemplateVariables: { name: 'billing' } },
      { TemplateID: '00000000-0000-0000-0000-000000000005', TemplateName: 'builtin/dns' },
    ]);
    expect(Object.keys(role.json())).toEqual(['ID', 'Name', 'Description', 'TemplatedPolicies', 'Hash', 'CreateIndex', 'ModifyIndex']);
    const { secret, json } = await tokenFor({ Roles: [{ Name: 'billing-role' }] });
    expect(json.TemplatedPolicies).toBeUndefined();
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'billing', ID: 'billing-1' }, asToken(secret))).status).toBe(200);
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'payments' }, asToken(secret))).status).toBe(403);
    expect((await call('PUT', '/v1/agent/service/deregister/billing-1', undefined, asToken(secret))).status).toBe(200);
    // A role updated without them loses them, and the token with it.
    const update = await call('PUT', `/v1/acl/role/${role.json().ID}`, { Name: 'billing-role' }, asMgmt);
    expect(update.json().TemplatedPolicies).toBeUndefined();
    expect((await call('PUT', '/v1/agent/service/register', { Name: 'billing', ID: 'billing-2' }, asToken(secret))).status).toBe(403);

    const src = await tokenFor({ TemplatedPolicies: [{ TemplateName: 'builtin/node', TemplateVariables: { Name: 'n1' } }, { TemplateName: 'builtin/node', TemplateVariables: { name: 'n1' }, Datacenters: ['dc9'] }] });
    expect(src.json.TemplatedPolicies).toEqual([{ TemplateID: '00000000-0000-0000-0000-000000000004', TemplateName: 'builtin/node', TemplateVariables: { name: 'n1' } }]);
    const clone = await call('PUT', `/v1/acl/token/${src.json.AccessorID}/clone`, undefined, asMgmt);
    expect(clone.json().TemplatedPolicies).toEqual(src.json.TemplatedPolicies);
    expect((await call('PUT', '/v1/catalog/register', { Node: 'n1', Address: IP }, asToken(clone.json().SecretID))).status).toBe(200);
  });

  it.each([
    ['token', { TemplatedPolicies: [{ TemplateName: 'builtin/bogus' }] }, 'no such ACL templated policy with Name "builtin/bogus"'],
    ['token', { TemplatedPolicies: [{ TemplateName: '' }] }, 'templated policy is missing the template name field on this token'],
    ['token', { TemplatedPolicies: [{ TemplateName: 'builtin/service' }] }, 'validation error for templated policy "builtin/service": 1 error occurred:\n\t* Invalid type. Expected: object, given: null\n\n'],
    ['token', { TemplatedPolicies: [{ TemplateName: 'builtin/node', TemplateVariables: { Name: '' } }] }, 'validation error for templated policy "builtin/node": 1 error occurred:\n\t* name is required\n\n'],
    ['token', { TemplatedPolicies: [{ TemplateName: 'builtin/node', TemplateVariables: { Name: 7 } }] }, 'Token decoding failed: json: cannot unmarshal number into Go struct field .Name of type string'],
    ['role', { Name: 'tp-bad', TemplatedPolicies: [{ TemplateName: 'builtin/bogus' }] }, 'templated policy with an invalid templated name: builtin/bogus for this role'],
    ['role', { Name: 'tp-bad', TemplatedPolicies: [{}] }, 'templated policy is missing the template name field on this role'],
    ['role', { Name: 'tp-bad', TemplatedPolicies: [{ TemplateName: 'builtin/service', TemplateVariables: {} }] }, 'encountered role with invalid templated policy: 1 error occurred:\n\t* name is required\n\n'],
  ] as const)('refuses a %s with %j: 400 with Consul\'s text', async (kind, body, text) => {
    const r = await call('PUT', `/v1/acl/${kind}`, body, asMgmt);
    expect([r.status, r.text]).toEqual([400, text]);
  });
});

describe('fuzzed ACL input', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const rules = fc.oneof(fc.string(), fc.array(fc.constantFrom('key', 'key_prefix', 'service', '"a"', '{', '}', 'policy', '=', '"read"', '"list"', 'operator', '#', '\n'), { maxLength: 20 }).map((p) => p.join(' ')));
  const policyBody = fc.oneof(json, fc.record({ Name: fc.oneof(fc.string(), fc.constant('fz')), Rules: rules, Datacenters: fc.oneof(json, fc.array(fc.string())) }, { requiredKeys: [] }));
  const templated = fc.oneof(
    json,
    fc.array(fc.record({ TemplateName: fc.oneof(fc.string(), fc.constantFrom('builtin/service', 'builtin/node', 'builtin/dns')), TemplateVariables: fc.oneof(json, fc.record({ Name: json })), Datacenters: json }, { requiredKeys: [] })),
  );
  const tokenBody = fc.oneof(json, fc.record({ Policies: fc.oneof(json, fc.array(fc.record({ ID: fc.string(), Name: fc.string() }))), ServiceIdentities: json, NodeIdentities: json, TemplatedPolicies: templated, SecretID: fc.string(), AccessorID: fc.string(), ExpirationTTL: json, Local: json }, { requiredKeys: [] }));

  it.each([
    ['PUT /v1/acl/policy', '/v1/acl/policy', policyBody],
    ['PUT /v1/acl/token', '/v1/acl/token', tokenBody],
    ['PUT /v1/acl/role', '/v1/acl/role', tokenBody],
  ] as const)('%s answers 2xx or 4xx, never 5xx', async (_n, path, arb) => {
    await fc.assert(
      fc.asyncProperty(arb, async (b) => {
        const r = await call('PUT', path, b, asMgmt);
        expect(r.status, `${JSON.stringify(b)} -> ${r.text}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('fuzzed tokens are refused with 403, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }).filter((t) => t !== 'anonymous' && !/[\r\n\0]/.test(t) && t.trim() === t && /^[\x20-\x7e]+$/.test(t)), async (t) => {
        const r = await call('GET', '/v1/catalog/services', undefined, { 'X-Consul-Token': t });
        expect(r.status).toBe(403);
      }),
      { numRuns: 100 },
    );
    expect((await call('GET', '/v1/status/leader')).status).toBe(200);
  });
});

describe('DNS answered with the default (here: anonymous) token', () => {
  it('hides services until the anonymous token may read them', async () => {
    expect(dig(IP, DNS_PORT, 'web.service.consul', 'A')).toEqual([]);
    const p = await call('PUT', '/v1/acl/policy', { Name: 'dns-read', Rules: 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }' }, asMgmt);
    expect(p.status).toBe(200);
    const u = await call('PUT', `/v1/acl/token/${ANON}`, { Description: 'Anonymous Token', Policies: [{ Name: 'dns-read' }] }, asMgmt);
    expect(u.status, u.text).toBe(200);
    expect(dig(IP, DNS_PORT, 'web.service.consul', 'A')).toEqual([IP]);
    expect(dig(IP, DNS_PORT, 'n1.node.consul', 'A')).toEqual([IP]);
  });
});

describe('acl.tokens.default', () => {
  const ip = '127.0.63.11';
  const DEFAULT = '0d2c7a10-3c5b-4f1e-8a7d-2b9e6f4c1a55';
  let other: AgentProcess;
  beforeAll(async () => {
    const cfg = join(dir.path, 'default.json');
    writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT, default: DEFAULT } } }));
    other = await startAgentProcess(['-dev', '-client', ip, '-bind', ip, '-node', 'n2', '-dns-port', String(DNS_PORT), '-config-file', cfg], `${ip}:8500`);
  });
  afterAll(async () => {
    await other?.stop();
  });

  it('answers requests without a token, and DNS, as the default token', async () => {
    const base = other.base;
    expect((await http(base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'api', Port: 1 }), asMgmt)).status).toBe(200);
    // The default token does not exist yet: requests without a token are refused as unknown.
    expect((await http(base, 'GET', '/v1/catalog/services')).text).toBe('ACL not found');
    expect(dig(ip, DNS_PORT, 'api.service.consul', 'A')).toEqual([]);
    const p = await http(base, 'PUT', '/v1/acl/policy', JSON.stringify({ Name: 'discover', Rules: 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }' }), asMgmt);
    expect(p.status).toBe(200);
    const t = await http(base, 'PUT', '/v1/acl/token', JSON.stringify({ SecretID: DEFAULT, Policies: [{ Name: 'discover' }] }), asMgmt);
    expect(t.status, t.text).toBe(200);
    expect(Object.keys((await http(base, 'GET', '/v1/catalog/services')).json())).toContain('api');
    expect((await http(base, 'PUT', '/v1/kv/x', 'v')).status).toBe(403);
    expect(dig(ip, DNS_PORT, 'api.service.consul', 'A')).toEqual([ip]);
  });
});

describe('PUT /v1/agent/token/:type with enable_token_persistence', () => {
  const ip = '127.0.63.12';
  const data = tempDir('acl-persist-');
  const start = async (): Promise<AgentProcess> => {
    const cfg = join(data.path, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', enable_token_persistence: true, tokens: { initial_management: MGMT } } }));
    return startAgentProcess(['-server', '-bootstrap', '-data-dir', join(data.path, 'data'), '-client', ip, '-bind', ip, '-node', 'n3', '-dns-port', '-1', '-config-file', cfg], `${ip}:8500`);
  };
  let a: AgentProcess | undefined;
  afterAll(async () => {
    await a?.stop();
    data.remove();
  });

  it('sets the default token, keeps it across a restart, and refuses unknown types and weak tokens', async () => {
    a = await start();
    const p = await http(a.base, 'PUT', '/v1/acl/policy', JSON.stringify({ Name: 'kv-read', Rules: 'key_prefix "" { policy = "read" }' }), asMgmt);
    expect(p.status, p.text).toBe(200);
    const t = await http(a.base, 'PUT', '/v1/acl/token', JSON.stringify({ Policies: [{ Name: 'kv-read' }] }), asMgmt);
    const secret = t.json().SecretID as string;
    expect((await http(a.base, 'PUT', '/v1/kv/k', 'v', asMgmt)).status).toBe(200);
    expect((await http(a.base, 'GET', '/v1/kv/k')).status).toBe(403);
    const denied = await http(a.base, 'PUT', '/v1/agent/token/default', JSON.stringify({ Token: secret }));
    expect(denied.status).toBe(403);
    expect((await http(a.base, 'PUT', '/v1/agent/token/nope', JSON.stringify({ Token: secret }), asMgmt)).text).toBe('Token "nope" is unknown');
    expect((await http(a.base, 'PUT', '/v1/agent/token/default', JSON.stringify({ Token: secret }), asMgmt)).status).toBe(200);
    expect((await http(a.base, 'GET', '/v1/kv/k?raw')).text).toBe('v');
    await a.stop();
    a = await start();
    expect((await http(a.base, 'GET', '/v1/kv/k?raw')).text).toBe('v');
    expect((await http(a.base, 'PUT', '/v1/kv/k', 'w')).status).toBe(403);
  });

  it('bootstraps again after the reset index is written to acl-bootstrap-reset, once', async () => {
    a ??= await start();
    const refused = await http(a.base, 'PUT', '/v1/acl/bootstrap');
    expect(refused.status).toBe(403);
    const resetIndex = Number(/\(reset index: (\d+)\)$/.exec(refused.text)?.[1]);
    expect(resetIndex).toBeGreaterThan(0);
    const file = join(data.path, 'data', 'acl-bootstrap-reset');
    writeFileSync(file, `${resetIndex + 7}`);
    const wrong = await http(a.base, 'PUT', '/v1/acl/bootstrap');
    expect([wrong.status, wrong.text]).toEqual([500, `Invalid bootstrap reset index (specified ${resetIndex + 7}, reset index: ${resetIndex})`]);
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, `${resetIndex}\n`);
    const again = await http(a.base, 'PUT', '/v1/acl/bootstrap');
    expect(again.status, again.text).toBe(200);
    expect(existsSync(file)).toBe(false);
    const secret = again.json().SecretID as string;
    expect(again.json().Description).toBe('Bootstrap Token (Global Management)');
    expect((await http(a.base, 'PUT', '/v1/kv/reset', 'v', { 'X-Consul-Token': secret })).status).toBe(200);
    expect((await http(a.base, 'GET', '/v1/kv/reset?raw', undefined, asMgmt)).text).toBe('v');
    // The new bootstrap is the one that counts now, across a restart too.
    const next = await http(a.base, 'PUT', '/v1/acl/bootstrap');
    const nextIndex = Number(/\(reset index: (\d+)\)$/.exec(next.text)?.[1]);
    expect(next.status).toBe(403);
    expect(nextIndex).toBeGreaterThan(resetIndex);
    await a.stop();
    a = await start();
    writeFileSync(file, `${resetIndex}`);
    const stale = await http(a.base, 'PUT', '/v1/acl/bootstrap');
    expect([stale.status, stale.text]).toEqual([500, `Invalid bootstrap reset index (specified ${resetIndex}, reset index: ${nextIndex})`]);
  });
});
