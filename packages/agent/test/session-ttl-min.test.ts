// session_ttl_min is the servers' bound, as in Consul (agent/consul/session_endpoint.go:
// Session.Apply checks the TTL against the server's SessionTTLMin; the agent's HTTP handler does
// not): a client agent with the default 10 s takes a 6 s TTL when its server allows 5 s (it
// passes the write to the leader, cluster/forward.ts), and refuses 4 s with the server's bound.
// Patroni asks for such TTLs (half its ttl; test/clients/patroni.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const [SERVER, CLIENT] = ['127.0.113.41', '127.0.113.42'];
const dirs = [tempDir('proconsul-ttlmin-s-'), tempDir('proconsul-ttlmin-c-')];
const agents: AgentProcess[] = [];
const common = (ip: string, node: string, i: number) => ['-data-dir', dirs[i]!.path, '-bind', ip, '-client', ip, '-node', node, '-dns-port', '-1', '-log-level', 'warn'];

beforeAll(async () => {
  agents.push(await startAgentProcess(['-server', '-bootstrap', '-hcl', 'session_ttl_min = "5s"', ...common(SERVER, 'ttl-server', 0)], `${SERVER}:8500`));
  agents.push(await startAgentProcess([...common(CLIENT, 'ttl-client', 1), '-retry-join', SERVER, '-retry-interval', '1s'], `${CLIENT}:8500`));
}, 90_000);

afterAll(async () => {
  for (const a of agents) await a.kill9();
  for (const d of dirs) d.remove();
});

describe('session_ttl_min through a client agent', () => {
  it("takes a TTL the server allows, whatever the client agent's own setting", async () => {
    const ok = await http(agents[1]!.base, 'PUT', '/v1/session/create', JSON.stringify({ TTL: '6s', Name: 'patroni-like' }));
    expect([ok.status, ok.text]).toEqual([200, expect.stringContaining('"ID"')]);
    const id = (ok.json() as { ID: string }).ID;
    const info = await http(agents[1]!.base, 'GET', `/v1/session/info/${id}`);
    expect((info.json() as { TTL: string }[])[0]?.TTL).toBe('6s');
  });

  it("refuses a shorter one with the server's bound (400, Consul's text)", async () => {
    const text = "Invalid Session TTL '4000000000', must be between [5s=24h0m0s]";
    for (const a of agents) {
      const bad = await http(a.base, 'PUT', '/v1/session/create', JSON.stringify({ TTL: '4s' }));
      expect([bad.status, bad.text]).toEqual([400, text]);
    }
    // A TTL that does not parse is still refused by the agent that receives it.
    const garbled = await http(agents[1]!.base, 'PUT', '/v1/session/create', JSON.stringify({ TTL: '4x' }));
    expect([garbled.status, garbled.text]).toEqual([400, 'Session TTL \'4x\' invalid: time: unknown unit "x" in duration "4x"']);
  });
});
