// enable_central_service_config against real agent processes: proxy-defaults and
// service-defaults written over HTTP reach the proxies registered on a dev agent and on a client
// agent (through its server), in /v1/agent/service/:id, /v1/agent/services and the catalog; an
// entry changed later is merged again within seconds; the registration's own values win; with
// the flag off the proxy is registered as given.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const DEV = '127.0.106.1';
const SERVER = '127.0.106.2';
const CLIENT = '127.0.106.3';
const OFF = '127.0.106.4';
const ACL = '127.0.106.5';
const MGMT = '5c1d2e3f-0a1b-4c2d-8e3f-4a5b6c7d8e9f';
const started: AgentProcess[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const c of cleanups) c();
});

type Json = any;
const get = async (a: AgentProcess, path: string): Promise<Json> => (await http(a.base, 'GET', path)).json();
async function put(a: AgentProcess, path: string, body: unknown): Promise<void> {
  const r = await http(a.base, 'PUT', path, JSON.stringify(body));
  expect(r.status, r.text).toBe(200);
}
async function del(a: AgentProcess, path: string): Promise<void> {
  expect((await http(a.base, 'DELETE', path)).status).toBe(200);
}

async function agent(ip: string, extra: string[], opts: { waitForLeader?: boolean } = {}): Promise<AgentProcess> {
  const a = await startAgentProcess(['-bind', ip, '-client', ip, '-node', `central-${ip.split('.').join('-')}`, '-dns-port', '-1', '-log-level', 'warn', ...extra], `${ip}:8500`, opts);
  started.push(a);
  return a;
}

const WEB = {
  Name: 'web',
  Port: 8080,
  Connect: {
    SidecarService: {
      Proxy: { Config: { own: 'x', foo: 'mine' }, Upstreams: [{ DestinationName: 'db', LocalBindPort: 9191 }] },
    },
  },
};

