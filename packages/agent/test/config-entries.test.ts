// Config entries against real agents. A three-server cluster (127.0.90.11-13) with bootstrap
// entries in its config file and a client agent (127.0.90.14): writes through a follower and
// through the client, reads and a blocking query woken by a write, Consul's 400s, check-and-set,
// bootstrap entries created once and never overwritten, the table surviving a server's kill -9.
// A single server with ACLs on (127.0.90.21): each kind's read and write permissions.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IPS = ['127.0.90.11', '127.0.90.12', '127.0.90.13'];
const CLIENT = '127.0.90.14';
const ACL_IP = '127.0.90.21';
const MGMT = '6c1a3d7e-2b4f-4e8a-9c0d-1e2f3a4b5c6d';
const dir = tempDir('config-entries-');
const agents: (AgentProcess | undefined)[] = [];
let client: AgentProcess | undefined;
let aclServer: AgentProcess | undefined;

const BOOTSTRAP_HCL = `
config_entries {
  bootstrap = [
    {
      kind = "proxy-defaults"
      name = "global"
      config {
        protocol = "http"
      }
    },
    {
      kind = "mesh"
      transparent_proxy {
        mesh_destinations_only = true
      }
    }
  ]
}
`;

const serverArgs = (i: number): string[] => [
  '-server', '-bootstrap-expect', '3', '-data-dir', join(dir.path, `s${i}`), '-bind', IPS[i]!, '-client', IPS[i]!, '-node', `ce-server-${i + 1}`,
  '-retry-join', IPS[(i + 1) % 3]!, '-retry-interval', '1s', '-config-file', join(dir.path, 'bootstrap.hcl'), '-log-level', 'warn',
];
const startServer = async (i: number): Promise<AgentProcess> => (agents[i] = await startAgentProcess(serverArgs(i), `${IPS[i]}:8500`, { waitForLeader: false }));
const call = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(base, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers);
const server = (i: number) => agents[i]!.base;

async function agreedLeader(): Promise<number> {
  return eventually(async () => {
    const names = await Promise.all([0, 1, 2].map((i) => call(server(i), 'GET', '/v1/status/leader').then((r) => (r.status === 200 ? (r.json() as string) : ''), () => '')));
    if (names[0] === '' || names.some((n) => n !== names[0])) return undefined;
    return IPS.indexOf(names[0]!.split(':')[0]!) + 1;
  }, 'an agreed leader', 150, 100).then((i) => i - 1);
}

async function onEveryServer(path: string, ok: (r: { status: number; json(): any }) => boolean, what: string): Promise<void> {
  await eventually(async () => {
    const rs = await Promise.all([0, 1, 2].map((i) => call(server(i), 'GET', `${path}${path.includes('?') ? '&' : '?'}stale`)));
    return rs.every(ok);
  }, what, 100, 100);
}

afterAll(async () => {
  for (const a of [...agents, client, aclServer]) await a?.kill9();
  dir.remove();
});

