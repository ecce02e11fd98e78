// Ingress and terminating gateways against a real server (127.0.98.1): gateway services
// registered in the catalog, entries written over HTTP and with `proconsul config write`,
// /v1/catalog/gateway-services and /v1/health/ingress in Consul's shapes (also as blocking
// queries woken by a registration), `dig web.ingress.consul` answering the gateway, Consul's
// 400s; the index rebuilt after a restart from the snapshot and the log. With ACLs (127.0.98.2):
// service:read on the gateway, then each mapping's service filtered.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.98.1';
const ACL_IP = '127.0.98.2';
const MGMT = '0f4d2c6b-8e1a-4b3c-9d7e-5a6b7c8d9e0f';
const GW_IP = '127.0.98.5';
const CLI_JS = resolve(RUN_JS, '../../../cli/dist/bin.js');
const dir = tempDir('gateways-');
let agent: AgentProcess | undefined;
let aclAgent: AgentProcess | undefined;

const args = ['-server', '-bootstrap', '-data-dir', join(dir.path, 'data'), '-bind', IP, '-client', IP, '-node', 'gw-server', '-log-level', 'warn'];
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(agent!.base, method, path, body === undefined ? undefined : JSON.stringify(body), headers);
const cli = (cmd: string, sub: string, ...rest: string[]) => spawnSync(process.execPath, [CLI_JS, cmd, sub, `-http-addr=${IP}:8500`, ...rest], { encoding: 'utf8' });

const register = (node: string, address: string, service: Record<string, unknown>) => call('PUT', '/v1/catalog/register', { Node: node, Address: address, Service: service });
const sidecar = (dest: string, port: number) => ({ ID: `${dest}-sidecar-proxy`, Service: `${dest}-sidecar-proxy`, Kind: 'connect-proxy', Port: port, Proxy: { DestinationServiceName: dest } });

afterAll(async () => {
  await agent?.kill9();
  await aclAgent?.kill9();
  dir.remove();
});

