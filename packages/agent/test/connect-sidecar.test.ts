// Service mesh registrations as Consul's "Connect services" tutorial makes them, against real
// agent processes: config files with `connect { sidecar_service {} }` (JSON and HCL), the
// sidecars the agent derives (ports from 21000, default checks), the connect reads of the
// catalog and health endpoints, `.connect` DNS, validation errors, deregistration, restart and
// a client agent's sidecar reaching the servers' catalog.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const S = '127.0.92.1';
const C = '127.0.92.2';
const started: AgentProcess[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const c of cleanups) c();
});

const SOCAT_JSON = JSON.stringify({ service: { name: 'socat', port: 8181, address: S, connect: { sidecar_service: {} } } });
const WEB_HCL = `service {
  name = "web"
  port = 8080
  address = "${S}"
  connect {
    sidecar_service {
      proxy {
        upstreams = [
          { destination_name = "socat", local_bind_port = 9191 }
        ]
      }
    }
  }
}
`;

async function server(dataDir: string, configDir: string): Promise<AgentProcess> {
  const a = await startAgentProcess(
    ['-server', '-bootstrap', '-data-dir', dataDir, '-config-dir', configDir, '-bind', S, '-client', S, '-node', 'mesh-s1', '-dns-port', '8600', '-log-level', 'warn'],
    `${S}:8500`,
  );
  started.push(a);
  return a;
}

function listen(ip: string, port: number): Promise<Server> {
  const srv = createServer((sock) => sock.end());
  cleanups.push(() => srv.close());
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, ip, () => resolve(srv));
  });
}

type Json = any;
const get = async (a: AgentProcess, path: string): Promise<Json> => (await http(a.base, 'GET', path)).json();

