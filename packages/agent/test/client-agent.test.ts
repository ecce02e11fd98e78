// Client agents (no -server): no catalog of their own; every state request and write goes to a
// server over agent RPC, services registered on a client are synced by its anti-entropy, DNS
// answers through a server, and a client moves to another server when its server dies.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const started: AgentProcess[] = [];
const dirs: { remove(): void }[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const d of dirs) d.remove();
});

async function agent(ip: string, extra: string[], dns = false): Promise<AgentProcess> {
  const d = tempDir('proconsul-client-');
  dirs.push(d);
  const a = await startAgentProcess(
    ['-data-dir', d.path, '-bind', ip, '-client', ip, '-node', `n-${ip.split('.').join('-')}`, '-dns-port', dns ? '8600' : '-1', '-log-level', 'warn', ...extra],
    `${ip}:8500`,
    { waitForLeader: false },
  );
  started.push(a);
  return a;
}

describe('three servers and a client', () => {
  it('serves the client from the servers and fails over when its server dies', async () => {
    const S = ['127.0.65.61', '127.0.65.62', '127.0.65.63'];
    const C = '127.0.65.64';
    const servers = await Promise.all(S.map((ip, i) => agent(ip, ['-server', '-bootstrap-expect', '3', '-retry-join', S[(i + 1) % 3]!, '-retry-interval', '1s'])));
    const client = await agent(C, ['-retry-join', S[0]!, '-retry-interval', '1s'], true);
    const leader = await eventually(async () => {
      const l = (await http(client.base, 'GET', '/v1/status/leader').catch(() => undefined))?.text;
      return l && l !== '""' ? (JSON.parse(l) as string) : undefined;
    }, 'the client to know the leader', 150);
    expect(S.map((ip) => `${ip}:8300`)).toContain(leader);
    expect((await http(client.base, 'GET', '/v1/status/peers')).json().length).toBe(3);
    const members = (await http(client.base, 'GET', '/v1/agent/members')).json() as { Name: string; Status: number; Tags: Record<string, string> }[];
    expect(members.filter((m) => m.Status === 1).length).toBe(4);

    // A service registered on the client reaches the catalog through anti-entropy.
    const reg = await http(client.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ ID: 'web1', Name: 'web', Port: 8080, Tags: ['v1'] }));
    expect(reg.status).toBe(200);
    await eventually(async () => (await http(servers[0]!.base, 'GET', '/v1/catalog/service/web')).json().length === 1, 'web in the catalog');
    const viaClient = (await http(client.base, 'GET', '/v1/catalog/service/web')).json();
    expect(viaClient[0].Node).toBe(`n-${C.split('.').join('-')}`);
    expect(viaClient[0].ServiceTags).toEqual(['v1']);
    // Its DNS answers from the servers' catalog.
    await eventually(async () => dig(C, 8600, 'web.service.consul', 'SRV').length === 1, 'SRV answer on the client');

    // KV through the client, read through a server; a blocking query through the client wakes.
    expect((await http(client.base, 'PUT', '/v1/kv/from-client', 'c')).text).toBe('true');
    expect((await http(servers[1]!.base, 'GET', '/v1/kv/from-client?raw')).text).toBe('c');
    const first = await http(client.base, 'GET', '/v1/kv/from-client');
    const index = first.headers.get('x-consul-index');
    const blocked = http(client.base, 'GET', `/v1/kv/from-client?index=${index}&wait=20s`);
    await new Promise((r) => setTimeout(r, 300));
    await http(servers[2]!.base, 'PUT', '/v1/kv/from-client', 'changed');
    const woke = await blocked;
    expect(Buffer.from(woke.json()[0].Value, 'base64').toString()).toBe('changed');

    // Kill every server but one at a time: the client keeps answering through the others.
    await servers[0]!.kill9();
    await eventually(async () => (await http(client.base, 'PUT', '/v1/kv/after-server-death', 'ok').catch(() => undefined))?.text === 'true', 'a write through the client after a server died', 150);
    expect((await http(client.base, 'GET', '/v1/kv/after-server-death?raw')).text).toBe('ok');
  }, 180_000);
});

