// How stale a read may be, on three real servers and a client (127.0.66.71-74): with the
// leader and one follower paused (SIGSTOP), the remaining follower has no leader and no quorum.
// It still answers `?stale`, and `?max_stale` when its last contact is within the bound; a
// larger staleness, a default read or a write must go to a leader and fails. With
// `discovery_max_stale`, catalog and health reads without a consistency mode are answered as
// `?max_stale` reads, on the server asked and through the client agent, while KV reads and
// `?leader` reads are not (Consul's parseConsistency). performance.rpc_hold_timeout bounds the
// wait for a leader.
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IPS = ['127.0.66.71', '127.0.66.72', '127.0.66.73'];
const CLIENT = '127.0.66.74';
const dirs = [...IPS, CLIENT].map(() => tempDir('proconsul-stale-'));
const agents: AgentProcess[] = [];
// A request waits for a leader 1 s (performance.rpc_hold_timeout), not Consul's 7 s.
const DISCOVERY = ['-hcl', 'discovery_max_stale = "1h"', '-hcl', 'performance { rpc_hold_timeout = "1s" }'];

afterAll(async () => {
  for (const a of agents) {
    a.proc.kill('SIGCONT');
    await a.kill9();
  }
  for (const d of dirs) d.remove();
});

describe('stale reads: ?stale, ?max_stale and discovery_max_stale', () => {
  it('answers within the bound from a follower without a leader, and sends the rest to a leader', async () => {
    for (let i = 0; i < 3; i++) {
      agents[i] = await startAgentProcess(
        ['-server', '-bootstrap-expect', '3', '-data-dir', dirs[i]!.path, '-bind', IPS[i]!, '-client', IPS[i]!, '-node', `stale-${i + 1}`,
          '-retry-join', IPS[(i + 1) % 3]!, '-retry-interval', '1s', '-dns-port', '-1', '-log-level', 'warn', ...DISCOVERY],
        `${IPS[i]}:8500`,
        { waitForLeader: false },
      );
    }
    const client = await startAgentProcess(
      ['-data-dir', dirs[3]!.path, '-bind', CLIENT, '-client', CLIENT, '-node', 'stale-client', '-retry-join', IPS[0]!, '-retry-interval', '1s',
        '-dns-port', '-1', '-log-level', 'warn', ...DISCOVERY],
      `${CLIENT}:8500`,
    );
    agents.push(client);
    const { leader } = await eventually(async () => {
      const r = await http(agents[0]!.base, 'GET', '/v1/status/leader');
      const i = IPS.indexOf(r.status === 200 ? (r.json() as string).split(':')[0]! : '');
      return i >= 0 ? { leader: i } : undefined;
    }, 'a leader');
    await eventually(async () => (await http(client.base, 'GET', '/v1/catalog/nodes')).json().length === 4 || undefined, 'four nodes in the catalog');
    expect((await http(client.base, 'PUT', '/v1/kv/k', 'v')).status).toBe(200);
    const kept = [0, 1, 2].find((i) => i !== leader)!;
    const follower = agents[kept]!;
    // Every server has the key before the other two stop.
    await eventually(async () => (await http(follower.base, 'GET', '/v1/kv/k?stale')).status === 200 || undefined, 'the key on the follower');
    // Bad bounds are the agent's 400, as Consul's.
    const bad = await http(follower.base, 'GET', '/v1/catalog/nodes?max_stale=soon');
    expect([bad.status, bad.text]).toEqual([400, 'Invalid max_stale value "soon"']);
    const both = await http(follower.base, 'GET', '/v1/kv/k?max_stale=5s&consistent');
    expect([both.status, both.text]).toEqual([400, 'Cannot specify ?stale with ?consistent, conflicting semantics.']);

    for (const i of [0, 1, 2]) if (i !== kept) agents[i]!.proc.kill('SIGSTOP');
    await eventually(async () => {
      const r = await http(follower.base, 'GET', '/v1/kv/k?stale');
      return r.status === 200 && Number(r.headers.get('x-consul-lastcontact')) > 3000 ? true : undefined;
    }, 'the follower 3 s without its leader', 100, 200);

    const stale = await http(follower.base, 'GET', '/v1/kv/k?stale');
    expect([stale.status, stale.headers.get('x-consul-effective-consistency')]).toEqual([200, 'stale']);
    const within = await http(follower.base, 'GET', '/v1/kv/k?max_stale=1h');
    expect([within.status, within.headers.get('x-consul-effective-consistency')]).toEqual([200, 'stale']);
    expect(within.json()[0].Key).toBe('k');
    // Beyond the bound the read is the leader's, and there is none: after rpc_hold_timeout (1 s,
    // where the default is 7 s; the bound only tells the two apart), Consul's 500.
    const t0 = Date.now();
    const beyond = await http(follower.base, 'GET', '/v1/kv/k?max_stale=1s');
    expect([beyond.status, beyond.text]).toEqual([500, 'No cluster leader']);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await http(follower.base, 'GET', '/v1/kv/k')).status).toBeGreaterThanOrEqual(500);
    // discovery_max_stale: catalog and health reads without a mode, here and through the client.
    for (const a of [follower, client]) {
      const nodes = await http(a.base, 'GET', '/v1/catalog/nodes');
      expect([nodes.status, nodes.headers.get('x-consul-effective-consistency')]).toEqual([200, 'stale']);
      expect(nodes.json()).toHaveLength(4);
      expect((await http(a.base, 'GET', '/v1/health/node/stale-client')).status).toBe(200);
      expect((await http(a.base, 'GET', '/v1/catalog/nodes?leader')).status).toBeGreaterThanOrEqual(500);
      expect((await http(a.base, 'GET', '/v1/kv/k')).status).toBeGreaterThanOrEqual(500);
    }

    for (const i of [0, 1, 2]) if (i !== kept) agents[i]!.proc.kill('SIGCONT');
    await eventually(async () => (await http(follower.base, 'GET', '/v1/kv/k')).status === 200 || undefined, 'default reads again after SIGCONT');
  }, 180_000);
});
