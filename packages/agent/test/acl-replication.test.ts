// ACLs across datacenters, with real processes: dc1 is the primary datacenter; dc2 replicates
// its policies, roles and global tokens (acl.enable_token_replication with a replication token);
// dc3 replicates policies and roles only and resolves tokens in dc1 (also for its client agent).
// All with default_policy deny, joined over WAN gossip. Checks what replicates (and what never
// does: local tokens), what a secondary forwards to the primary, and GET /v1/acl/replication.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datacenters } from './datacenters.js';
import { eventually, http, tempDir, type AgentProcess } from './helpers.js';

const DC1 = '127.0.79.11';
const DC2 = '127.0.79.21';
// A second secondary datacenter (policy replication only) and its client agent, on dc2's range.
const DC3 = '127.0.79.22';
const DC3_CLIENT = '127.0.79.23';
// A secondary with token replication whose replication token the primary does not know: nothing
// ever replicates, so its state never becomes authoritative for tokens.
const DC4 = '127.0.79.24';
const MGMT = '6a1f7c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const REPLICATION = '7b2e8d3f-4c5e-4f60-9bac-1d2e3f4a5b6c';
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const started: AgentProcess[] = [];
const dir = tempDir('acl-replication-');
const json = (v: unknown): string => JSON.stringify(v);
const base = (ip: string): string => `http://${ip}:8500`;
const as = (token: string): Record<string, string> => ({ 'X-Consul-Token': token });
const req = (ip: string, method: string, path: string, body?: unknown, token?: string) =>
  http(base(ip), method, path, body === undefined ? undefined : json(body), token ? as(token) : {});

const dcs = datacenters(dir.path, started);
const start = (ip: string, dc: string, args: string[], config: Record<string, unknown>): Promise<AgentProcess> =>
  dcs.start(ip, dc, args, { primary_datacenter: 'dc1', ...config, acl: { enabled: true, default_policy: 'deny', ...(config.acl as object) } });
const leaderOf = dcs.leaderOf;

/** A token for `rules` made in `ip`'s datacenter (a global one unless `local`). */
async function tokenWith(ip: string, name: string, rules: string, local = false): Promise<{ accessor: string; secret: string; policy: string }> {
  const p = await req(DC1, 'PUT', '/v1/acl/policy', { Name: name, Rules: rules }, MGMT);
  expect(p.status, p.text).toBe(200);
  // Made in a secondary, the token links a policy that has to be replicated there first.
  const t = await eventually(async () => {
    const r = await req(ip, 'PUT', '/v1/acl/token', { Description: name, Policies: [{ ID: p.json().ID }], Local: local }, MGMT);
    return r.status === 200 ? r : undefined;
  }, `a token for ${name} made in ${ip}`, 150, 200);
  return { accessor: t.json().AccessorID, secret: t.json().SecretID, policy: p.json().ID };
}

/** Polls a KV write with `secret` in `ip`'s datacenter until it answers `status` (bounded). */
async function kvWriteAnswers(ip: string, key: string, secret: string, status: number): Promise<void> {
  let last = '';
  await eventually(async () => {
    const r = await req(ip, 'PUT', `/v1/kv/${key}`, 'v', secret);
    last = `${r.status} ${r.text}`;
    return r.status === status;
  }, `PUT /v1/kv/${key} in ${ip} answering ${status}`, 150, 200).catch((err: Error) => {
    throw new Error(`${err.message}; last answer: ${last}`);
  });
}