describe('connect sidecar services', () => {
  it('runs the tutorial: sidecars, checks, connect reads, DNS, validation, deregistration, restart, a client', async () => {
    const data = tempDir('proconsul-mesh-');
    const config = tempDir('proconsul-mesh-cfg-');
    cleanups.push(data.remove, config.remove);
    mkdirSync(config.path, { recursive: true });
    writeFileSync(join(config.path, 'socat.json'), SOCAT_JSON);
    writeFileSync(join(config.path, 'web.hcl'), WEB_HCL);
    let s = await server(data.path, config.path);

    // The agent lists both services and both sidecars, ports allocated from 21000.
    const services = await get(s, '/v1/agent/services');
    expect(Object.keys(services).sort()).toEqual(['socat', 'socat-sidecar-proxy', 'web', 'web-sidecar-proxy']);
    expect(services['socat']).not.toHaveProperty('Connect');
    expect(services['socat']).not.toHaveProperty('Proxy');
    expect(services['socat-sidecar-proxy']).toMatchObject({ Kind: 'connect-proxy', Service: 'socat-sidecar-proxy', Port: 21000, Address: S });
    expect(services['socat-sidecar-proxy'].Proxy).toEqual({
      DestinationServiceName: 'socat',
      DestinationServiceID: 'socat',
      LocalServiceAddress: '127.0.0.1',
      LocalServicePort: 8181,
      MeshGateway: {},
      Expose: {},
    });
    expect(services['web-sidecar-proxy'].Port).toBe(21001);
    expect(services['web-sidecar-proxy'].Proxy.Upstreams).toEqual([{ DestinationType: 'service', DestinationName: 'socat', LocalBindPort: 9191, MeshGateway: {} }]);
    expect(services['web-sidecar-proxy']).not.toHaveProperty('LocallyRegisteredAsSidecar');

    // GET /v1/agent/service/:id with its ContentHash, which a blocking read waits on.
    const one = await http(s.base, 'GET', '/v1/agent/service/web-sidecar-proxy');
    expect(one.status).toBe(200);
    const hash = one.json().ContentHash as string;
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(one.headers.get('x-consul-contenthash')).toBe(hash);
    const t0 = Date.now();
    const same = await http(s.base, 'GET', `/v1/agent/service/web-sidecar-proxy?hash=${hash}&wait=1s`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(same.json().ContentHash).toBe(hash);

    // Default checks: TCP on the sidecar's address and port every 10s, and an alias of the parent.
    const checks = await get(s, '/v1/agent/checks');
    expect(checks['service:socat-sidecar-proxy:1']).toMatchObject({ Name: 'Connect Sidecar Listening', Type: 'tcp', Interval: '10s', ServiceID: 'socat-sidecar-proxy', Status: 'critical' });
    expect(checks['service:socat-sidecar-proxy:2']).toMatchObject({ Name: 'Connect Sidecar Aliasing socat', Type: 'alias', ServiceID: 'socat-sidecar-proxy', Status: 'passing' });
    expect(checks['service:web-sidecar-proxy:1'].Output).toContain(`${S}:21001`);

    // The catalog: proxies with their Kind; connect reads by destination.
    await eventually(async () => (await get(s, '/v1/catalog/connect/socat')).length === 1, 'socat proxy in the catalog');
    const viaCatalog = (await get(s, '/v1/catalog/connect/socat'))[0];
    expect(viaCatalog).toMatchObject({ ServiceKind: 'connect-proxy', ServiceID: 'socat-sidecar-proxy', ServicePort: 21000, ServiceAddress: S });
    expect(viaCatalog.ServiceProxy).toMatchObject({ DestinationServiceName: 'socat', Mode: '', MeshGateway: {}, Expose: {} });
    expect(await get(s, '/v1/catalog/connect/socat?filter=' + encodeURIComponent('ServicePort == 1'))).toEqual([]);
    expect((await get(s, '/v1/catalog/services'))['web-sidecar-proxy']).toEqual([]);
    expect(await get(s, '/v1/health/connect/socat?passing')).toEqual([]);

    // Something listening on the sidecar's port: its check passes, health/connect?passing answers.
    const blockIndex = (await http(s.base, 'GET', '/v1/health/connect/socat?passing')).headers.get('x-consul-index');
    const blocked = http(s.base, 'GET', `/v1/health/connect/socat?passing&index=${blockIndex}&wait=30s`);
    await listen(S, 21000);
    const woke = await blocked;
    expect(woke.json().map((e: Json) => e.Service.ID)).toEqual(['socat-sidecar-proxy']);
    const healthy = await get(s, '/v1/health/connect/socat?passing');
    expect(healthy[0].Checks.map((c: Json) => [c.CheckID, c.Status])).toEqual([
      ['serfHealth', 'passing'],
      ['service:socat-sidecar-proxy:1', 'passing'],
      ['service:socat-sidecar-proxy:2', 'passing'],
    ]);

    // DNS: <service>.connect.consul answers with the proxy's address and port.
    await eventually(async () => dig(S, 8600, 'socat.connect.consul', 'SRV').length === 1, 'socat.connect SRV');
    // The proxy has a service address: Consul names the SRV target by that address.
    expect(dig(S, 8600, 'socat.connect.consul', 'SRV')).toEqual(['1 1 21000 7f005c01.addr.dc1.consul.']);
    expect(dig(S, 8600, 'socat.connect.dc1.consul', 'A')).toEqual([S]);
    expect(dig(S, 8600, 'web.connect.consul', 'A')).toEqual([]); // its proxy's check is critical

    // The alias check follows the parent's health.
    await http(s.base, 'PUT', '/v1/agent/check/register', JSON.stringify({ Name: 'socat-ttl', ServiceID: 'socat', TTL: '60s' }));
    await eventually(async () => (await get(s, '/v1/agent/checks'))['service:socat-sidecar-proxy:2'].Status === 'critical', 'the alias check critical');
    await http(s.base, 'PUT', '/v1/agent/check/pass/socat-ttl');
    await eventually(async () => (await get(s, '/v1/agent/checks'))['service:socat-sidecar-proxy:2'].Status === 'passing', 'the alias check passing');
    await http(s.base, 'PUT', '/v1/agent/check/deregister/socat-ttl');

    // Consul's validation texts.
    const noPort = await http(s.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'p', Kind: 'connect-proxy' }));
    expect(noPort.status).toBe(400);
    expect(noPort.text).toBe(
      'Validation failed: 2 errors occurred:\n\t* Port or SocketPath must be set for a connect-proxy\n\t* Proxy.DestinationServiceName must be non-empty for Connect proxy services\n\n',
    );
    const sidecarId = await http(s.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'x', Port: 1, Connect: { SidecarService: { ID: 'mine' } } }));
    expect(sidecarId.status).toBe(400);
    expect(sidecarId.text).toBe('Validation failed: 1 error occurred:\n\t* A SidecarService cannot specify an ID as this is managed by the agent\n\n');
    const badUpstream = await http(
      s.base,
      'PUT',
      '/v1/agent/service/register',
      JSON.stringify({ Name: 'x', Port: 1, Connect: { sidecar_service: { proxy: { upstreams: [{ destination_name: 'db' }] } } } }),
    );
    expect(badUpstream.status).toBe(400);
    expect(badUpstream.text).toBe('Failed Validation: 1 error occurred:\n\t* upstream local bind port or local socket path must be defined and nonzero\n\n');
    const catalogProxy = await http(s.base, 'PUT', '/v1/catalog/register', JSON.stringify({ Node: 'ext', Address: '10.0.0.9', Service: { Service: 'p', Kind: 'connect-proxy', Port: 1 } }));
    expect(catalogProxy.status).toBe(500);
    expect(catalogProxy.text).toBe('1 error occurred:\n\t* Proxy.DestinationServiceName must be non-empty for Connect proxy services\n\n');

    // A registration over HTTP gets the next free port; deregistering the parent removes its sidecar.
    const api = await http(s.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'api', Port: 9000, Connect: { SidecarService: {} } }));
    expect(api.status).toBe(200);
    expect((await get(s, '/v1/agent/service/api-sidecar-proxy')).Port).toBe(21002);
    await eventually(async () => (await get(s, '/v1/catalog/connect/api')).length === 1, 'api proxy in the catalog');
    expect((await http(s.base, 'PUT', '/v1/agent/service/deregister/api')).status).toBe(200);
    expect((await http(s.base, 'GET', '/v1/agent/service/api-sidecar-proxy')).status).toBe(404);
    expect(Object.keys(await get(s, '/v1/agent/checks')).filter((id) => id.includes('api'))).toEqual([]);
    await eventually(async () => (await get(s, '/v1/catalog/connect/api')).length === 0, 'api proxy gone from the catalog');

    // A registration kept in the data dir and the config files' sidecars keep their ports over a restart.
    await http(s.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'cache', Port: 6379, Connect: { SidecarService: {} } }));
    expect((await get(s, '/v1/agent/service/cache-sidecar-proxy')).Port).toBe(21002);
    expect(await s.stop()).toBe(0);
    s = await server(data.path, config.path);
    const after = await get(s, '/v1/agent/services');
    expect([after['socat-sidecar-proxy'].Port, after['web-sidecar-proxy'].Port, after['cache-sidecar-proxy'].Port]).toEqual([21000, 21001, 21002]);

    // A client agent's sidecar reaches the servers' catalog through anti-entropy.
    const cdata = tempDir('proconsul-mesh-client-');
    cleanups.push(cdata.remove);
    const client = await startAgentProcess(
      ['-data-dir', cdata.path, '-bind', C, '-client', C, '-node', 'mesh-c1', '-dns-port', '-1', '-retry-join', S, '-retry-interval', '1s', '-log-level', 'warn'],
      `${C}:8500`,
      { waitForLeader: false },
    );
    started.push(client);
    await eventually(async () => {
      const r = await http(client.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'db', Port: 5432, Address: C, Connect: { SidecarService: {} } }));
      return r.status === 200;
    }, 'register db on the client', 150);
    const fromServer = await eventually(async () => {
      const list = await get(s, '/v1/catalog/connect/db');
      return list.length === 1 ? list[0] : undefined;
    }, 'the client sidecar in the servers catalog', 150);
    expect(fromServer).toMatchObject({ Node: 'mesh-c1', ServiceID: 'db-sidecar-proxy', ServicePort: 21000, ServiceAddress: C });
  }, 180_000);
});
