// Prepared queries against a real agent: CRUD, execute with tags / OnlyPassing / near, templates
// with a regexp, a query deleted with its session, DNS with the real dig, bad input answered
// with Consul's texts, random bodies never a 5xx; and with ACLs on, query_prefix rules, the
// hidden Token, and results filtered by the query's own token.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, digFull, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.76.10';
const DNS_PORT = 8600;
let agent: AgentProcess;

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(agent.base, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers);

async function register(node: string, address: string, id: string, tags: string[], status: string, meta: Record<string, string> = {}): Promise<void> {
  const r = await call('PUT', '/v1/catalog/register', {
    Node: node,
    Address: address,
    NodeMeta: { rack: node.endsWith('1') ? 'r1' : 'r2' },
    Service: { ID: id, Service: 'db', Port: 5432, Tags: tags, Meta: meta },
    Check: { CheckID: `chk-${id}`, Name: 'db', ServiceID: id, Status: status },
  });
  expect(r.status, r.text).toBe(200);
}

const nodesOf = (body: any): string[] => body.Nodes.map((n: any) => n.Service.ID).sort();

beforeAll(async () => {
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-node', 'pq-agent', '-dns-port', String(DNS_PORT), '-log-level', 'warn'], `${IP}:8500`);
  await register('db-n1', '10.1.0.1', 'db1', ['primary', 'v1'], 'passing', { env: 'prod' });
  await register('db-n2', '10.1.0.2', 'db2', ['replica', 'v1'], 'warning', { env: 'prod' });
  await register('db-n3', '10.1.0.3', 'db3', ['replica', 'experimental'], 'passing', { env: 'dev' });
  await register('db-n4', '10.1.0.4', 'db4', ['replica'], 'critical');
});
afterAll(async () => {
  await agent?.stop();
});