describe('a client agent whose server stops answering', () => {
  it('answers reads through another server after a second, before gossip calls the silent one failed', async () => {
    const S = ['127.0.65.111', '127.0.65.112', '127.0.65.113'];
    const C = '127.0.65.114';
    const servers = await Promise.all(S.map((ip, i) => agent(ip, ['-server', '-bootstrap-expect', '3', '-retry-join', S[(i + 1) % 3]!, '-retry-interval', '1s'])));
    const client = await agent(C, ['-retry-join', S[0]!, '-retry-interval', '1s']);
    await eventually(async () => (await http(client.base, 'PUT', '/v1/kv/hedged', 'v').catch(() => undefined))?.text === 'true', 'a write through the client', 150);
    // ?stale reads are answered by any server: wait until every one has applied the write.
    for (const s of servers) await eventually(async () => (await http(s.base, 'GET', '/v1/kv/hedged?stale&raw')).text === 'v', 'the write applied everywhere');
    // The client calls the server that answered it last first. Each round pauses one server
    // (SIGSTOP: the connection stays open and nothing answers, as from a host that vanished);
    // the round that pauses that server holds the client's first read until the hedge.
    const slowest: number[] = [];
    for (const s of servers) {
      s.proc.kill('SIGSTOP');
      const times: number[] = [];
      try {
        for (const path of ['/v1/kv/hedged?stale&raw', '/v1/status/leader', '/v1/catalog/nodes?stale']) {
          const t0 = Date.now();
          const res = await http(client.base, 'GET', path);
          times.push(Date.now() - t0);
          expect(res.status).toBe(200);
        }
      } finally {
        s.proc.kill('SIGCONT');
      }
      slowest.push(Math.max(...times));
      await eventually(async () => (await http(client.base, 'GET', '/v1/agent/members')).json().filter((m: { Status: number }) => m.Status === 1).length === 4, 'all four alive again', 150);
    }
    console.log(`client reads with one server paused, slowest per round (ms): ${slowest.join(', ')}`);
    // One round held a read on the silent server for the hedge (1 s); none waited longer.
    expect(Math.max(...slowest)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...slowest)).toBeLessThan(1_800);
  }, 180_000);
});

describe("the client libraries' acceptance layout", () => {
  it('runs a -bootstrap server and two clients joined with PUT /v1/agent/join', async () => {
    const ips = ['127.0.65.71', '127.0.65.72', '127.0.65.73'];
    const cfg = tempDir('proconsul-libs-');
    dirs.push(cfg);
    const file = join(cfg.path, 'agent.json');
    writeFileSync(file, JSON.stringify({ log_level: 'warn', ports: { dns: -1 } }));
    const first = await agent(ips[0]!, ['-server', '-bootstrap', '-config-file', file]);
    const others = [await agent(ips[1]!, ['-config-file', file]), await agent(ips[2]!, ['-config-file', file])];
    for (const o of others) expect((await http(o.base, 'PUT', `/v1/agent/join/${ips[0]}`)).status).toBe(200);
    await eventually(async () => (await http(first.base, 'GET', '/v1/agent/members')).json().filter((m: { Status: number }) => m.Status === 1).length === 3, '3 alive members');
    for (const o of others) {
      expect((await http(o.base, 'GET', '/v1/status/leader')).json()).toBe(`${ips[0]}:8300`);
      expect((await http(o.base, 'PUT', `/v1/kv/libs/${o.base.split(':')[1]}`, 'x')).text).toBe('true');
    }
    expect((await http(first.base, 'GET', '/v1/kv/libs/?keys')).json().length).toBe(2);
    await eventually(async () => (await http(first.base, 'GET', '/v1/catalog/nodes')).json().length === 3, 'three nodes in the catalog');
  }, 120_000);
});
