// Intentions with real agent processes: a server and a client agent without ACLs (every call
// made through the client, which forwards to the server), and a server with ACLs default deny.
// Intentions are the sources of service-intentions config entries: what the intention API
// writes shows in /v1/config, and the authorize endpoint decides by them.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.93.1';
const CLIENT = '127.0.93.2';
const ACL_SERVER = '127.0.93.11';
const ACL_CLIENT = '127.0.93.12';
const MGMT = '6f0c2a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const TRUST = '11111111-2222-4333-8444-555555555555.consul';
const spiffe = (svc: string, ns = 'default'): string => `spiffe://${TRUST}/ns/${ns}/dc/dc1/svc/${svc}`;

const dir = tempDir('intentions-');
const started: AgentProcess[] = [];
let client: AgentProcess;
let aclServer: AgentProcess;
let aclClient: AgentProcess;

async function start(ip: string, args: string[], waitForLeader = true): Promise<AgentProcess> {
  const a = await startAgentProcess(['-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', `n-${ip}`, '-dns-port', '-1', '-log-level', 'warn', ...args], `${ip}:8500`, {
    waitForLeader,
  });
  started.push(a);
  return a;
}

beforeAll(async () => {
  const aclCfg = join(dir.path, 'acl.json');
  writeFileSync(aclCfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  [, aclServer] = await Promise.all([start(SERVER, ['-server', '-bootstrap']), start(ACL_SERVER, ['-server', '-bootstrap', '-config-file', aclCfg])]);
  const aclClientCfg = join(dir.path, 'acl-client.json');
  writeFileSync(aclClientCfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { agent: MGMT } } }));
  [client, aclClient] = await Promise.all([
    start(CLIENT, ['-retry-join', SERVER, '-retry-interval', '1s'], false),
    start(ACL_CLIENT, ['-retry-join', ACL_SERVER, '-retry-interval', '1s', '-config-file', aclClientCfg], false),
  ]);
  for (const c of [client, aclClient]) await eventually(async () => (await http(c.base, 'GET', '/v1/status/leader')).json() !== '', 'a client to find its server', 150);
}, 120_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

const onClient = (method: string, path: string, body?: unknown) => http(client.base, method, path, body === undefined ? undefined : JSON.stringify(body));
const authorize = (target: string, uri: string, base = client.base, token?: string) =>
  http(base, 'POST', '/v1/agent/connect/authorize', JSON.stringify({ Target: target, ClientCertURI: uri, ClientCertSerial: 'aa:bb' }), token ? { 'X-Consul-Token': token } : {});