describe('prepared queries over HTTP', () => {
  it('creates, lists, reads, updates and deletes, with indexes moving', async () => {
    const created = await call('POST', '/v1/query', { Name: 'crud', Service: { Service: 'db' }, DNS: { TTL: '10s' } });
    expect(created.status, created.text).toBe(200);
    const id = created.json().ID as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const list = await call('GET', '/v1/query');
    expect(list.json().map((q: any) => q.ID)).toContain(id);
    const got = await call('GET', `/v1/query/${id}`);
    expect(got.status).toBe(200);
    const [q] = got.json();
    expect(q).toMatchObject({ ID: id, Name: 'crud', Session: '', Token: '', Template: { Type: '', Regexp: '', RemoveEmptyTags: false } });
    expect(q.Service).toEqual({
      Service: 'db', SamenessGroup: '', Failover: { NearestN: 0, Datacenters: null, Targets: null }, OnlyPassing: false,
      IgnoreCheckIDs: null, Near: '', Tags: null, NodeMeta: null, ServiceMeta: null, Connect: false, Peer: '',
    });
    expect(Number(got.headers.get('x-consul-index'))).toBe(q.ModifyIndex);

    // PUT replaces the whole query (the URL's ID wins over the body's); a blocking GET wakes on it.
    const blocked = call('GET', `/v1/query/${id}?index=${q.ModifyIndex}&wait=5s`);
    const upd = await call('PUT', `/v1/query/${id}`, { ID: 'ignored', Name: 'crud2', Service: { Service: 'db', OnlyPassing: true } });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.text).toBe('');
    const woke = await blocked;
    expect(woke.json()[0]).toMatchObject({ Name: 'crud2', CreateIndex: q.CreateIndex, Service: { OnlyPassing: true }, DNS: { TTL: '' } });
    expect(woke.json()[0].ModifyIndex).toBeGreaterThan(q.ModifyIndex);

    expect((await call('DELETE', `/v1/query/${id}`)).status).toBe(200);
    const gone = await call('GET', `/v1/query/${id}`);
    expect([gone.status, gone.text]).toEqual([404, 'Query not found']);
    expect(Number(gone.headers.get('x-consul-index'))).toBeGreaterThan(0);
    const again = await call('DELETE', `/v1/query/${id}`);
    expect([again.status, again.text]).toEqual([404, `Cannot modify non-existent prepared query: '${id}'`]);
  });

  it('executes: health, OnlyPassing, IgnoreCheckIDs, tags with !exclusion, NodeMeta, ServiceMeta, limit', async () => {
    const mk = async (name: string, service: object) => {
      const r = await call('POST', '/v1/query', { Name: name, Service: { Service: 'db', ...service } });
      expect(r.status, r.text).toBe(200);
    };
    await mk('db-any', {});
    await mk('db-passing', { OnlyPassing: true });
    await mk('db-ignore', { OnlyPassing: true, IgnoreCheckIDs: ['chk-db2', 'chk-db4'] });
    await mk('db-tags', { Tags: ['REPLICA', '!experimental'] });
    await mk('db-meta', { NodeMeta: { rack: 'r2' }, ServiceMeta: { env: 'prod' } });
    const exec = async (name: string, qs = '') => {
      const r = await call('GET', `/v1/query/${name}/execute${qs}`);
      expect(r.status, r.text).toBe(200);
      return r.json();
    };
    const any = await exec('db-any');
    expect(nodesOf(any)).toEqual(['db1', 'db2', 'db3']);
    expect(any).toMatchObject({ Service: 'db', DNS: { TTL: '' }, Datacenter: 'dc1', Failovers: 0 });
    expect(any.Nodes[0].Checks.map((c: any) => c.CheckID)).toContain('chk-' + any.Nodes[0].Service.ID);
    expect(nodesOf(await exec('db-passing'))).toEqual(['db1', 'db3']);
    expect(nodesOf(await exec('db-ignore'))).toEqual(['db1', 'db2', 'db3', 'db4']);
    expect(nodesOf(await exec('db-tags'))).toEqual(['db2']);
    expect(nodesOf(await exec('db-meta'))).toEqual(['db2']);
    expect((await exec('db-any', '?limit=2')).Nodes).toHaveLength(2);
    // ?near names a node: it comes first; the rest is shuffled.
    for (let i = 0; i < 5; i++) expect((await exec('db-any', '?near=db-n3')).Nodes[0].Node.Node).toBe('db-n3');
    const missing = await call('GET', '/v1/query/no-such-query/execute');
    expect([missing.status, missing.text]).toEqual([404, 'Query not found']);
  });

  it('renders templates: longest prefix, regexp matches, RemoveEmptyTags; explain shows the rendering', async () => {
    const tpl = await call('POST', '/v1/query', {
      Name: 'geo-db',
      Template: { Type: 'name_prefix_match', Regexp: '^geo-db-(.*?)-([^\\-]+?)$', RemoveEmptyTags: true },
      Service: { Service: '${match(1)}', Tags: ['${match(2)}'] },
    });
    expect(tpl.status, tpl.text).toBe(200);
    const catchAll = await call('POST', '/v1/query', { Name: '', Template: { Type: 'name_prefix_match' }, Service: { Service: '${name.full}' } });
    expect(catchAll.status, catchAll.text).toBe(200);
    const second = await call('POST', '/v1/query', { Template: { Type: 'name_prefix_match' }, Service: { Service: 'x' } });
    expect([second.status, second.text]).toEqual([400, 'a query template with an empty name already exists']);

    const r = (await call('GET', '/v1/query/geo-db-db-replica/execute')).json();
    expect(r.Service).toBe('db');
    expect(nodesOf(r)).toEqual(['db2', 'db3']);
    // No regexp match: "${match(2)}" is "" and RemoveEmptyTags drops it, so every healthy db answers.
    const explained = await call('GET', '/v1/query/geo-db-nomatch/explain');
    expect(explained.json().Query.Service).toMatchObject({ Service: '', Tags: [] });
    // The catch-all template answers any other name with the service of that name.
    expect(nodesOf((await call('GET', '/v1/query/db/execute')).json())).toEqual(['db1', 'db2', 'db3']);
    const byId = await call('GET', `/v1/query/${tpl.json().ID}/execute`);
    expect([byId.status, byId.text]).toEqual([400, 'prepared query templates can only be resolved up by name, not by ID']);
    expect((await call('DELETE', `/v1/query/${catchAll.json().ID}`)).status).toBe(200);
  });

  it('deletes a query bound to a session when the session is destroyed', async () => {
    const s = await call('PUT', '/v1/session/create', { Name: 'owner' });
    expect(s.status, s.text).toBe(200);
    const session = s.json().ID as string;
    const q = await call('POST', '/v1/query', { Session: session, Service: { Service: 'db' } });
    expect(q.status, q.text).toBe(200);
    const id = q.json().ID as string;
    expect((await call('GET', `/v1/query/${id}/execute`)).status).toBe(200);
    expect((await call('PUT', `/v1/session/destroy/${session}`)).status).toBe(200);
    expect((await call('GET', `/v1/query/${id}`)).status).toBe(404);
    const orphan = await call('POST', '/v1/query', { Session: session, Service: { Service: 'db' } });
    expect([orphan.status, orphan.text]).toEqual([400, `invalid session "${session}"`]);
  });

  it('are in /v1/snapshot: a restore brings back a deleted query, and a template still renders', async () => {
    const q = await call('POST', '/v1/query', { Name: 'snap-', Template: { Type: 'name_prefix_match', Regexp: '^snap-(.*)$' }, Service: { Service: '${match(1)}' } });
    expect(q.status, q.text).toBe(200);
    const saved = await fetch(`${agent.base}/v1/snapshot`);
    expect(saved.status).toBe(200);
    const archive = Buffer.from(await saved.arrayBuffer());
    expect((await call('DELETE', `/v1/query/${q.json().ID}`)).status).toBe(200);
    expect((await call('GET', '/v1/query/snap-db/execute')).status).toBe(404);
    const restored = await http(agent.base, 'PUT', '/v1/snapshot', archive);
    expect(restored.status, restored.text).toBe(200);
    expect((await call('GET', `/v1/query/${q.json().ID}`)).status).toBe(200);
    expect(nodesOf((await call('GET', '/v1/query/snap-db/execute')).json())).toEqual(['db1', 'db2', 'db3']);
  });

  it('answers <name>.query.consul over DNS (dig) with the query TTL, SRV too; unknown is NXDOMAIN', async () => {
    const r = await call('POST', '/v1/query', { Name: 'dns-db', Service: { Service: 'db', OnlyPassing: true }, DNS: { TTL: '33s' } });
    expect(r.status, r.text).toBe(200);
    expect(dig(IP, DNS_PORT, 'dns-db.query.consul', 'A').sort()).toEqual(['10.1.0.1', '10.1.0.3']);
    expect(dig(IP, DNS_PORT, 'dns-db.query.dc1.consul', 'A').sort()).toEqual(['10.1.0.1', '10.1.0.3']);
    expect(dig(IP, DNS_PORT, `${r.json().ID}.query.consul`, 'A').sort()).toEqual(['10.1.0.1', '10.1.0.3']);
    const full = digFull(IP, DNS_PORT, '_dns-db._tcp.query.consul', 'SRV');
    expect(full).toMatch(/_dns-db\._tcp\.query\.consul\.\s+33\s+IN\s+SRV\s+1 1 5432 db-n1\.node\.dc1\.consul\./);
    expect(full).toMatch(/db-n1\.node\.dc1\.consul\.\s+33\s+IN\s+A\s+10\.1\.0\.1/);
    expect(digFull(IP, DNS_PORT, 'no-such.query.consul', 'A')).toMatch(/status: NXDOMAIN/);
    // A template answers DNS names too (lowercased, as Consul).
    const tpl = await call('POST', '/v1/query', { Name: 'svc-', Template: { Type: 'name_prefix_match' }, Service: { Service: '${name.suffix}', OnlyPassing: true } });
    expect(tpl.status, tpl.text).toBe(200);
    expect(dig(IP, DNS_PORT, 'SVC-DB.query.consul', 'A').sort()).toEqual(['10.1.0.1', '10.1.0.3']);
  });
});

