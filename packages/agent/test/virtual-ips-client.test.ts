// A client agent's `<service>.virtual.consul` (Consul's agent/dns.go `virtual` branch): the
// client asks its servers with the Catalog.VirtualIPForService RPC, so names whose address has
// no connect instance to carry it answer too: a service a terminating gateway links and a name
// a service-resolver gives an address. A -dev server (127.0.128.1) and a client (127.0.128.2), dig.
import { afterAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const SRV = '127.0.128.1';
const CLIENT = '127.0.128.2';
const started: AgentProcess[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const c of cleanups) c();
});

const put = (a: AgentProcess, path: string, body: unknown) => http(a.base, 'PUT', path, JSON.stringify(body));

describe('virtual IPs on a client agent', () => {
  it('answers every name the servers gave an address, through Catalog.VirtualIPForService', async () => {
    const s = await startAgentProcess(['-dev', '-bind', SRV, '-client', SRV, '-node', 'vipc-srv', '-dns-port', '8600', '-log-level', 'warn'], `${SRV}:8500`);
    started.push(s);
    expect((await put(s, '/v1/agent/service/register', { Name: 'tgw', Kind: 'terminating-gateway', Port: 8443 })).status).toBe(200);
    await eventually(async () => (await http(s.base, 'GET', '/v1/catalog/service/tgw')).json().length === 1, 'the gateway in the catalog');
    expect((await put(s, '/v1/config', { Kind: 'terminating-gateway', Name: 'tgw', Services: [{ Name: 'legacy' }] })).status).toBe(200);
    expect((await put(s, '/v1/config', { Kind: 'service-resolver', Name: 'api', ConnectTimeout: '5s' })).status).toBe(200);
    expect((await put(s, '/v1/agent/service/register', { Name: 'web', Port: 8080, Connect: { SidecarService: {} } })).status).toBe(200);
    await eventually(async () => dig(SRV, 8600, 'web.virtual.consul', 'A').length === 1, 'the server to answer web.virtual.consul');
    const want = Object.fromEntries(['legacy', 'api', 'web'].map((n) => [n, dig(SRV, 8600, `${n}.virtual.consul`, 'A')]));
    expect(new Set(Object.values(want).map((a) => a[0])).size).toBe(3);
    for (const a of Object.values(want)) expect(a).toEqual([expect.stringMatching(/^240\.0\.0\.\d+$/)]);

    const data = tempDir('proconsul-vipc-client-');
    cleanups.push(data.remove);
    const c = await startAgentProcess(
      ['-data-dir', data.path, '-bind', CLIENT, '-client', CLIENT, '-node', 'vipc-c1', '-dns-port', '8600', '-retry-join', SRV, '-retry-interval', '1s', '-log-level', 'warn'],
      `${CLIENT}:8500`,
      { waitForLeader: false },
    );
    started.push(c);
    await eventually(async () => dig(CLIENT, 8600, 'web.virtual.consul', 'A').length === 1, 'the client to answer web.virtual.consul', 150);
    for (const [name, a] of Object.entries(want)) expect(dig(CLIENT, 8600, `${name}.virtual.consul`, 'A')).toEqual(a);
    // No address, no answer; an unknown peer has none either.
    expect(dig(CLIENT, 8600, 'nothing.virtual.consul', 'A')).toEqual([]);
    expect(dig(CLIENT, 8600, 'web.virtual.nopeer.consul', 'A')).toEqual([]);

    // The gateway stops linking `legacy`: its address is freed, and the client sees that too.
    expect((await put(s, '/v1/config', { Kind: 'terminating-gateway', Name: 'tgw', Services: [] })).status).toBe(200);
    await eventually(async () => dig(CLIENT, 8600, 'legacy.virtual.consul', 'A').length === 0, 'legacy.virtual.consul to go on the client');
  }, 90_000);
});
