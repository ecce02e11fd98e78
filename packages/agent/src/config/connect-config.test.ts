// Mesh service definitions in config files: snake_case keys and HCL blocks decode to Consul's
// fields; NodeService.Validate problems stop the load with `service "<name>": ...`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'proconsul-connect-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(name: string, text: string) {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return loadConfig(['-dev', '-config-file', p], {}, { hostname: 'h' });
}

describe('mesh services in config files', () => {
  it('decodes connect.sidecar_service, proxy upstreams and ports.sidecar_*_port from HCL', async () => {
    const c = await load(
      'web.hcl',
      `ports { sidecar_min_port = 22000
        sidecar_max_port = 22010 }
      service {
        name = "web"
        port = 8080
        connect {
          sidecar_service {
            proxy {
              upstreams = [{ destination_name = "socat", local_bind_port = 9191 }]
              mesh_gateway { mode = "local" }
            }
          }
        }
      }`,
    );
    expect(c.ports.sidecarMinPort).toBe(22000);
    expect(c.ports.sidecarMaxPort).toBe(22010);
    expect(c.services[0]!.Connect).toEqual({
      SidecarService: { Name: '', Proxy: { Upstreams: [{ DestinationName: 'socat', LocalBindPort: 9191 }], MeshGateway: { Mode: 'local' } } },
    });
  });

  it('refuses a connect-proxy without a destination or port, and an unknown proxy key', async () => {
    await expect(load('p.json', JSON.stringify({ service: { name: 'p', kind: 'connect-proxy' } }))).rejects.toThrow(
      'service "p": 2 errors occurred:\n\t* Port or SocketPath must be set for a connect-proxy\n\t* Proxy.DestinationServiceName must be non-empty for Connect proxy services\n\n',
    );
    await expect(load('q.json', JSON.stringify({ service: { name: 'q', port: 1, kind: 'connect-proxy', proxy: { destination_service_name: 'x', nope: 1 } } }))).rejects.toThrow(
      'invalid config key service.proxy.nope',
    );
  });
});
