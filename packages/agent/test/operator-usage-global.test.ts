// GET /v1/operator/usage?global across two datacenters on real processes (127.0.107.31 dc1,
// .32 dc2, WAN-joined): each datacenter's own counts under its name, from either side and
// through a client agent; without `global` only the local one (agent/consul/
// operator_usage_endpoint.go).
import { afterAll, describe, expect, it } from 'vitest';
import { datacenters } from './datacenters.js';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';
import { join } from 'node:path';

const DC1 = '127.0.107.31';
const DC2 = '127.0.107.32';
const CLIENT = '127.0.107.33';
const dir = tempDir('operator-usage-global-');
const started: AgentProcess[] = [];
const dcs = datacenters(dir.path, started);
afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

type Usage = { Usage: Record<string, { Services: number; BillableServiceInstances: number; Nodes: number }> };
const usage = async (ip: string, q = ''): Promise<Usage> => {
  const r = await http(`http://${ip}:8500`, 'GET', `/v1/operator/usage${q}`);
  expect(r.status, r.text).toBe(200);
  return r.json() as Usage;
};

describe('/v1/operator/usage?global', () => {
  it('gathers every datacenter; without it only the local one', async () => {
    await dcs.start(DC1, 'dc1', ['-server', '-bootstrap'], {});
    await dcs.leaderOf(DC1);
    // Asked while dc1 is alone: the answer read then must not be served again once dc2 joins,
    // though dc1's catalog does not change (its reads are memoized by catalog index).
    expect(Object.keys((await usage(DC1, '?global')).Usage)).toEqual(['dc1']);
    await dcs.start(DC2, 'dc2', ['-server', '-bootstrap', '-retry-join-wan', DC1, '-retry-interval-wan', '1s'], {});
    await dcs.leaderOf(DC2);
    const reg = (ip: string, node: string) =>
      http(`http://${ip}:8500`, 'PUT', '/v1/catalog/register', JSON.stringify({ Node: node, Address: '10.9.0.1', Service: { Service: 'web', Port: 80 } }));
    expect((await reg(DC2, 'w1')).status).toBe(200);
    expect((await reg(DC2, 'w2')).status).toBe(200);
    await eventually(async () => Object.keys((await usage(DC1, '?global')).Usage).length === 2, 'dc2 in the global usage', 200);

    const local = await usage(DC2);
    expect(Object.keys(local.Usage)).toEqual(['dc2']);
    expect(local.Usage['dc2']).toMatchObject({ BillableServiceInstances: 2 });
    for (const ip of [DC1, DC2]) {
      const all = await usage(ip, '?global');
      expect(Object.keys(all.Usage).sort()).toEqual(['dc1', 'dc2']);
      expect(all.Usage['dc2']).toEqual(local.Usage['dc2']);
      expect(all.Usage['dc1']).toEqual((await usage(DC1)).Usage['dc1']);
    }
    // A client agent forwards it to its server, which asks the other datacenter.
    started.push(
      await startAgentProcess(['-data-dir', join(dir.path, 'c'), '-bind', CLIENT, '-client', CLIENT, '-datacenter', 'dc1', '-node', 'c', '-dns-port', '-1', '-log-level', 'warn', '-retry-join', DC1, '-retry-interval', '1s'], `${CLIENT}:8500`, { waitForLeader: false }),
    );
    await dcs.leaderOf(CLIENT);
    expect(Object.keys((await usage(CLIENT, '?global')).Usage).sort()).toEqual(['dc1', 'dc2']);
  }, 120_000);
});