describe('ingress and terminating gateways', () => {
  it('derives gateway services from entries and the catalog, serves them over HTTP and DNS, refuses bad entries', async () => {
    agent = await startAgentProcess(args, `${IP}:8500`);

    // The gateways and the services they front, as Consul's tutorials register them.
    expect((await register('gw-node', GW_IP, { ID: 'ig-1', Service: 'ig', Kind: 'ingress-gateway', Port: 8888 })).status).toBe(200);
    expect((await register('gw-node', GW_IP, { ID: 'tg-1', Service: 'tg', Kind: 'terminating-gateway', Port: 8443 })).status).toBe(200);
    expect((await register('app-node', '127.0.98.6', { ID: 'web', Service: 'web', Port: 8080 })).status).toBe(200);
    expect((await register('app-node', '127.0.98.6', sidecar('web', 21000))).status).toBe(200);
    expect((await register('db-node', '127.0.98.7', { ID: 'db', Service: 'db', Port: 5432 })).status).toBe(200);

    expect((await call('PUT', '/v1/config', { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' } })).text).toBe('true');
    expect((await call('PUT', '/v1/config', { Kind: 'service-defaults', Name: 'db', Protocol: 'tcp' })).text).toBe('true');

    // Consul's 400s: Validate, then the graph check against the services' protocols.
    const wildcardTcp = await call('PUT', '/v1/config', { Kind: 'ingress-gateway', Name: 'ig', Listeners: [{ Port: 8080, Services: [{ Name: '*' }] }] });
    expect([wildcardTcp.status, wildcardTcp.text]).toEqual([400, "Wildcard service name is only valid for protocol = 'http' (listener on port 8080)"]);
    const mismatch = await call('PUT', '/v1/config', { Kind: 'ingress-gateway', Name: 'ig', Listeners: [{ Port: 9090, Protocol: 'http', Services: [{ Name: 'db' }] }] });
    expect([mismatch.status, mismatch.text]).toEqual([400, 'service "db" has protocol "tcp", which does not match defined listener protocol "http"']);

    // The ingress entry with the CLI, from HCL as Consul's docs write it.
    writeFileSync(join(dir.path, 'ig.hcl'), `
Kind = "ingress-gateway"
Name = "ig"
Listeners = [
  {
    Port     = 8080
    Protocol = "http"
    Services = [{ Name = "*" }]
  },
  {
    Port     = 9090
    Protocol = "tcp"
    Services = [{ Name = "db" }]
  }
]
`);
    const wrote = cli('config', 'write', join(dir.path, 'ig.hcl'));
    expect([wrote.status, wrote.stdout.trim()], wrote.stderr).toEqual([0, 'Config entry written: ingress-gateway/ig']);
    writeFileSync(join(dir.path, 'bad.hcl'), 'Kind = "terminating-gateway"\nName = "ig"\nServices = [{ Name = "db" }]\n');
    const clash = cli('config', 'write', join(dir.path, 'bad.hcl'));
    expect(clash.status).toBe(1);
    expect(clash.stderr.trim().split('\n')).toHaveLength(1);
    expect(clash.stderr).toContain('cannot create a \\"terminating-gateway\\" config entry with name \\"ig\\"'.replace(/\\"/g, '"'));

    const tg = await call('PUT', '/v1/config', { Kind: 'terminating-gateway', Name: 'tg', Services: [{ Name: 'db', CAFile: '/etc/ca.pem', SNI: 'db.example' }] });
    expect(tg.text).toBe('true');

    // The entries read back in Consul's shape.
    const ig = (await call('GET', '/v1/config/ingress-gateway/ig')).json();
    expect(ig).toMatchObject({ Kind: 'ingress-gateway', Name: 'ig', TLS: { Enabled: false }, Listeners: [{ Port: 8080, Protocol: 'http', Services: [{ Name: '*', Hosts: null }] }, { Port: 9090, Protocol: 'tcp' }] });

    // gateway-services: the named service and the wildcard's services that have a proxy.
    const gs = await call('GET', '/v1/catalog/gateway-services/ig');
    expect(gs.status).toBe(200);
    const igIndex = ig.ModifyIndex as number;
    expect(gs.json()).toEqual([
      { Gateway: { Name: 'ig' }, Service: { Name: 'db' }, GatewayKind: 'ingress-gateway', Port: 9090, Protocol: 'tcp', CreateIndex: igIndex, ModifyIndex: igIndex },
      { Gateway: { Name: 'ig' }, Service: { Name: 'web' }, GatewayKind: 'ingress-gateway', Port: 8080, Protocol: 'http', FromWildcard: true, CreateIndex: igIndex, ModifyIndex: igIndex },
    ]);
    const tgServices = (await call('GET', '/v1/catalog/gateway-services/tg')).json();
    expect(tgServices).toMatchObject([{ Gateway: { Name: 'tg' }, Service: { Name: 'db' }, GatewayKind: 'terminating-gateway', CAFile: '/etc/ca.pem', SNI: 'db.example', ServiceKind: 'service' }]);
    expect((await call('GET', '/v1/catalog/gateway-services/none')).text).toBe('[]');
    const missing = await call('GET', '/v1/catalog/gateway-services/');
    expect([missing.status, missing.text]).toEqual([400, 'Missing gateway name']);

    // A blocking query wakes when a service gets a proxy and joins the wildcard.
    const index = Number(gs.headers.get('x-consul-index'));
    expect(index).toBeGreaterThan(0);
    const blocked = call('GET', `/v1/catalog/gateway-services/ig?index=${index}&wait=20s`);
    await new Promise((r) => setTimeout(r, 300));
    await register('app-node', '127.0.98.6', { ID: 'api', Service: 'api', Port: 8081 });
    await register('app-node', '127.0.98.6', sidecar('api', 21001));
    // Woken by a write to the services table (maybe the first, as Consul's may wake spuriously); block on until api is in.
    let woke = await blocked;
    let seen = index;
    for (let i = 0; i < 3 && !woke.text.includes('"api"'); i++) {
      expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(seen);
      seen = Number(woke.headers.get('x-consul-index'));
      woke = await call('GET', `/v1/catalog/gateway-services/ig?index=${seen}&wait=20s`);
    }
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(seen);
    expect((woke.json() as { Service: { Name: string } }[]).map((m) => m.Service.Name)).toEqual(['api', 'db', 'web']);

    // health/ingress: the ingress gateway's instances, in health/service's shape.
    const hi = await call('GET', '/v1/health/ingress/web');
    expect(hi.status).toBe(200);
    const entries = hi.json() as { Node: { Node: string; Address: string }; Service: { ID: string; Service: string; Kind: string; Port: number }; Checks: unknown[] }[];
    expect(entries.map((e) => [e.Node.Node, e.Node.Address, e.Service.ID, e.Service.Kind, e.Service.Port])).toEqual([['gw-node', GW_IP, 'ig-1', 'ingress-gateway', 8888]]);
    expect((await call('GET', '/v1/health/ingress/legacy')).json()).toEqual([]);

    // DNS: <service>.ingress.consul answers the gateway's address and port.
    expect(dig(IP, 8600, 'web.ingress.consul', 'A')).toEqual([GW_IP]);
    expect(dig(IP, 8600, 'db.ingress.dc1.consul', 'SRV')).toEqual(['1 1 8888 gw-node.node.dc1.consul.']);
    expect(dig(IP, 8600, 'nothing.ingress.consul', 'A')).toEqual([]);

    // Deleting the entry empties the index; a restart rebuilds it from the stored state.
    await agent.stop();
    agent = await startAgentProcess(args, `${IP}:8500`);
    await eventually(async () => ((await call('GET', '/v1/catalog/gateway-services/ig')).json() as unknown[]).length === 3, 'the gateway services after a restart');
    expect((await call('DELETE', '/v1/config/ingress-gateway/ig')).status).toBe(200);
    expect((await call('GET', '/v1/catalog/gateway-services/ig')).json()).toEqual([]);
    expect((await call('GET', '/v1/health/ingress/web')).json()).toEqual([]);
  }, 120_000);

  it('needs service:read on the gateway and filters the services a token may not read', async () => {
    writeFileSync(join(dir.path, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
    aclAgent = await startAgentProcess(
      ['-server', '-bootstrap', '-data-dir', join(dir.path, 'acl'), '-bind', ACL_IP, '-client', ACL_IP, '-node', 'gw-acl', '-config-file', join(dir.path, 'acl.json'), '-log-level', 'warn'],
      `${ACL_IP}:8500`,
    );
    const mgmt = { 'X-Consul-Token': MGMT };
    const acall = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      http(aclAgent!.base, method, path, body === undefined ? undefined : JSON.stringify(body), headers);
    expect((await acall('PUT', '/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'http' }, mgmt)).status).toBe(200);
    const put = await acall('PUT', '/v1/config', { Kind: 'ingress-gateway', Name: 'ig', Listeners: [{ Port: 8080, Protocol: 'http', Services: [{ Name: 'web' }, { Name: 'secret' }] }] }, mgmt);
    expect(put.status, put.text).toBe(400); // secret's protocol is tcp
    expect((await acall('PUT', '/v1/config', { Kind: 'service-defaults', Name: 'secret', Protocol: 'http' }, mgmt)).status).toBe(200);
    expect((await acall('PUT', '/v1/config', { Kind: 'ingress-gateway', Name: 'ig', Listeners: [{ Port: 8080, Protocol: 'http', Services: [{ Name: 'web' }, { Name: 'secret' }] }] }, mgmt)).status).toBe(200);

    expect((await acall('PUT', '/v1/acl/policy', { Name: 'gw-reader', Rules: 'service "ig" { policy = "read" }\nservice "web" { policy = "read" }' }, mgmt)).status).toBe(200);
    const token = (await acall('PUT', '/v1/acl/token', { Policies: [{ Name: 'gw-reader' }] }, mgmt)).json() as { SecretID: string };
    const reader = { 'X-Consul-Token': token.SecretID };
    const filtered = await acall('GET', '/v1/catalog/gateway-services/ig', undefined, reader);
    expect(filtered.status).toBe(200);
    expect((filtered.json() as { Service: { Name: string } }[]).map((m) => m.Service.Name)).toEqual(['web']);
    expect(filtered.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect((await acall('GET', '/v1/catalog/gateway-services/ig', undefined, mgmt)).json()).toHaveLength(2);
    const anon = await acall('GET', '/v1/catalog/gateway-services/ig');
    expect([anon.status, anon.text]).toEqual([403, `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'service:read' on "ig"`]);
    const ingress = await acall('GET', '/v1/health/ingress/secret', undefined, reader);
    expect(ingress.status).toBe(403);
  }, 120_000);
});
