// service-resolver, service-router and the discovery chain against real agents: a server
// (127.0.97.1) and a client agent forwarding to it (127.0.97.2) without ACLs, and a server with
// ACLs default deny (127.0.97.11). Entries written by HTTP and by `proconsul config write`, read
// back in Consul's shape, Consul's 400s, the graph checks of a write, and GET/POST
// /v1/discovery-chain/:service for the default chain and for a resolver with subsets and failover.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI_JS = resolve(RUN_JS, '../../../cli/dist/bin.js');
const SERVER = '127.0.97.1';
const CLIENT = '127.0.97.2';
const ACL_SERVER = '127.0.97.11';
const MGMT = '3d6e2c1b-7a4f-4b8e-9c2d-5e6f7a8b9c0d';

const dir = tempDir('discovery-chain-');
const started: AgentProcess[] = [];
let server: AgentProcess;
let client: AgentProcess;

const call = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(base, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers);

async function start(ip: string, args: string[], waitForLeader = true): Promise<AgentProcess> {
  const a = await startAgentProcess(['-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', `n-${ip}`, '-dns-port', '-1', '-log-level', 'warn', ...args], `${ip}:8500`, { waitForLeader });
  started.push(a);
  return a;
}

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  // Go's flag parsing stops at the first positional argument: the address goes right after the subcommand.
  const r = spawnSync(process.execPath, [CLI_JS, ...args.slice(0, 2), `-http-addr=${CLIENT}:8500`, ...args.slice(2)], { encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  server = await start(SERVER, ['-server', '-bootstrap']);
  client = await start(CLIENT, ['-retry-join', SERVER, '-retry-interval', '1s'], false);
  await eventually(async () => (await call(client.base, 'GET', '/v1/status/leader')).status === 200, 'the client joined');
}, 120_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

describe('service-resolver and service-router through a client agent', () => {
  it('the default chain of a service without entries, with the CA trust domain in its SNI names', async () => {
    const roots = await eventually(async () => {
      const r = await call(client.base, 'GET', '/v1/connect/ca/roots');
      return r.status === 200 && r.json().TrustDomain ? r.json() : undefined;
    }, 'the CA roots');
    const trust = roots.TrustDomain as string;
    const r = await call(client.base, 'GET', '/v1/discovery-chain/web');
    expect(r.status, r.text).toBe(200);
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(0);
    const sni = `web.default.dc1.internal.${trust}`;
    expect(r.text).toBe(JSON.stringify({
      Chain: {
        ServiceName: 'web', Namespace: 'default', Partition: 'default', Datacenter: 'dc1', Default: true, Protocol: 'tcp',
        StartNode: 'resolver:web.default.default.dc1',
        Nodes: { 'resolver:web.default.default.dc1': { Type: 'resolver', Name: 'web.default.default.dc1', Resolver: { ConnectTimeout: '5s', Default: true, Target: 'web.default.default.dc1' } } },
        Targets: {
          'web.default.default.dc1': {
            ConnectTimeout: '5s', ID: 'web.default.default.dc1', Service: 'web', Namespace: 'default', Partition: 'default', Datacenter: 'dc1',
            MeshGateway: {}, Subset: {}, TransparentProxy: {}, SNI: sni, Name: sni,
          },
        },
      },
    }));
    // POST with overrides, and ?compile-dc.
    const custom = await call(client.base, 'POST', '/v1/discovery-chain/web?compile-dc=dc2', { override_protocol: 'http', OverrideConnectTimeout: '2s', OverrideMeshGateway: { Mode: 'local' } });
    expect(custom.status, custom.text).toBe(200);
    expect(custom.json().Chain).toMatchObject({ Datacenter: 'dc2', Protocol: 'http', StartNode: 'resolver:web.default.default.dc2' });
    expect(custom.json().Chain.CustomizationHash).toMatch(/^[0-9a-f]{8}$/);
    expect(custom.json().Chain.Targets['web.default.default.dc2']).toMatchObject({ ConnectTimeout: '2s', MeshGateway: { Mode: 'local' } });
    const badMode = await call(client.base, 'POST', '/v1/discovery-chain/web', { OverrideMeshGateway: { Mode: 'sideways' } });
    expect([badMode.status, badMode.text]).toEqual([400, 'Invalid OverrideMeshGateway.Mode parameter']);
    const badTimeout = await call(client.base, 'POST', '/v1/discovery-chain/web', { OverrideConnectTimeout: 'soon' });
    expect([badTimeout.status, badTimeout.text]).toEqual([400, `Request decoding failed: 1 error(s) decoding:\n\n* error decoding 'OverrideConnectTimeout': time: invalid duration "soon"`]);
    const noBody = await call(client.base, 'POST', '/v1/discovery-chain/web');
    expect([noBody.status, noBody.text]).toEqual([400, 'Request decoding failed: EOF']);
    const noName = await call(client.base, 'GET', '/v1/discovery-chain/');
    expect([noName.status, noName.text]).toEqual([400, 'Missing chain name']);
  }, 60_000);

  it('writes a resolver with subsets and failover by HTTP, reads it back as Consul serves it, compiles it; a blocking chain read wakes', async () => {
    const before = await call(client.base, 'GET', '/v1/discovery-chain/api');
    const index = before.headers.get('x-consul-index');
    const blocked = call(client.base, 'GET', `/v1/discovery-chain/api?index=${index}&wait=20s`);
    const put = await call(client.base, 'PUT', '/v1/config', {
      kind: 'service-resolver', name: 'api', default_subset: 'v1', connect_timeout: '15s',
      subsets: { v1: { filter: 'Service.Meta.version == v1' }, v2: { filter: 'Service.Meta.version == v2', only_passing: true } },
      failover: { '*': { datacenters: ['dc2', 'dc3'] } },
    });
    expect([put.status, put.text]).toEqual([200, 'true']);
    const woke = await blocked;
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
    expect(woke.json().Chain.StartNode).toBe('resolver:v1.api.default.default.dc1');

    const got = await call(client.base, 'GET', '/v1/config/service-resolver/api');
    expect(got.status).toBe(200);
    const { CreateIndex, ModifyIndex, ...entry } = got.json();
    expect(CreateIndex).toBeGreaterThan(0);
    expect(ModifyIndex).toBe(CreateIndex);
    expect(JSON.stringify(entry)).toBe(JSON.stringify({
      ConnectTimeout: '15s', Kind: 'service-resolver', Name: 'api', DefaultSubset: 'v1',
      Subsets: { v1: { Filter: 'Service.Meta.version == v1' }, v2: { Filter: 'Service.Meta.version == v2', OnlyPassing: true } },
      Failover: { '*': { Datacenters: ['dc2', 'dc3'] } },
    }));

    const chain = (await call(client.base, 'GET', '/v1/discovery-chain/api')).json().Chain;
    expect(chain.Default).toBeUndefined();
    expect(chain.Nodes).toEqual({
      'resolver:v1.api.default.default.dc1': {
        Type: 'resolver', Name: 'v1.api.default.default.dc1',
        Resolver: { ConnectTimeout: '15s', Target: 'v1.api.default.default.dc1', Failover: { Targets: ['v1.api.default.default.dc2', 'v1.api.default.default.dc3'] } },
      },
    });
    expect(Object.keys(chain.Targets)).toEqual(['v1.api.default.default.dc1', 'v1.api.default.default.dc2', 'v1.api.default.default.dc3']);
    expect(chain.Targets['v1.api.default.default.dc3']).toMatchObject({ ConnectTimeout: '15s', ServiceSubset: 'v1', Datacenter: 'dc3', Subset: { Filter: 'Service.Meta.version == v1' } });
  }, 60_000);

  it("answers Consul's 400s for bad resolvers and routers and for writes that break a chain", async () => {
    const bad = async (entry: unknown, text: string) => {
      const r = await call(client.base, 'PUT', '/v1/config', entry);
      expect([r.status, r.text], JSON.stringify(entry)).toEqual([400, text]);
    };
    await bad({ Kind: 'service-resolver', Name: 'x', DefaultSubset: 'gone', Subsets: { v1: {} } }, 'DefaultSubset "gone" is not a valid subset');
    await bad({ Kind: 'service-resolver', Name: 'x', Subsets: { V1: {} } }, `Subset "V1" is invalid: must be 63 characters or fewer, begin or end with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-' in between`);
    await bad({ Kind: 'service-resolver', Name: 'x', Redirect: { Service: 'y' }, Failover: { '*': { Service: 'z' } } }, 'Redirect and Failover cannot both be set');
    const filter = await call(client.base, 'PUT', '/v1/config', { Kind: 'service-resolver', Name: 'x', Subsets: { v1: { Filter: 'Service.Meta.version ==' } } });
    expect(filter.status).toBe(400);
    expect(filter.text).toMatch(/^Filter for subset "v1" is not a valid expression: /);
    await bad({ Kind: 'service-router', Name: 'x', Routes: [{ Match: { HTTP: { PathExact: 'x' } } }] }, `Route[0] PathExact doesn't start with '/': "x"`);
    await bad({ Kind: 'service-router', Name: 'x', Routes: [{ Match: { HTTP: { PathPrefix: '/a' } }, Destination: { RetryOn: ['never'] } }] }, 'Route[0] contains an invalid retry condition: "never"');
    // The graph: a router needs an HTTP protocol and the subsets it names.
    const router = { Kind: 'service-router', Name: 'api', Routes: [{ Match: { HTTP: { PathPrefix: '/v2', Methods: ['get'] } }, Destination: { ServiceSubset: 'v2', RequestTimeout: '10s' } }] };
    await bad(router, 'discovery chain "api" uses a protocol "tcp" that does not permit advanced routing or splitting behavior');
    expect((await call(client.base, 'PUT', '/v1/config', { Kind: 'service-defaults', Name: 'api', Protocol: 'http' })).json()).toBe(true);
    await bad({ ...router, Routes: [{ Destination: { ServiceSubset: 'v9' } }] }, 'service "api" does not have a subset named "v9"');
    expect((await call(client.base, 'PUT', '/v1/config', router)).json()).toBe(true);
    const stored = (await call(client.base, 'GET', '/v1/config/service-router/api')).json();
    expect(stored.Routes).toEqual([{ Match: { HTTP: { PathPrefix: '/v2', Methods: ['GET'] } }, Destination: { RequestTimeout: '10s', ServiceSubset: 'v2' } }]);
    await bad({ Kind: 'service-defaults', Name: 'api', Protocol: 'tcp' }, 'discovery chain "api" uses a protocol "tcp" that does not permit advanced routing or splitting behavior');
    const del = await call(client.base, 'DELETE', '/v1/config/service-resolver/api');
    expect([del.status, del.text]).toEqual([400, 'service "api" does not have a subset named "v2"']);
    const chain = (await call(client.base, 'GET', '/v1/discovery-chain/api')).json().Chain;
    expect(chain).toMatchObject({ Protocol: 'http', StartNode: 'router:api.default.default' });
    expect(chain.Nodes['router:api.default.default'].Routes.map((r: { NextNode: string }) => r.NextNode)).toEqual(['resolver:v2.api.default.default.dc1', 'resolver:v1.api.default.default.dc1']);
  }, 60_000);

  it('proconsul config write|read|list|delete with HCL files', async () => {
    const resolverFile = join(dir.path, 'resolver.hcl');
    writeFileSync(resolverFile, `Kind = "service-resolver"
Name = "billing"
ConnectTimeout = "3s"
Redirect {
  Service = "payments"
}
`);
    expect(cli(['config', 'write', resolverFile])).toEqual({ status: 0, stdout: 'Config entry written: service-resolver/billing\n', stderr: '' });
    const read = cli(['config', 'read', '-kind', 'service-resolver', '-name', 'billing']);
    expect(read.status).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ ConnectTimeout: '3s', Kind: 'service-resolver', Name: 'billing', Redirect: { Service: 'payments' } });
    expect(cli(['config', 'list', '-kind', 'service-resolver'])).toEqual({ status: 0, stdout: 'api\nbilling\n', stderr: '' });
    const chain = (await call(client.base, 'GET', '/v1/discovery-chain/billing')).json().Chain;
    expect(chain.StartNode).toBe('resolver:payments.default.default.dc1');
    // A redirect to another service is not the default chain, though payments' own resolver is.
    expect(chain.Default).toBeUndefined();
    expect(chain.Nodes['resolver:payments.default.default.dc1'].Resolver).toEqual({ ConnectTimeout: '5s', Default: true, Target: 'payments.default.default.dc1' });
    expect(Object.keys(chain.Targets)).toEqual(['payments.default.default.dc1']);
    const routerFile = join(dir.path, 'router.hcl');
    writeFileSync(routerFile, 'Kind = "service-router"\nName = "billing"\nRoutes = [\n  {\n    Match { HTTP { PathPrefix = "/x" } }\n  },\n]\n');
    expect(cli(['config', 'write', routerFile])).toEqual({
      status: 1, stdout: '',
      stderr: 'Error writing config entry service-router/billing: Unexpected response code: 400 (discovery chain "billing" uses a protocol "tcp" that does not permit advanced routing or splitting behavior)\n',
    });
    expect(cli(['config', 'delete', '-kind', 'service-resolver', '-name', 'billing'])).toEqual({ status: 0, stdout: 'Config entry deleted: service-resolver/billing\n', stderr: '' });
  }, 60_000);
});

