// Prepared queries with ACLs on (default deny), against a real agent: query_prefix rules govern
// named queries and templates; a query without a name is reachable by its ID only (listed to
// management alone); only management sees a query's Token; execute filters the instances by
// the query's own Token when it has one, else by the caller's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.76.11';
const MGMT = '5d2f8a1e-6b3c-4e7d-9f10-2a3b4c5d6e7f';
const ANON = '00000000-0000-0000-0000-000000000002';
const dir = tempDir('pq-acl-');
let agent: AgentProcess;

const asMgmt = { 'X-Consul-Token': MGMT };
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(agent.base, method, path, body === undefined ? undefined : JSON.stringify(body), headers);

async function tokenWith(rules: string): Promise<{ secret: string; accessor: string }> {
  const name = `p${Math.random().toString(36).slice(2, 10)}`;
  expect((await call('PUT', '/v1/acl/policy', { Name: name, Rules: rules }, asMgmt)).status).toBe(200);
  const t = await call('PUT', '/v1/acl/token', { Description: name, Policies: [{ Name: name }] }, asMgmt);
  expect(t.status, t.text).toBe(200);
  return { secret: t.json().SecretID, accessor: t.json().AccessorID };
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  const cfg = join(dir.path, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-node', 'pq-acl', '-dns-port', '-1', '-log-level', 'warn', '-config-file', cfg], `${IP}:8500`);
  const reg = await call('PUT', '/v1/catalog/register', { Node: 'web-n', Address: '10.2.0.1', Service: { ID: 'web1', Service: 'web', Port: 80 } }, asMgmt);
  expect(reg.status, reg.text).toBe(200);
  for (const [key, body] of [
    ['pub', { Name: 'pub-a', Service: { Service: 'web' } }],
    ['priv', { Name: 'priv-b', Service: { Service: 'web' } }],
    ['definer', { Name: 'pub-definer', Token: MGMT, Service: { Service: 'web' } }],
  ] as const) {
    const r = await call('POST', '/v1/query', body, asMgmt);
    expect(r.status, r.text).toBe(200);
    ids[key] = r.json().ID;
  }
  const s = await call('PUT', '/v1/session/create', { Name: 'owner', Checks: [] }, asMgmt);
  expect(s.status, s.text).toBe(200);
  const unnamed = await call('POST', '/v1/query', { Session: s.json().ID, Token: MGMT, Service: { Service: 'web' } }, asMgmt);
  expect(unnamed.status, unnamed.text).toBe(200);
  ids.unnamed = unnamed.json().ID;
});
afterAll(async () => {
  await agent?.stop();
  dir.remove();
});

describe('prepared query ACLs', () => {
  it('writes need query:write on the name (the new one and the stored one)', async () => {
    const anon = await call('POST', '/v1/query', { Name: 'pub-x', Service: { Service: 'web' } });
    expect([anon.status, anon.text]).toEqual([403, `Permission denied: token with AccessorID '${ANON}' lacks permission 'query:write' on "pub-x"`]);
    const w = await tokenWith('query_prefix "pub-" { policy = "write" }');
    const hdr = { 'X-Consul-Token': w.secret };
    const ok = await call('POST', '/v1/query', { Name: 'pub-new', Service: { Service: 'web' } }, hdr);
    expect(ok.status, ok.text).toBe(200);
    const other = await call('POST', '/v1/query', { Name: 'other', Service: { Service: 'web' } }, hdr);
    expect(other.status).toBe(403);
    // Renaming a query it may not write, or into a name it may not write: both refused.
    expect((await call('PUT', `/v1/query/${ids.priv}`, { Name: 'pub-stolen', Service: { Service: 'web' } }, hdr)).status).toBe(403);
    expect((await call('PUT', `/v1/query/${ok.json().ID}`, { Name: 'priv-c', Service: { Service: 'web' } }, hdr)).status).toBe(403);
    expect((await call('DELETE', `/v1/query/${ids.priv}`, undefined, hdr)).status).toBe(403);
    expect((await call('DELETE', `/v1/query/${ok.json().ID}`, undefined, hdr)).status).toBe(200);
    // A catch-all template needs write on every name (the empty prefix).
    const tpl = await call('POST', '/v1/query', { Template: { Type: 'name_prefix_match' }, Service: { Service: '${name.full}' } }, hdr);
    expect([tpl.status, tpl.text]).toEqual([403, `Permission denied: token with AccessorID '${w.accessor}' lacks permission 'query:write' on ""`]);
  });

  it('lists and reads by query:read; unnamed queries by ID only; the Token shown to management only', async () => {
    const r = await tokenWith('query_prefix "pub-" { policy = "read" }');
    const hdr = { 'X-Consul-Token': r.secret };
    const list = await call('GET', '/v1/query', undefined, hdr);
    expect(list.status).toBe(200);
    expect(list.json().map((q: any) => q.Name).sort()).toEqual(['pub-a', 'pub-definer']);
    expect(list.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(list.json().find((q: any) => q.Name === 'pub-definer').Token).toBe('<hidden>');
    expect(list.json().find((q: any) => q.Name === 'pub-a').Token).toBe('');
    expect((await call('GET', `/v1/query/${ids.priv}`, undefined, hdr)).status).toBe(403);
    const byId = await call('GET', `/v1/query/${ids.unnamed}`, undefined, hdr);
    expect(byId.status, byId.text).toBe(200);
    expect(byId.json()[0].Token).toBe('<hidden>');
    expect((await call('GET', `/v1/query/${ids.unnamed}/explain`, undefined, hdr)).status).toBe(403);
    const mgmt = await call('GET', '/v1/query', undefined, asMgmt);
    expect(mgmt.json().map((q: any) => q.ID)).toContain(ids.unnamed);
    expect(mgmt.json().find((q: any) => q.ID === ids.unnamed).Token).toBe(MGMT);
    // A redacted token sent back is refused, as Consul does.
    const back = await call('PUT', `/v1/query/${ids.unnamed}`, { ...byId.json()[0] }, asMgmt);
    expect([back.status, back.text]).toEqual([400, "Invalid prepared query: Bad Token '<hidden>', it looks like a query definition with a redacted token was submitted"]);
  });

  it("execute filters by the query's Token when it has one, else by the caller's", async () => {
    const anonExec = await call('GET', '/v1/query/pub-a/execute');
    expect(anonExec.status, anonExec.text).toBe(200);
    expect(anonExec.json().Nodes).toEqual([]);
    expect(anonExec.json().ResultsFilteredByACLs).toBe(true);
    expect(anonExec.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    const reader = await tokenWith('service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }');
    const asReader = await call('GET', '/v1/query/pub-a/execute', undefined, { 'X-Consul-Token': reader.secret });
    expect(asReader.json().Nodes.map((n: any) => n.Service.ID)).toEqual(['web1']);
    const definer = await call('GET', '/v1/query/pub-definer/execute');
    expect(definer.json().Nodes.map((n: any) => n.Service.ID)).toEqual(['web1']);
    expect(definer.headers.get('x-consul-results-filtered-by-acls')).toBeNull();
    const unknown = await call('GET', '/v1/query/pub-a/execute', undefined, { 'X-Consul-Token': 'no-such-secret' });
    expect([unknown.status, unknown.text]).toEqual([403, 'ACL not found']);
  });
});