describe('central service config', () => {
  it('merges proxy-defaults and service-defaults into a sidecar on a dev agent, and again when they change', async () => {
    const a = await agent(DEV, ['-dev']);
    await put(a, '/v1/config', { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http', foo: 'central', bar: 1 }, MeshGateway: { Mode: 'local' } });
    await put(a, '/v1/config', {
      Kind: 'service-defaults', Name: 'web', Protocol: 'grpc', LocalConnectTimeoutMs: 1500,
      UpstreamConfig: { Overrides: [{ Name: 'db', Protocol: 'tcp', ConnectTimeoutMs: 250 }] },
    });
    await put(a, '/v1/agent/service/register', WEB);

    // Merged at once: the registration's own keys win, the rest comes from the entries.
    const first = await get(a, '/v1/agent/service/web-sidecar-proxy');
    expect(first.Proxy.Config).toEqual({ own: 'x', foo: 'mine', protocol: 'grpc', bar: 1, local_connect_timeout_ms: 1500 });
    expect(first.Proxy.MeshGateway).toEqual({ Mode: 'local' });
    expect(first.Proxy.Upstreams).toEqual([
      { DestinationType: 'service', DestinationName: 'db', LocalBindPort: 9191, Config: { protocol: 'tcp', connect_timeout_ms: 250 }, MeshGateway: { Mode: 'local' } },
    ]);
    expect((await get(a, '/v1/agent/services'))['web-sidecar-proxy'].Proxy.Config.protocol).toBe('grpc');
    // The parent is no proxy: nothing is merged into it. A gateway takes the defaults for its own name.
    expect((await get(a, '/v1/agent/service/web')).Proxy).toBeUndefined();
    await put(a, '/v1/agent/service/register', { Kind: 'terminating-gateway', Name: 'tgw', Port: 8443 });
    expect((await get(a, '/v1/agent/service/tgw')).Proxy).toMatchObject({ Config: { protocol: 'http', foo: 'central', bar: 1 }, MeshGateway: { Mode: 'local' } });
    // In transparent mode the upstreams only the central config names join the registration.
    await put(a, '/v1/agent/service/register', { Kind: 'connect-proxy', Name: 'web-tproxy', Port: 21100, Proxy: { DestinationServiceName: 'web', Mode: 'transparent' } });
    const central = { DestinationNamespace: 'default', DestinationPartition: 'default', MeshGateway: { Mode: 'local' }, CentrallyConfigured: true };
    expect((await get(a, '/v1/agent/service/web-tproxy')).Proxy.Upstreams).toEqual(
      expect.arrayContaining([
        { ...central, DestinationName: 'db', Config: { protocol: 'tcp', connect_timeout_ms: 250, mesh_gateway: { Mode: 'local' } } },
        { ...central, DestinationName: '*', Config: { protocol: 'http', mesh_gateway: { Mode: 'local' } } },
      ]),
    );
    await eventually(async () => (await get(a, '/v1/catalog/service/web-tproxy'))[0]?.ServiceProxy?.Upstreams?.some((u: Json) => u.CentrallyConfigured && u.DestinationName === 'db'), 'central upstreams in the catalog');
    // Anti-entropy brings the merged proxy to the catalog.
    await eventually(async () => (await get(a, '/v1/catalog/service/web-sidecar-proxy'))[0]?.ServiceProxy?.Config?.protocol === 'grpc', 'the merged proxy in the catalog');

    // A blocking read on the ContentHash wakes when an entry changes the merged result.
    const blocked = http(a.base, 'GET', `/v1/agent/service/web-sidecar-proxy?hash=${first.ContentHash}&wait=20s`);
    await put(a, '/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'http2' });
    const woke = (await blocked).json();
    expect(woke.ContentHash).not.toBe(first.ContentHash);
    expect(woke.Proxy.Config).toEqual({ own: 'x', foo: 'mine', protocol: 'http2', bar: 1 });
    // The upstream override went with the old entry: db takes proxy-defaults' protocol now.
    expect(woke.Proxy.Upstreams[0].Config).toEqual({ protocol: 'http' });
    await eventually(async () => (await get(a, '/v1/catalog/service/web-sidecar-proxy'))[0]?.ServiceProxy?.Config?.protocol === 'http2', 'the re-merged proxy in the catalog');

    // Without proxy-defaults only the registration and service-defaults remain.
    await del(a, '/v1/config/proxy-defaults/global');
    await eventually(async () => !(await get(a, '/v1/agent/service/web-sidecar-proxy')).Proxy.MeshGateway.Mode, 'the mesh gateway mode gone');
    const last = await get(a, '/v1/agent/service/web-sidecar-proxy');
    expect(last.Proxy.Config).toEqual({ own: 'x', foo: 'mine', protocol: 'http2' });
    expect(last.Proxy.Upstreams[0]).not.toHaveProperty('Config');
  });

  it('merges on a client agent through its server', async () => {
    const data = tempDir('proconsul-central-');
    cleanups.push(data.remove);
    const s = await agent(SERVER, ['-server', '-bootstrap', '-data-dir', join(data.path, 's')]);
    const c = await agent(CLIENT, ['-data-dir', join(data.path, 'c'), '-retry-join', SERVER, '-retry-interval', '1s'], { waitForLeader: true });
    await put(s, '/v1/config', { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' }, Mode: 'transparent', TransparentProxy: { OutboundListenerPort: 15001 } });
    await put(s, '/v1/config', { Kind: 'service-defaults', Name: 'api', MaxInboundConnections: 50 });
    await put(c, '/v1/agent/service/register', {
      Kind: 'connect-proxy', ID: 'api-proxy', Name: 'api-proxy', Port: 21000, Proxy: { DestinationServiceName: 'api', LocalServicePort: 9000, Mode: 'direct' },
    });
    const svc = await get(c, '/v1/agent/service/api-proxy');
    expect(svc.Proxy.Config).toEqual({ protocol: 'http', max_inbound_connections: 50 });
    // The registration's Mode wins over proxy-defaults'; the transparent proxy settings still merge.
    expect(svc.Proxy.Mode).toBe('direct');
    expect(svc.Proxy.TransparentProxy).toEqual({ OutboundListenerPort: 15001 });
    await eventually(async () => (await get(s, '/v1/catalog/service/api-proxy'))[0]?.ServiceProxy?.Config?.max_inbound_connections === 50, 'the merged proxy in the catalog');

    await put(s, '/v1/config', { Kind: 'service-defaults', Name: 'api', MaxInboundConnections: 75 });
    await eventually(async () => (await get(c, '/v1/agent/service/api-proxy')).Proxy.Config.max_inbound_connections === 75, 'the client re-merging', 50);
    await eventually(async () => (await get(s, '/v1/catalog/service/api-proxy'))[0]?.ServiceProxy?.Config?.max_inbound_connections === 75, 'the catalog following', 50);

    // After a restart the client shows the merged proxy again (and keeps following the entries).
    const restarted = started.indexOf(c);
    await c.stop();
    const c2 = await agent(CLIENT, ['-data-dir', join(data.path, 'c'), '-retry-join', SERVER, '-retry-interval', '1s'], { waitForLeader: true });
    started.splice(restarted, 1);
    expect((await get(c2, '/v1/agent/service/api-proxy')).Proxy.Config.max_inbound_connections).toBe(75);
    await put(s, '/v1/config', { Kind: 'service-defaults', Name: 'api', MaxInboundConnections: 90 });
    await eventually(async () => (await get(c2, '/v1/agent/service/api-proxy')).Proxy.Config.max_inbound_connections === 90, 'the restarted client re-merging', 100);
  });

  it('registers as given with enable_central_service_config = false', async () => {
    const dir = tempDir('proconsul-central-off-');
    cleanups.push(dir.remove);
    const cfg = join(dir.path, 'off.json');
    writeFileSync(cfg, JSON.stringify({ enable_central_service_config: false }));
    const a = await agent(OFF, ['-dev', '-config-file', cfg]);
    await put(a, '/v1/config', { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' }, MeshGateway: { Mode: 'local' } });
    await put(a, '/v1/agent/service/register', WEB);
    const svc = await get(a, '/v1/agent/service/web-sidecar-proxy');
    expect(svc.Proxy.Config).toEqual({ own: 'x', foo: 'mine' });
    expect(svc.Proxy.MeshGateway).toEqual({});
    expect(svc.Proxy.Upstreams[0]).not.toHaveProperty('Config');
  });

  it('refuses a proxy whose token may not read the service it fronts, as Consul does', async () => {
    const dir = tempDir('proconsul-central-acl-');
    cleanups.push(dir.remove);
    const cfg = join(dir.path, 'acl.json');
    writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
    const a = await agent(ACL, ['-dev', '-config-file', cfg]);
    const asMgmt = { 'X-Consul-Token': MGMT };
    const token = async (rules: string): Promise<string> => {
      const name = `p${Math.random().toString(36).slice(2, 10)}`;
      expect((await http(a.base, 'PUT', '/v1/acl/policy', JSON.stringify({ Name: name, Rules: rules }), asMgmt)).status).toBe(200);
      return (await http(a.base, 'PUT', '/v1/acl/token', JSON.stringify({ Policies: [{ Name: name }] }), asMgmt)).json().SecretID as string;
    };
    expect((await http(a.base, 'PUT', '/v1/config', JSON.stringify({ Kind: 'service-defaults', Name: 'api', Protocol: 'http' }), asMgmt)).status).toBe(200);
    const proxy = JSON.stringify({ Kind: 'connect-proxy', ID: 'api-proxy', Name: 'api-proxy', Port: 21000, Proxy: { DestinationServiceName: 'api' } });

    const writeOnlyProxy = await token('service "api-proxy" { policy = "write" }');
    const denied = await http(a.base, 'PUT', '/v1/agent/service/register', proxy, { 'X-Consul-Token': writeOnlyProxy });
    expect(denied.status).toBe(403);
    expect(denied.text).toMatch(/^could not retrieve initial service_defaults config for service "api-proxy": Permission denied/);
    expect((await http(a.base, 'GET', '/v1/agent/service/api-proxy', undefined, asMgmt)).status).toBe(404);

    const allowed = await token('service "api-proxy" { policy = "write" }\nservice "api" { policy = "read" }');
    expect((await http(a.base, 'PUT', '/v1/agent/service/register', proxy, { 'X-Consul-Token': allowed })).status).toBe(200);
    expect((await http(a.base, 'GET', '/v1/agent/service/api-proxy', undefined, asMgmt)).json().Proxy.Config).toEqual({ protocol: 'http' });
  });
});
