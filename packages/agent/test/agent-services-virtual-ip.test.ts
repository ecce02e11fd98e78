// `consul-virtual` in the agent's own view of a mesh service (127.0.127.80): the servers set the
// virtual IP as a tagged address, and anti-entropy takes the reserved `consul-` tagged
// addresses back into the local state (Consul's agent/local/state.go updateSyncState), so
// /v1/agent/services and /v1/agent/service/:id show it; the service stays in sync.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, workDir, type AgentProcess } from './helpers.js';

const IP = '127.0.127.80';
const dir = workDir('agent-services-virtual-ip-');
let agent: AgentProcess;
type Svc = { TaggedAddresses?: Record<string, { Address: string; Port: number }> };
const get = async <T>(path: string): Promise<T> => (await http(agent.base, 'GET', path)).json() as T;

beforeAll(async () => {
  agent = await startAgentProcess(['-dev', '-data-dir', join(dir.path, 'data'), '-bind', IP, '-client', IP, '-dns-port', '-1', '-log-level', 'warn'], `${IP}:8500`);
  const r = await http(agent.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'web', Port: 8080, Connect: { SidecarService: {} } }));
  expect(r.status, r.text).toBe(200);
}, 60_000);

afterAll(async () => {
  await agent?.kill9();
  dir.remove();
});

describe('the virtual IP in /v1/agent/services', () => {
  it('shows consul-virtual on the proxy, as the catalog has it, and the service stays in sync', async () => {
    const vip = { 'consul-virtual': { Address: '240.0.0.1', Port: 21000 } };
    const one = await eventually(async () => {
      const s = await get<Svc>('/v1/agent/service/web-sidecar-proxy');
      return s.TaggedAddresses?.['consul-virtual'] ? s : undefined;
    }, 'the agent to show the virtual IP', 100);
    expect(one.TaggedAddresses).toEqual(vip);
    const all = await get<Record<string, Svc>>('/v1/agent/services');
    expect(all['web-sidecar-proxy']!.TaggedAddresses).toEqual(vip);
    expect(all['web']!.TaggedAddresses).toBeUndefined();
    // In sync: the catalog entry is not written again and again.
    const index = async (): Promise<number> => (await get<{ ModifyIndex: number }[]>('/v1/catalog/service/web-sidecar-proxy'))[0]!.ModifyIndex;
    const before = await index();
    await sleep(1_500);
    expect(await index()).toBe(before);
  });
});