describe('config entries in a 3-server cluster with a client agent', () => {
  it('bootstraps, replicates, forwards writes, wakes blocking reads, refuses bad entries, survives a kill -9', async () => {
    writeFileSync(join(dir.path, 'bootstrap.hcl'), BOOTSTRAP_HCL);
    await Promise.all(IPS.map((_, i) => startServer(i)));
    const leader = await agreedLeader();
    const [f1] = [0, 1, 2].filter((i) => i !== leader) as [number, number];
    client = await startAgentProcess(['-data-dir', join(dir.path, 'c1'), '-bind', CLIENT, '-client', CLIENT, '-node', 'ce-client', '-retry-join', IPS[0]!, '-retry-interval', '1s', '-log-level', 'warn'], `${CLIENT}:8500`, { waitForLeader: true });

    // The leader created the bootstrap entries, as Consul serves them.
    await onEveryServer('/v1/config/proxy-defaults/global', (r) => r.status === 200, 'the bootstrap proxy-defaults on every server');
    const pd = await call(client.base, 'GET', '/v1/config/proxy-defaults/global');
    expect(pd.status, pd.text).toBe(200);
    expect(pd.json()).toMatchObject({ Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' }, TransparentProxy: {}, MeshGateway: {}, Expose: {} });
    const mesh = await call(client.base, 'GET', '/v1/config/mesh/mesh');
    expect(mesh.json()).toMatchObject({ Kind: 'mesh', TransparentProxy: { MeshDestinationsOnly: true } });
    expect(mesh.json().Name).toBeUndefined();

    // A blocking list through the client wakes when a write through a follower commits.
    const before = await call(client.base, 'GET', '/v1/config/service-defaults');
    expect(before.json()).toEqual([]);
    const index = Number(before.headers.get('x-consul-index'));
    expect(index).toBeGreaterThan(0);
    const started = Date.now();
    const blocked = call(client.base, 'GET', `/v1/config/service-defaults?index=${index}&wait=20s`);
    await new Promise((r) => setTimeout(r, 300));
    const put = await call(server(f1), 'PUT', '/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'HTTP' });
    expect(put.status, put.text).toBe(200);
    expect(put.json()).toBe(true);
    const woke = await blocked;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect(woke.json()).toEqual([{ Kind: 'service-defaults', Name: 'web', Protocol: 'http', TransparentProxy: {}, MeshGateway: {}, Expose: {}, CreateIndex: expect.any(Number), ModifyIndex: expect.any(Number) }]);
    await onEveryServer('/v1/config/service-defaults/web', (r) => r.status === 200 && r.json().Protocol === 'http', 'service-defaults/web on every server');

    // A write through the client agent (snake_case keys), intentions with their precedence.
    const ixn = await call(client.base, 'PUT', '/v1/config', { kind: 'service-intentions', name: 'db', sources: [{ name: '*', action: 'deny' }, { name: 'web', action: 'allow' }] });
    expect(ixn.status, ixn.text).toBe(200);
    const db = await call(server(leader), 'GET', '/v1/config/service-intentions/db');
    expect(db.json().Sources).toEqual([
      { Name: 'web', Action: 'allow', Precedence: 9, Type: 'consul' },
      { Name: '*', Action: 'deny', Precedence: 8, Type: 'consul' },
    ]);

    // Consul's refusals, answered through the client and a follower.
    const bad = [
      [{ Kind: 'service-defaults', Name: 'x', Bogus: 1 }, 'Request decoding failed: 1 error occurred:\n\t* invalid config key "Bogus"\n\n'],
      [{ Kind: 'proxy-defaults', Name: 'web' }, 'invalid name ("web"), only "global" is supported'],
      [{ Kind: 'nope', Name: 'x' }, 'Request decoding failed: invalid config entry kind: nope'],
      [{ Kind: 'service-intentions', Name: 'db', Sources: [{ Name: 'web' }] }, "Sources[0].Action must be set to 'allow' or 'deny'"],
      ['{"Kind": ', 'Request decoding failed: unexpected EOF'],
    ] as const;
    for (const base of [client.base, server(f1)]) {
      for (const [body, text] of bad) {
        const r = await call(base, 'PUT', '/v1/config', body);
        expect([r.status, r.text]).toEqual([400, text]);
      }
    }
    // A splitter needs an L7 protocol for its service (checked when the write applies).
    // The subsets it splits to must exist (the discovery chain compiles with the resolver).
    const split = { Kind: 'service-splitter', Name: 'web', Splits: [{ Weight: 90, ServiceSubset: 'v1' }, { Weight: 10, ServiceSubset: 'v2' }] };
    const noSubset = await call(client.base, 'PUT', '/v1/config', split);
    expect([noSubset.status, noSubset.text]).toEqual([400, 'service "web" does not have a subset named "v1"']);
    expect((await call(client.base, 'PUT', '/v1/config', { Kind: 'service-resolver', Name: 'web', Subsets: { v1: {}, v2: {} } })).json()).toBe(true);
    const tcp = await call(server(f1), 'PUT', '/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'tcp' });
    expect(tcp.json()).toBe(true);
    const refused = await call(client.base, 'PUT', '/v1/config', split);
    expect([refused.status, refused.text]).toEqual([400, 'discovery chain "web" uses a protocol "tcp" that does not permit advanced routing or splitting behavior']);
    expect((await call(client.base, 'PUT', '/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'http' })).json()).toBe(true);
    expect((await call(client.base, 'PUT', '/v1/config', split)).json()).toBe(true);
    expect((await call(client.base, 'DELETE', '/v1/config/service-splitter/web')).status).toBe(200);
    expect((await call(client.base, 'DELETE', '/v1/config/service-resolver/web')).status).toBe(200);

    const missing = await call(client.base, 'GET', '/v1/config/service-defaults/nope');
    expect([missing.status, missing.text]).toEqual([404, 'Config entry not found for "service-defaults" / "nope"']);

    // Check-and-set writes and deletes.
    const web = (await call(client.base, 'GET', '/v1/config/service-defaults/web')).json();
    expect((await call(client.base, 'PUT', '/v1/config?cas=0', { Kind: 'service-defaults', Name: 'web' })).json()).toBe(false);
    expect((await call(client.base, 'PUT', `/v1/config?cas=${web.ModifyIndex}`, { Kind: 'service-defaults', Name: 'web', Protocol: 'grpc' })).json()).toBe(true);
    expect((await call(client.base, 'DELETE', `/v1/config/service-defaults/web?cas=${web.ModifyIndex}`)).json()).toBe(false);
    const del = await call(client.base, 'DELETE', '/v1/config/service-defaults/web');
    expect([del.status, del.json()]).toEqual([200, {}]);
    await onEveryServer('/v1/config/service-defaults/web', (r) => r.status === 404, 'the deleted entry gone everywhere');

    // Bootstrap only creates: an entry changed through the API keeps its change when a new leader
    // bootstraps again (the old leader killed, then back with its data).
    const changed = await call(client.base, 'PUT', '/v1/config', { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'grpc' } });
    expect(changed.json()).toBe(true);
    await onEveryServer('/v1/config/proxy-defaults/global', (r) => r.status === 200 && r.json().Config.protocol === 'grpc', 'the changed proxy-defaults everywhere');
    await agents[leader]!.kill9();
    await startServer(leader);
    await agreedLeader();
    await onEveryServer('/v1/config', () => true, 'servers answering');
    await onEveryServer('/v1/config/service-intentions/db', (r) => r.status === 200, 'the intentions on every server after the restart');
    const after = await call(client.base, 'GET', '/v1/config/proxy-defaults/global');
    expect(after.json().Config).toEqual({ protocol: 'grpc' });
    const all = await call(server(leader), 'GET', '/v1/config/?stale');
    expect(all.json().map((e: { Kind: string }) => e.Kind)).toEqual(['mesh', 'proxy-defaults', 'service-intentions']);
  }, 120_000);
});

describe('config entries with ACLs (default deny)', () => {
  it('checks each kind\'s permissions and filters lists', async () => {
    writeFileSync(join(dir.path, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
    aclServer = await startAgentProcess(
      ['-server', '-bootstrap', '-data-dir', join(dir.path, 'acl'), '-bind', ACL_IP, '-client', ACL_IP, '-node', 'ce-acl', '-config-file', join(dir.path, 'acl.json'), '-log-level', 'warn'],
      `${ACL_IP}:8500`,
    );
    const base = aclServer.base;
    const mgmt = { 'X-Consul-Token': MGMT };
    const policy = await call(base, 'PUT', '/v1/acl/policy', { Name: 'web-owner', Rules: 'service "web" { policy = "write" }\nservice "db" { policy = "read" intentions = "write" }' }, mgmt);
    expect(policy.status, policy.text).toBe(200);
    const token = await call(base, 'PUT', '/v1/acl/token', { Policies: [{ Name: 'web-owner' }] }, mgmt);
    const owner = { 'X-Consul-Token': token.json().SecretID as string };
    const accessor = token.json().AccessorID as string;

    expect((await call(base, 'PUT', '/v1/config', { Kind: 'service-defaults', Name: 'web' }, owner)).json()).toBe(true);
    const denied = await call(base, 'PUT', '/v1/config', { Kind: 'service-defaults', Name: 'api' }, owner);
    expect([denied.status, denied.text]).toEqual([403, `Permission denied: token with AccessorID '${accessor}' lacks permission 'service:write' on "api"`]);
    const pd = await call(base, 'PUT', '/v1/config', { Kind: 'proxy-defaults', Name: 'global' }, owner);
    expect([pd.status, pd.text]).toEqual([403, `Permission denied: token with AccessorID '${accessor}' lacks permission 'mesh:write'`]);
    expect((await call(base, 'PUT', '/v1/config', { Kind: 'proxy-defaults', Name: 'global' }, mgmt)).json()).toBe(true);
    // Intentions: the service rule's `intentions`.
    expect((await call(base, 'PUT', '/v1/config', { Kind: 'service-intentions', Name: 'db', Sources: [{ Name: 'web', Action: 'allow' }] }, owner)).json()).toBe(true);
    const ixn = await call(base, 'PUT', '/v1/config', { Kind: 'service-intentions', Name: 'web', Sources: [{ Name: 'db', Action: 'allow' }] }, owner);
    expect([ixn.status, ixn.text]).toEqual([403, `Permission denied: token with AccessorID '${accessor}' lacks permission 'intention:write' on "web"`]);
    expect((await call(base, 'PUT', '/v1/config', { Kind: 'service-defaults', Name: 'api' }, mgmt)).json()).toBe(true);

    // Reads: anyone reads proxy-defaults; service-defaults needs service:read; lists are filtered.
    expect((await call(base, 'GET', '/v1/config/proxy-defaults/global')).status).toBe(200);
    const anonRead = await call(base, 'GET', '/v1/config/service-defaults/web');
    expect([anonRead.status, anonRead.text]).toEqual([403, `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'service:read' on "web"`]);
    const list = await call(base, 'GET', '/v1/config/service-defaults', undefined, owner);
    expect(list.json().map((e: { Name: string }) => e.Name)).toEqual(['web']);
    expect(list.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect((await call(base, 'GET', '/v1/config/service-defaults', undefined, mgmt)).json()).toHaveLength(2);
    const delDenied = await call(base, 'DELETE', '/v1/config/service-defaults/api', undefined, owner);
    expect(delDenied.status).toBe(403);
    expect((await call(base, 'DELETE', '/v1/config/service-defaults/web', undefined, owner)).status).toBe(200);
  }, 60_000);
});