describe('intentions through a client agent, ACLs off', () => {
  it('a legacy create answers an ID; the intention reads back by ID, exactly and in the list', async () => {
    const r = await onClient('POST', '/v1/connect/intentions', { SourceName: 'web', DestinationName: 'db', Action: 'allow', Meta: { team: 'a' } });
    expect(r.status, r.text).toBe(200);
    const id = r.json().ID as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const byId = await onClient('GET', `/v1/connect/intentions/${id}`);
    expect(byId.status, byId.text).toBe(200);
    expect(byId.json()).toMatchObject({ ID: id, SourceNS: 'default', SourceName: 'web', DestinationNS: 'default', DestinationName: 'db', SourceType: 'consul', Action: 'allow', Meta: { team: 'a' }, Precedence: 9 });
    expect(byId.json().CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(Number(byId.headers.get('x-consul-index'))).toBeGreaterThan(0);
    const exact = await onClient('GET', '/v1/connect/intentions/exact?source=web&destination=db');
    expect(exact.json().ID).toBe(id);
    // The same source twice for one destination is refused by the entry's validation.
    const dup = await onClient('POST', '/v1/connect/intentions', { SourceName: 'web', DestinationName: 'db', Action: 'deny' });
    expect(dup.status).toBe(400);
    expect(dup.text).toContain('defines "web" more than once');
    const bad = await onClient('POST', '/v1/connect/intentions', { SourceName: 'w*b', DestinationName: 'db', Action: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe("2 errors occurred:\n\t* SourceName: wildcard character '*' cannot be used with partial values\n\t* Action must be set to 'allow' or 'deny'\n\n");
  });

  it('the intentions are the sources of a service-intentions config entry', async () => {
    const e = await onClient('GET', '/v1/config/service-intentions/db');
    expect(e.status, e.text).toBe(200);
    expect(e.json()).toMatchObject({ Kind: 'service-intentions', Name: 'db', Sources: [{ Name: 'web', Action: 'allow', Precedence: 9, Type: 'consul' }] });
    expect(e.json().Sources[0].LegacyID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exact upsert and delete, match and check with wildcard precedence', async () => {
    for (const [src, dst, action] of [['*', 'api', 'deny'], ['web', 'api', 'allow'], ['*', '*', 'deny']] as const) {
      const r = await onClient('PUT', `/v1/connect/intentions/exact?source=${encodeURIComponent(src)}&destination=${encodeURIComponent(dst)}`, { Action: action });
      expect(r.status, r.text).toBe(200);
      expect(r.text).toBe('true');
    }
    const m = await onClient('GET', '/v1/connect/intentions/match?by=destination&name=api');
    expect(m.status, m.text).toBe(200);
    expect((m.json().api as Array<{ SourceName: string; DestinationName: string; Precedence: number }>).map((i) => `${i.SourceName}>${i.DestinationName}:${i.Precedence}`)).toEqual(['web>api:9', '*>api:8', '*>*:5']);
    const bySource = await onClient('GET', '/v1/connect/intentions/match?by=source&name=web');
    expect((bySource.json().web as Array<{ DestinationName: string }>).map((i) => i.DestinationName)).toEqual(['api', 'db', 'api', '*']);
    const check = async (s: string, d: string): Promise<boolean> => (await onClient('GET', `/v1/connect/intentions/check?source=${s}&destination=${d}`)).json().Allowed as boolean;
    expect(await check('web', 'api')).toBe(true);
    expect(await check('billing', 'api')).toBe(false);
    expect(await check('web', 'db')).toBe(true);
    expect(await check('web', 'cache')).toBe(false); // * => * deny
    const del = await onClient('DELETE', '/v1/connect/intentions/exact?source=*&destination=*');
    expect(del.text).toBe('true');
    expect(await check('web', 'cache')).toBe(true); // the default without ACLs: allow
    const missing = await onClient('GET', '/v1/connect/intentions/exact?source=nope&destination=api');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('Intention not found');
    const badBy = await onClient('GET', '/v1/connect/intentions/match?by=sideways&name=api');
    expect(badBy.status).toBe(400);
    expect(badBy.text).toBe("'by' parameter must be one of 'source' or 'destination'");
  });

  it('authorize: L4 allow and deny with a SPIFFE URI, the default, and bad input', async () => {
    const allow = await authorize('api', spiffe('web'));
    expect(allow.status, allow.text).toBe(200);
    expect(allow.json()).toEqual({ Authorized: true, Reason: 'Matched L4 intention: default/web => default/api (Precedence: 9, Action: ALLOW)' });
    const deny = await authorize('api', spiffe('billing'));
    expect(deny.json()).toEqual({ Authorized: false, Reason: 'Matched L4 intention: default/* => default/api (Precedence: 8, Action: DENY)' });
    const dflt = await authorize('cache', spiffe('web'));
    expect(dflt.json()).toEqual({ Authorized: true, Reason: 'Default behavior configured by ACLs' });
    expect((await authorize('', spiffe('web'))).text).toBe('Target service must be specified');
    const notUri = await authorize('api', 'https://example.com/x');
    expect(notUri.status).toBe(400);
    expect(notUri.text).toBe('ClientCertURI not a valid Connect identifier');
    expect((await authorize('api', `spiffe://${TRUST}/agent/client/dc/dc1/id/n1`)).text).toBe('ClientCertURI not a valid Service identifier');
  });

  it('a service-intentions entry written with /v1/config is seen at once; L7 permissions deny a connection', async () => {
    const entry = { Kind: 'service-intentions', Name: 'orders', Sources: [{ Name: 'web', Permissions: [{ Action: 'allow', HTTP: { PathPrefix: '/orders', Methods: ['get'] } }] }, { Name: 'web2', Action: 'allow' }] };
    const w = await onClient('PUT', '/v1/config', entry);
    expect(w.status, w.text).toBe(200);
    const l7 = await authorize('orders', spiffe('web'));
    expect(l7.json()).toEqual({ Authorized: false, Reason: 'Matched L7 intention: default/web => default/orders (Precedence: 9, Permissions: 1)' });
    expect((await authorize('orders', spiffe('web2'))).json().Authorized).toBe(true);
    const exact = (await onClient('GET', '/v1/connect/intentions/exact?source=web&destination=orders')).json();
    expect(exact).toMatchObject({ SourceName: 'web', DestinationName: 'orders', Permissions: [{ Action: 'allow', HTTP: { PathPrefix: '/orders', Methods: ['GET'] } }], Meta: {} });
    expect(exact.CreatedAt).toBeUndefined();
    expect(exact.ID).toBeUndefined();
    expect(exact.Action).toBeUndefined();
    // The legacy API leaves an entry written as a config entry alone.
    const legacy = await onClient('POST', '/v1/connect/intentions', { SourceName: 'api', DestinationName: 'orders', Action: 'allow' });
    expect(legacy.status).toBe(400);
    expect(legacy.text).toBe('cannot use legacy intention API to edit intentions with a destination of "default/orders" after editing them via a service-intentions config entry');
    expect((await onClient('DELETE', '/v1/config/service-intentions/orders')).status).toBe(200);
  });

  it('a blocking match wakes when an intention for the name is written', async () => {
    const first = await onClient('GET', '/v1/connect/intentions/match?by=destination&name=api');
    const index = Number(first.headers.get('x-consul-index'));
    expect(index).toBeGreaterThan(0);
    const waiting = onClient('GET', `/v1/connect/intentions/match?by=destination&name=api&index=${index}&wait=20s`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await onClient('PUT', '/v1/connect/intentions/exact?source=billing&destination=api', { Action: 'deny', Description: 'no billing' })).status).toBe(200);
    const woken = await waiting;
    expect(Number(woken.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect((woken.json().api as Array<{ SourceName: string; Description: string }>).find((i) => i.SourceName === 'billing')).toMatchObject({ Description: 'no billing' });
  });

  it('a filter on the list, a legacy delete by ID', async () => {
    const list = await onClient('GET', `/v1/connect/intentions?filter=${encodeURIComponent('DestinationName == "api"')}`);
    expect(list.status, list.text).toBe(200);
    expect((list.json() as Array<{ SourceName: string }>).map((i) => i.SourceName)).toEqual(['billing', 'web', '*']);
    const all = (await onClient('GET', '/v1/connect/intentions')).json() as Array<{ ID?: string; DestinationName: string }>;
    const legacy = all.find((i) => i.DestinationName === 'db')!;
    expect((await onClient('DELETE', `/v1/connect/intentions/${legacy.ID}`)).text).toBe('true');
    expect((await onClient('GET', '/v1/config/service-intentions/db')).status).toBe(404);
    const gone = await onClient('DELETE', `/v1/connect/intentions/${legacy.ID}`);
    expect(gone.status).toBe(404);
    expect((await onClient('GET', '/v1/connect/intentions/not-a-uuid')).status).toBe(400);
  });
});

describe('intentions with ACLs default deny', () => {
  const asMgmt = { 'X-Consul-Token': MGMT };
  let webToken: string;

  beforeAll(async () => {
    const b = aclServer.base;
    const p = await http(b, 'PUT', '/v1/acl/policy', JSON.stringify({ Name: 'api-svc', Rules: 'service "api" { policy = "write" }' }), asMgmt);
    expect(p.status, p.text).toBe(200);
    const t = await http(b, 'PUT', '/v1/acl/token', JSON.stringify({ Policies: [{ Name: 'api-svc' }] }), asMgmt);
    webToken = t.json().SecretID as string;
  });

  it('the default decision follows default_policy deny; management allows', async () => {
    const b = aclServer.base;
    const r = await authorize('api', spiffe('web'), b, webToken);
    expect(r.status, r.text).toBe(200);
    expect(r.json()).toEqual({ Authorized: false, Reason: 'Default behavior configured by ACLs' });
    expect((await authorize('api', spiffe('web'), b, MGMT)).json().Authorized).toBe(true);
  });

  it('writes need intentions:write on the destination; service:write grants only read', async () => {
    const b = aclServer.base;
    const denied = await http(b, 'PUT', '/v1/connect/intentions/exact?source=web&destination=api', JSON.stringify({ Action: 'allow' }), { 'X-Consul-Token': webToken });
    expect(denied.status).toBe(403);
    expect(denied.text).toBe('Permission denied');
    const ok = await http(b, 'PUT', '/v1/connect/intentions/exact?source=web&destination=api', JSON.stringify({ Action: 'allow' }), asMgmt);
    expect(ok.status, ok.text).toBe(200);
    const read = await http(b, 'GET', '/v1/connect/intentions/match?by=destination&name=api', undefined, { 'X-Consul-Token': webToken });
    expect(read.status, read.text).toBe(200);
    const r = await authorize('api', spiffe('web'), b, webToken);
    expect(r.json()).toEqual({ Authorized: true, Reason: 'Matched L4 intention: default/web => default/api (Precedence: 9, Action: ALLOW)' });
    // The same through a client agent with ACLs: the token is resolved and the match forwarded with it.
    const viaClient = await authorize('api', spiffe('web'), aclClient.base, webToken);
    expect(viaClient.status, viaClient.text).toBe(200);
    expect(viaClient.json().Authorized).toBe(true);
    expect((await authorize('api', spiffe('billing'), aclClient.base, webToken)).json()).toEqual({ Authorized: false, Reason: 'Default behavior configured by ACLs' });
    const notMine = await authorize('db', spiffe('web'), b, webToken);
    expect(notMine.status).toBe(403);
    expect(notMine.text).toMatch(/lacks permission 'service:write' on "db"/);
    const anonList = await http(b, 'GET', '/v1/connect/intentions');
    expect(anonList.json()).toEqual([]);
    expect(anonList.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
  });
});