describe('bad input', () => {
  const cases: Array<[string, string, unknown, number, string | RegExp]> = [
    ['POST', '/v1/query', '', 400, 'Request decode failed: EOF'],
    ['POST', '/v1/query', '{"Name":', 400, /^Request decode failed: /],
    ['POST', '/v1/query', { Name: 'x', Bogus: 1 }, 400, 'Request decode failed: json: unknown field "Bogus"'],
    ['POST', '/v1/query', { Name: 'x', Service: { Service: 1 } }, 400, 'Request decode failed: json: cannot unmarshal number into Go struct field ServiceQuery.Service of type string'],
    ['POST', '/v1/query', { ID: 'abc', Name: 'x', Service: { Service: 'db' } }, 400, 'ID must be empty when creating a new prepared query'],
    ['POST', '/v1/query', { Service: { Service: 'db' } }, 400, 'Invalid prepared query: Must be bound to a session'],
    ['POST', '/v1/query', { Name: 'x' }, 400, 'Invalid prepared query: Must provide a Service name to query'],
    ['POST', '/v1/query', { Name: 'x', Token: '<hidden>', Service: { Service: 'db' } }, 400, "Invalid prepared query: Bad Token '<hidden>', it looks like a query definition with a redacted token was submitted"],
    ['POST', '/v1/query', { Name: 'x', Service: { Service: 'db', Failover: { NearestN: -2 } } }, 400, "Invalid prepared query: Bad NearestN '-2', must be >= 0"],
    ['POST', '/v1/query', { Name: 'x', Service: { Service: 'db', Failover: { Datacenters: ['dc2'], Targets: [{ Datacenter: 'dc3' }] } } }, 400, 'Invalid prepared query: Targets cannot be populated with NearestN or Datacenters'],
    ['POST', '/v1/query', { Name: 'x', Service: { Service: 'db' }, DNS: { TTL: '10' } }, 400, `Invalid prepared query: Bad DNS TTL '10': time: missing unit in duration "10"`],
    ['POST', '/v1/query', { Name: 'x', Service: { Service: 'db' }, DNS: { TTL: '-5s' } }, 400, "Invalid prepared query: DNS TTL '-5000000000', must be >=0"],
    ['POST', '/v1/query', { Name: 'x', Template: { Type: 'prefix' }, Service: { Service: 'db' } }, 400, "failed compiling template: Bad Template.Type 'prefix'"],
    ['POST', '/v1/query', { Name: 'x', Template: { Type: 'name_prefix_match', Regexp: '[' }, Service: { Service: 'db' } }, 400, 'failed compiling template: Bad Regexp: error parsing regexp: missing closing ]: `[`'],
    ['POST', '/v1/query', { Name: 'x', Service: { Service: 'db' }, Session: 'no-such-session' }, 400, 'invalid session "no-such-session"'],
    ['POST', '/v1/query?dc=dc9', { Name: 'x', Service: { Service: 'db' } }, 500, 'No path to datacenter'],
    ['PUT', '/v1/query/00000000-0000-4000-8000-000000000000', { Name: 'x', Service: { Service: 'db' } }, 404, "Cannot modify non-existent prepared query: '00000000-0000-4000-8000-000000000000'"],
    ['PUT', '/v1/query/crud/execute', undefined, 405, 'method PUT not allowed'],
    ['DELETE', '/v1/query/crud/explain', undefined, 405, 'method DELETE not allowed'],
    ['PATCH', '/v1/query', undefined, 405, 'method PATCH not allowed'],
    ['GET', '/v1/query/db-any/execute?limit=ten', undefined, 400, 'Bad limit: strconv.Atoi: parsing "ten": invalid syntax'],
    ['GET', '/v1/query/db-any/execute?connect=maybe', undefined, 400, `Error parsing 'connect' value: strconv.ParseBool: parsing "maybe": invalid syntax`],
    ['GET', '/v1/query/db-any/explain?index=x', undefined, 400, 'Invalid index'],
  ];
  it.each(cases)('%s %s', async (method, path, body, status, text) => {
    const r = await call(method, path, body);
    expect(r.status, r.text).toBe(status);
    if (typeof text === 'string') expect(r.text).toBe(text);
    else expect(r.text).toMatch(text);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('a name may not alias another query (any case) nor another ID', async () => {
    const a = await call('POST', '/v1/query', { Name: 'Alias-Me', Service: { Service: 'db' } });
    expect(a.status).toBe(200);
    const dup = await call('POST', '/v1/query', { Name: 'alias-me', Service: { Service: 'db' } });
    expect([dup.status, dup.text]).toEqual([400, "name 'alias-me' aliases an existing query name"]);
    const id = a.json().ID as string;
    const steal = await call('POST', '/v1/query', { Name: id, Service: { Service: 'db' } });
    expect([steal.status, steal.text]).toEqual([400, `name '${id}' aliases an existing query ID`]);
  });

  it('random bodies, names and parameters never get a 5xx, and stored queries stay intact', async () => {
    const before = (await call('GET', '/v1/query')).text;
    const json = fc.jsonValue({ maxDepth: 4 });
    const bodies = fc.oneof(
      json.map((v) => JSON.stringify(v)),
      fc.record({ Name: fc.string(), Session: fc.string(), Template: fc.record({ Type: fc.constantFrom('name_prefix_match', '', 'x'), Regexp: fc.string() }), Service: fc.record({ Service: fc.string(), Tags: fc.array(fc.string()), Failover: fc.record({ NearestN: fc.integer() }) }), DNS: fc.record({ TTL: fc.string() }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.string(),
    );
    const seg = fc.stringMatching(/^[A-Za-z0-9._~%-]{1,20}$/);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'PUT', 'GET', 'DELETE'), seg, fc.constantFrom('', '/execute', '/explain'), bodies, fc.string({ maxLength: 8 }), async (method, name, action, body, q) => {
        const path = method === 'POST' ? '/v1/query' : `/v1/query/${name}${action}?limit=${encodeURIComponent(q)}&near=${encodeURIComponent(q)}`;
        const r = await call(method, path, method === 'GET' || method === 'DELETE' ? undefined : body);
        expect(r.status, `${method} ${path} ${body} -> ${r.text}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    // Writes that were accepted added queries; nothing that existed changed.
    const after = (await call('GET', '/v1/query')).json() as any[];
    for (const q of JSON.parse(before) as any[]) expect(after.find((x) => x.ID === q.ID)).toEqual(q);
    expect((await call('GET', '/v1/status/leader')).status).toBe(200);
  });
});