describe('ACLs (default deny)', () => {
  it('a chain entry needs service:write on its name and service:read on the services it sends to; the chain needs service:read', async () => {
    const cfg = join(dir.path, 'acl.json');
    writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
    const base = (await start(ACL_SERVER, ['-server', '-bootstrap', '-config-file', cfg])).base;
    const mgmt = { 'X-Consul-Token': MGMT };
    expect((await call(base, 'PUT', '/v1/acl/policy', { Name: 'web-owner', Rules: 'service "web" { policy = "write" }\nservice "db" { policy = "read" }' }, mgmt)).status).toBe(200);
    const token = (await call(base, 'PUT', '/v1/acl/token', { Policies: [{ Name: 'web-owner' }] }, mgmt)).json();
    const owner = { 'X-Consul-Token': token.SecretID as string };
    const denied = (perm: string, name: string) => `Permission denied: token with AccessorID '${token.AccessorID}' lacks permission '${perm}' on "${name}"`;

    expect((await call(base, 'PUT', '/v1/config', { Kind: 'service-resolver', Name: 'web', Failover: { '*': { Service: 'db' } } }, owner)).json()).toBe(true);
    const backup = await call(base, 'PUT', '/v1/config', { Kind: 'service-resolver', Name: 'web', Failover: { '*': { Targets: [{ Service: 'db' }, { Service: 'backup' }] } } }, owner);
    expect([backup.status, backup.text]).toEqual([403, denied('service:read', 'backup')]);
    const other = await call(base, 'PUT', '/v1/config', { Kind: 'service-resolver', Name: 'db' }, owner);
    expect([other.status, other.text]).toEqual([403, denied('service:write', 'db')]);
    expect((await call(base, 'GET', '/v1/discovery-chain/web', undefined, owner)).status).toBe(200);
    const chainDenied = await call(base, 'GET', '/v1/discovery-chain/api', undefined, owner);
    expect([chainDenied.status, chainDenied.text]).toEqual([403, denied('service:read', 'api')]);
    const anon = await call(base, 'GET', '/v1/config/service-resolver/web');
    expect(anon.status).toBe(403);
  }, 60_000);
});
