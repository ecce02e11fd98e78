// Virtual IPs of mesh services against real agent processes: a service registered with a
// sidecar gets 240.0.0.1 as `consul-virtual` on its proxy in catalog and health reads, the
// address answers `web.virtual.consul` over DNS (dig, on the server and a client agent), PUT /v1/internal/service-virtual-ip sets
// manual addresses, deregistration frees the address for the next service; and on a server
// with a data dir, the table (taken into a Raft snapshot) survives a restart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const DEV = '127.0.122.1';
const SRV = '127.0.122.2';
const CLIENT = '127.0.122.3';
const started: AgentProcess[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const c of cleanups) c();
});

type Json = any;
const get = async (a: AgentProcess, path: string): Promise<Json> => (await http(a.base, 'GET', path)).json();
const put = (a: AgentProcess, path: string, body: unknown) => http(a.base, 'PUT', path, JSON.stringify(body));

const vipOf = (entry: Json): string | undefined => entry?.TaggedAddresses?.['consul-virtual']?.Address;

describe('virtual IPs', () => {
  it('assigns, shows, answers over DNS, takes manual addresses and frees on a -dev agent', async () => {
    const a = await startAgentProcess(['-dev', '-bind', DEV, '-client', DEV, '-node', 'vip-dev', '-dns-port', '8600', '-log-level', 'warn'], `${DEV}:8500`);
    started.push(a);

    expect((await put(a, '/v1/agent/service/register', { Name: 'web', Port: 8080, Connect: { SidecarService: {} } })).status).toBe(200);
    expect((await put(a, '/v1/agent/service/register', { Name: 'cache', Port: 6379 })).status).toBe(200);

    // The proxy carries its destination's address, with its own port; typical instances carry none.
    const proxy = await eventually(async () => (await get(a, '/v1/catalog/service/web-sidecar-proxy'))[0], 'the sidecar in the catalog');
    expect(proxy.ServiceTaggedAddresses).toEqual({ 'consul-virtual': { Address: '240.0.0.1', Port: 21000 } });
    expect((await get(a, '/v1/catalog/service/web'))[0].ServiceTaggedAddresses).toBeUndefined();
    const [health] = await get(a, '/v1/health/connect/web');
    expect(vipOf(health.Service)).toBe('240.0.0.1');
    const node = await get(a, '/v1/catalog/node/vip-dev');
    expect(vipOf(node.Services['web-sidecar-proxy'])).toBe('240.0.0.1');
    expect(vipOf(node.Services['cache'])).toBeUndefined();

    // DNS: the A record of the virtual IP; a service without one answers empty.
    expect(dig(DEV, 8600, 'web.virtual.consul', 'A')).toEqual(['240.0.0.1']);
    expect(dig(DEV, 8600, 'cache.virtual.consul', 'A')).toEqual([]);

    // A client agent answers from the servers' catalog (the `consul-virtual` of the connect instances).
    const data = tempDir('proconsul-vip-client-');
    cleanups.push(data.remove);
    const client = await startAgentProcess(
      ['-data-dir', data.path, '-bind', CLIENT, '-client', CLIENT, '-node', 'vip-c1', '-dns-port', '8600', '-retry-join', DEV, '-retry-interval', '1s', '-log-level', 'warn'],
      `${CLIENT}:8500`,
      { waitForLeader: false },
    );
    started.push(client);
    await eventually(async () => dig(CLIENT, 8600, 'web.virtual.consul', 'A')[0] === '240.0.0.1', 'the client to answer web.virtual.consul', 150);
    expect(dig(CLIENT, 8600, 'cache.virtual.consul', 'A')).toEqual([]);
    await client.stop();

    // Manual addresses (consul-k8s ClusterIPs): Found, then moved from one service to another.
    const set = await put(a, '/v1/internal/service-virtual-ip', { Service: 'web', ManualVIPs: ['10.96.0.10'] });
    expect(set.status).toBe(200);
    expect(set.json()).toEqual({ Found: true, UnassignedFrom: null });
    expect((await put(a, '/v1/internal/service-virtual-ip', { Service: 'cache', ManualVIPs: ['10.96.0.11'] })).json()).toEqual({ Found: false, UnassignedFrom: null });
    const bad = await put(a, '/v1/internal/service-virtual-ip', { Service: 'web', ManualVIPs: ['not-an-ip'] });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe('"not-an-ip" is not a valid IPv4 address');
    expect((await put(a, '/v1/internal/service-virtual-ip', { ManualVIPs: [] })).status).toBe(400);
    expect((await http(a.base, 'GET', '/v1/internal/service-virtual-ip')).status).toBe(405);

    // The last instance of `web` goes (its sidecar with it): the address is freed and reused.
    expect((await put(a, '/v1/agent/service/deregister/web', {})).status).toBe(200);
    await eventually(async () => dig(DEV, 8600, 'web.virtual.consul', 'A').length === 0, 'web.virtual.consul to go');
    expect((await put(a, '/v1/agent/service/register', { Name: 'api', Port: 9090, Connect: { Native: true } })).status).toBe(200);
    await eventually(async () => dig(DEV, 8600, 'api.virtual.consul', 'A')[0] === '240.0.0.1', 'api to reuse 240.0.0.1');
  });

  it('keeps the table through a Raft snapshot and a restart from the data dir', async () => {
    const data = tempDir('proconsul-vip-');
    const config = tempDir('proconsul-vip-cfg-');
    cleanups.push(data.remove, config.remove);
    // A small threshold makes the agent snapshot (and compact its log) while the test writes.
    writeFileSync(join(config.path, 'raft.json'), JSON.stringify({ raft_snapshot_threshold: 8 }));
    const args = ['-server', '-bootstrap', '-data-dir', data.path, '-config-dir', config.path, '-bind', SRV, '-client', SRV, '-node', 'vip-s1', '-dns-port', '8600', '-log-level', 'warn'];
    let s = await startAgentProcess(args, `${SRV}:8500`);
    started.push(s);

    const register = (name: string) =>
      put(s, '/v1/catalog/register', { Node: 'ext', Address: '10.0.0.5', Service: { Service: name, Port: 80, Connect: { Native: true } } });
    for (const name of ['a', 'b', 'c']) expect((await register(name)).status).toBe(200);
    expect((await put(s, '/v1/catalog/deregister', { Node: 'ext', ServiceID: 'a' })).status).toBe(200);
    expect((await put(s, '/v1/internal/service-virtual-ip', { Service: 'b', ManualVIPs: ['10.96.0.20'] })).status).toBe(200);
    // Enough writes for a snapshot past the virtual IP changes.
    for (let i = 0; i < 20; i++) expect((await put(s, `/v1/kv/fill/${i}`, 'x')).status).toBe(200);
    expect(dig(SRV, 8600, 'b.virtual.consul', 'A')).toEqual(['240.0.0.2']);

    await s.stop();
    s = await startAgentProcess(args, `${SRV}:8500`);
    started.push(s);
    expect(dig(SRV, 8600, 'b.virtual.consul', 'A')).toEqual(['240.0.0.2']);
    expect(dig(SRV, 8600, 'c.virtual.consul', 'A')).toEqual(['240.0.0.3']);
    expect(dig(SRV, 8600, 'a.virtual.consul', 'A')).toEqual([]);
    const [b] = await get(s, '/v1/catalog/service/b');
    expect(b.ServiceTaggedAddresses['consul-virtual']).toEqual({ Address: '240.0.0.2', Port: 80 });
    // The manual address came back too: giving it to `c` takes it from `b`.
    const moved = await put(s, '/v1/internal/service-virtual-ip', { Service: 'c', ManualVIPs: ['10.96.0.20'] });
    expect(moved.json()).toEqual({ Found: true, UnassignedFrom: [{ ServiceName: { Name: 'b' }, Peer: '' }] });
    // The freed address and the counter came back: first 240.0.0.1 again, then 240.0.0.4.
    for (const name of ['d', 'e']) expect((await register(name)).status).toBe(200);
    expect(dig(SRV, 8600, 'd.virtual.consul', 'A')).toEqual(['240.0.0.1']);
    expect(dig(SRV, 8600, 'e.virtual.consul', 'A')).toEqual(['240.0.0.4']);
  });
});