beforeAll(async () => {
  await start(DC1, 'dc1', ['-server', '-bootstrap'], { acl: { tokens: { initial_management: MGMT } } });
  await leaderOf(DC1);
  // The replication token exists in the primary before the secondaries start with it.
  const p = await req(DC1, 'PUT', '/v1/acl/policy', { Name: 'replication', Rules: 'acl = "write"\noperator = "write"' }, MGMT);
  expect(p.status, p.text).toBe(200);
  const t = await req(DC1, 'PUT', '/v1/acl/token', { SecretID: REPLICATION, Description: 'replication', Policies: [{ Name: 'replication' }] }, MGMT);
  expect(t.status, t.text).toBe(200);
  const wan = ['-retry-join-wan', DC1, '-retry-interval-wan', '1s'];
  await Promise.all([
    start(DC2, 'dc2', ['-server', '-bootstrap', ...wan], { acl: { enable_token_replication: true, tokens: { replication: REPLICATION } } }),
    // The legacy name of the replication token turns token replication on: dc3 uses the new one only.
    start(DC3, 'dc3', ['-server', '-bootstrap', ...wan], { acl: { tokens: { replication: REPLICATION } } }),
  ]);
  await Promise.all([leaderOf(DC2), leaderOf(DC3)]);
  await start(DC3_CLIENT, 'dc3', ['-retry-join', DC3, '-retry-interval', '1s'], { acl: { token_ttl: '1s', policy_ttl: '1s', tokens: { agent: MGMT } } });
  await leaderOf(DC3_CLIENT);
}, 120_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

describe('ACL replication from the primary datacenter', { timeout: 120_000 }, () => {
  it('replicates a policy and a global token to dc2, and an update of the policy', async () => {
    const app = await tokenWith(DC1, 'kv-app', 'key_prefix "app/" { policy = "write" }');
    await kvWriteAnswers(DC2, 'app/one', app.secret, 200);
    // What the policy does not grant stays denied (default deny), in dc2 as in dc1.
    expect((await req(DC2, 'PUT', '/v1/kv/other/one', 'v', app.secret)).status).toBe(403);
    // The replicated records keep the primary's IDs and hashes.
    const here = await req(DC2, 'GET', `/v1/acl/policy/${app.policy}`, undefined, MGMT);
    const there = await req(DC1, 'GET', `/v1/acl/policy/${app.policy}`, undefined, MGMT);
    expect(here.status, here.text).toBe(200);
    expect({ ...here.json(), CreateIndex: 0, ModifyIndex: 0 }).toEqual({ ...there.json(), CreateIndex: 0, ModifyIndex: 0 });

    const upd = await req(DC1, 'PUT', `/v1/acl/policy/${app.policy}`, { Name: 'kv-app', Rules: 'key_prefix "app2/" { policy = "write" }' }, MGMT);
    expect(upd.status, upd.text).toBe(200);
    await kvWriteAnswers(DC2, 'app2/one', app.secret, 200);
    expect((await req(DC2, 'PUT', '/v1/kv/app/two', 'v', app.secret)).status).toBe(403);
  });

  it('stops accepting in dc2 a token deleted in dc1', async () => {
    const gone = await tokenWith(DC1, 'kv-gone', 'key_prefix "gone/" { policy = "write" }');
    await kvWriteAnswers(DC2, 'gone/one', gone.secret, 200);
    expect((await req(DC1, 'DELETE', `/v1/acl/token/${gone.accessor}`, undefined, MGMT)).status).toBe(200);
    await kvWriteAnswers(DC2, 'gone/two', gone.secret, 403);
    expect((await req(DC2, 'PUT', '/v1/kv/gone/three', 'v', gone.secret)).text).toBe('ACL not found');
  });

  it('keeps a local token of dc2 in dc2 only, through later replication rounds', async () => {
    await eventually(async () => (await req(DC2, 'GET', '/v1/acl/token/self', undefined, MGMT)).status === 200, 'the management token in dc2', 150, 200);
    const local = await tokenWith(DC2, 'kv-local', 'key_prefix "local/" { policy = "write" }', true);
    expect((await req(DC2, 'GET', `/v1/acl/token/${local.accessor}`, undefined, MGMT)).json().Local).toBe(true);
    await kvWriteAnswers(DC2, 'local/one', local.secret, 200);
    expect((await req(DC1, 'GET', `/v1/acl/token/${local.accessor}`, undefined, MGMT)).status).toBe(404);
    expect((await req(DC1, 'PUT', '/v1/kv/local/one', 'v', local.secret)).status).toBe(403);
    // Another global token replicates: the local one is still there and still works.
    const later = await tokenWith(DC1, 'kv-later', 'key_prefix "later/" { policy = "write" }');
    await kvWriteAnswers(DC2, 'later/one', later.secret, 200);
    expect((await req(DC2, 'PUT', '/v1/kv/local/two', 'v', local.secret)).status).toBe(200);
    const listed = (await req(DC2, 'GET', '/v1/acl/tokens', undefined, MGMT)).json() as Array<{ AccessorID: string; Local: boolean }>;
    expect(listed.find((t) => t.AccessorID === local.accessor)?.Local).toBe(true);
  });

  it('forwards writes of global objects made in dc2 to dc1', async () => {
    const p = await req(DC2, 'PUT', '/v1/acl/policy', { Name: 'made-in-dc2', Rules: 'key_prefix "dc2/" { policy = "write" }' }, MGMT);
    expect(p.status, p.text).toBe(200);
    expect((await req(DC1, 'GET', `/v1/acl/policy/${p.json().ID}`, undefined, MGMT)).json().Name).toBe('made-in-dc2');
    const t = await req(DC2, 'PUT', '/v1/acl/token', { Description: 'via dc2', Policies: [{ Name: 'made-in-dc2' }] }, MGMT);
    expect(t.status, t.text).toBe(200);
    const inDc1 = await req(DC1, 'GET', `/v1/acl/token/${t.json().AccessorID}`, undefined, MGMT);
    expect(inDc1.status, inDc1.text).toBe(200);
    expect(inDc1.json()).toMatchObject({ Description: 'via dc2', Local: false });
    // ... and comes back to dc2 by replication.
    await kvWriteAnswers(DC2, 'dc2/one', t.json().SecretID, 200);
    // A write without acl:write is refused by the primary, with its text.
    const denied = await req(DC2, 'PUT', '/v1/acl/policy', { Name: 'nope', Rules: '' }, t.json().SecretID);
    expect(denied.status).toBe(403);
  });

  it('resolves tokens in dc1 from a secondary without token replication (server and client agent)', async () => {
    const web = await tokenWith(DC1, 'kv-web', 'key_prefix "web/" { policy = "write" }\nservice "web" { policy = "write" }');
    await kvWriteAnswers(DC3, 'web/one', web.secret, 200);
    expect((await req(DC3, 'PUT', '/v1/kv/other/one', 'v', web.secret)).status).toBe(403);
    const unknown = await req(DC3, 'PUT', '/v1/kv/web/two', 'v', '00000000-1111-4222-8333-444444444444');
    expect([unknown.status, unknown.text]).toEqual([403, 'ACL not found']);
    // Token reads go to the primary; local tokens cannot be made here.
    expect((await req(DC3, 'GET', `/v1/acl/token/${web.accessor}`, undefined, MGMT)).json().Description).toBe('kv-web');
    const local = await req(DC3, 'PUT', '/v1/acl/token', { Local: true, Policies: [{ Name: 'kv-web' }] }, MGMT);
    expect([local.status, local.text]).toEqual([400, 'Local tokens are disabled']);
    // The client agent resolves through its server, which asks dc1; its sync is checked the same way.
    const reg = await req(DC3_CLIENT, 'PUT', '/v1/agent/service/register', { Name: 'web', Port: 80, Token: web.secret }, web.secret);
    expect(reg.status, reg.text).toBe(200);
    expect((await req(DC3_CLIENT, 'PUT', '/v1/agent/service/register', { Name: 'db', Port: 5432 }, web.secret)).status).toBe(403);
    await eventually(async () => ((await req(DC3, 'GET', '/v1/catalog/service/web', undefined, MGMT)).json() as unknown[]).length === 1, 'web in dc3\'s catalog', 150, 200);
  });

  it('resolves tokens in dc1 from a secondary with token replication until a token has replicated', async () => {
    await start(DC4, 'dc4', ['-server', '-bootstrap', '-retry-join-wan', DC1, '-retry-interval-wan', '1s'], {
      acl: { enable_token_replication: true, tokens: { replication: '00000000-5555-4666-8777-888888888888' } },
    });
    await leaderOf(DC4);
    const dc4 = await tokenWith(DC1, 'kv-dc4', 'key_prefix "dc4/" { policy = "write" }');
    // Resolved in dc1 (dc4's tables are empty): its policy applies, and nothing beyond it.
    await kvWriteAnswers(DC4, 'dc4/one', dc4.secret, 200);
    expect((await req(DC4, 'PUT', '/v1/kv/other/one', 'v', dc4.secret)).status).toBe(403);
    const unknown = await req(DC4, 'PUT', '/v1/kv/dc4/two', 'v', '00000000-1111-4222-8333-444444444444');
    expect([unknown.status, unknown.text]).toEqual([403, 'ACL not found']);
    // Replication fails all along: the fallback, not a replicated copy, answered.
    const s4 = await eventually(async () => {
      const s = (await req(DC4, 'GET', '/v1/acl/replication')).json();
      return s.LastErrorMessage !== '' ? s : undefined;
    }, 'dc4 reporting its replication error', 150, 200);
    expect(s4).toMatchObject({ Enabled: true, ReplicationType: 'tokens', ReplicatedTokenIndex: 0 });
  });

  it('reports the replication status with Consul\'s fields in every datacenter', async () => {
    const primary = await req(DC1, 'GET', '/v1/acl/replication');
    expect(primary.status, primary.text).toBe(200);
    expect(primary.json()).toEqual({
      Enabled: false, Running: false, SourceDatacenter: '', ReplicationType: '',
      ReplicatedIndex: 0, ReplicatedRoleIndex: 0, ReplicatedTokenIndex: 0,
      LastSuccess: GO_ZERO_TIME, LastError: GO_ZERO_TIME, LastErrorMessage: '',
    });
    const dc1Index = Number((await req(DC1, 'GET', '/v1/acl/policies', undefined, MGMT)).headers.get('x-consul-index'));
    const s2 = await eventually(async () => {
      const s = (await req(DC2, 'GET', '/v1/acl/replication')).json();
      return s.ReplicatedIndex >= dc1Index && s.ReplicatedTokenIndex >= dc1Index ? s : undefined;
    }, 'dc2 replicated through dc1\'s index', 150, 200);
    expect(s2).toMatchObject({ Enabled: true, Running: true, SourceDatacenter: 'dc1', ReplicationType: 'tokens' });
    expect(Object.keys(s2)).toEqual(['Enabled', 'Running', 'SourceDatacenter', 'ReplicationType', 'ReplicatedIndex', 'ReplicatedRoleIndex', 'ReplicatedTokenIndex', 'LastSuccess', 'LastError', 'LastErrorMessage']);
    expect(s2.ReplicatedRoleIndex).toBeGreaterThan(0);
    expect(s2.LastSuccess).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.now() - Date.parse(s2.LastSuccess)).toBeLessThan(120_000);
    const s3 = (await req(DC3, 'GET', '/v1/acl/replication')).json();
    expect(s3).toMatchObject({ Enabled: true, Running: true, SourceDatacenter: 'dc1', ReplicationType: 'policies', ReplicatedTokenIndex: 0 });
    expect(s3.ReplicatedIndex).toBeGreaterThan(0);
    // The secondaries refuse to bootstrap (ACLs are the primary's).
    expect((await req(DC2, 'PUT', '/v1/acl/bootstrap')).status).toBe(401);
  });
});
