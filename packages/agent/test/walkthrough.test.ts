// The "Done means" walkthrough, against the real agent process with curl-like HTTP
// and real dig: a service with an HTTP check shows up in health and DNS, disappears when its
// server stops, KV put/get/CAS/recurse, and a blocking query wakes on a change.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, digFull, eventually, http, sleep, startAgentProcess, type AgentProcess } from './helpers.js';

const IP = '127.0.1.10';
let agent: AgentProcess;
let web: Server;
let webPort = 0;

beforeAll(async () => {
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-node', 'walk', '-enable-script-checks'], `${IP}:8500`);
  web = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => web.listen(0, IP, r));
  webPort = (web.address() as AddressInfo).port;
});

afterAll(async () => {
  web?.close();
  await agent?.stop();
});

describe('first walkthrough', () => {
  it('a fresh dev agent has the consul service and a passing serfHealth, nothing else', async () => {
    const services = await http(agent.base, 'GET', '/v1/catalog/services');
    expect(services.status).toBe(200);
    expect(services.json()).toEqual({ consul: [] });
    const checks = await http(agent.base, 'GET', '/v1/health/node/walk');
    expect(checks.json().map((c: { CheckID: string; Status: string }) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing']]);
    expect(Number(services.headers.get('x-consul-index'))).toBeGreaterThan(0);
    expect(services.headers.get('x-consul-knownleader')).toBe('true');
    expect(services.headers.get('content-type')).toBe('application/json');
    expect((await http(agent.base, 'GET', '/v1/status/leader')).json()).toBe(`${IP}:8300`);
    // `dig -x`: the node's address maps back to its node name.
    expect(dig(IP, 8600, `${IP.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR')).toEqual(['walk.node.dc1.consul.']);
  });

  it('registers a service with an HTTP check; health ?passing and dig SRV show it; it goes when the server stops', async () => {
    const reg = await http(
      agent.base,
      'PUT',
      '/v1/agent/service/register',
      JSON.stringify({ ID: 'web1', Name: 'web', Tags: ['v1'], Port: webPort, Check: { HTTP: `http://${IP}:${webPort}/health`, Interval: '1s' } }),
    );
    expect(reg.status).toBe(200);
    expect(reg.text).toBe('');

    const passing = await eventually(async () => {
      const r = await http(agent.base, 'GET', '/v1/health/service/web?passing');
      const list = r.json() as Array<{ Service: { ID: string; Port: number }; Checks: Array<{ CheckID: string; Status: string; Output: string }> }>;
      return list.length === 1 ? list : undefined;
    }, 'web passing');
    expect(passing[0]!.Service).toMatchObject({ ID: 'web1', Port: webPort });
    const httpCheck = passing[0]!.Checks.find((c) => c.CheckID === 'service:web1')!;
    expect(httpCheck.Status).toBe('passing');
    expect(httpCheck.Output).toContain('200 OK');

    const srv = await eventually(async () => {
      const lines = dig(IP, 8600, 'web.service.consul', 'SRV');
      return lines.length > 0 ? lines : undefined;
    }, 'SRV answer');
    expect(srv).toEqual([`1 1 ${webPort} walk.node.dc1.consul.`]);
    expect(dig(IP, 8600, 'web.service.consul', 'A')).toEqual([IP]);

    // Stop the checked server: the check turns critical and the instance leaves health and DNS.
    await new Promise<void>((r) => web.close(() => r()));
    web.closeAllConnections();
    await eventually(async () => {
      const r = await http(agent.base, 'GET', '/v1/health/service/web?passing');
      return (r.json() as unknown[]).length === 0;
    }, 'web to leave ?passing', 50);
    await eventually(async () => dig(IP, 8600, 'web.service.consul', 'SRV').length === 0, 'web to leave DNS', 20);
    expect(digFull(IP, 8600, 'web.service.consul', 'SRV')).toContain('NXDOMAIN');
    // Without ?passing the critical instance is still listed, with its failing check.
    const all = (await http(agent.base, 'GET', '/v1/health/service/web')).json();
    expect(all).toHaveLength(1);
    expect(all[0].Checks.find((c: { CheckID: string }) => c.CheckID === 'service:web1').Status).toBe('critical');
  });

  it('runs script checks when enabled: exit 0 passing, 1 warning, other critical', async () => {
    const reg = await http(
      agent.base,
      'PUT',
      '/v1/agent/service/register',
      JSON.stringify({
        Name: 'batch',
        Checks: [
          { CheckID: 'ok', Args: ['sh', '-c', 'echo fine'], Interval: '1s' },
          { CheckID: 'warn', Args: ['sh', '-c', 'exit 1'], Interval: '1s' },
          { CheckID: 'crit', Args: ['sh', '-c', 'exit 3'], Interval: '1s' },
        ],
      }),
    );
    expect(reg.status).toBe(200);
    const statuses = await eventually(async () => {
      const checks = (await http(agent.base, 'GET', '/v1/health/checks/batch')).json() as Array<{ CheckID: string; Status: string; Output: string }>;
      const by = Object.fromEntries(checks.map((c) => [c.CheckID, c]));
      return by.ok?.Status === 'passing' && by.warn?.Status === 'warning' ? by : undefined;
    }, 'script check results');
    expect(statuses.crit!.Status).toBe('critical');
    expect(statuses.ok!.Output).toContain('fine');
  });

  it('KV put, get, CAS and recurse', async () => {
    expect((await http(agent.base, 'PUT', '/v1/kv/app/config/db', 'postgres://x')).json()).toBe(true);
    expect((await http(agent.base, 'PUT', '/v1/kv/app/config/port', '5432')).json()).toBe(true);
    const got = await http(agent.base, 'GET', '/v1/kv/app/config/db');
    expect(got.status).toBe(200);
    const [entry] = got.json();
    expect(Buffer.from(entry.Value, 'base64').toString()).toBe('postgres://x');
    expect(got.headers.get('x-consul-index')).toBe(String(entry.ModifyIndex));
    expect((await http(agent.base, 'GET', '/v1/kv/app/config/db?raw')).text).toBe('postgres://x');

    // CAS with a stale index fails; with the current one it succeeds.
    expect((await http(agent.base, 'PUT', `/v1/kv/app/config/db?cas=${entry.ModifyIndex - 1}`, 'stale')).json()).toBe(false);
    expect((await http(agent.base, 'PUT', `/v1/kv/app/config/db?cas=${entry.ModifyIndex}`, 'fresh')).json()).toBe(true);
    expect((await http(agent.base, 'PUT', '/v1/kv/app/config/db?cas=0', 'again')).json()).toBe(false);

    const rec = await http(agent.base, 'GET', '/v1/kv/app/?recurse');
    expect(rec.json().map((e: { Key: string }) => e.Key)).toEqual(['app/config/db', 'app/config/port']);
    expect((await http(agent.base, 'GET', '/v1/kv/app/?keys&separator=/')).json()).toEqual(['app/config/']);
    expect((await http(agent.base, 'GET', '/v1/kv/nothing-here')).status).toBe(404);
    expect((await http(agent.base, 'DELETE', '/v1/kv/app?recurse')).json()).toBe(true);
    expect((await http(agent.base, 'GET', '/v1/kv/app/?recurse')).status).toBe(404);
  });

  it('a blocking query returns after the change it waits for, with the new index', async () => {
    await http(agent.base, 'PUT', '/v1/kv/watched', 'one');
    const first = await http(agent.base, 'GET', '/v1/kv/watched');
    const index = Number(first.headers.get('x-consul-index'));
    const pending = http(agent.base, 'GET', `/v1/kv/watched?index=${index}&wait=30s`);
    await sleep(200);
    await http(agent.base, 'PUT', '/v1/kv/watched', 'two');
    const woke = await pending;
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect(Buffer.from(woke.json()[0].Value, 'base64').toString()).toBe('two');
  });

  it('a blocking health query wakes when an instance turns up', async () => {
    const before = await http(agent.base, 'GET', '/v1/health/service/api');
    expect(before.json()).toEqual([]);
    const index = Number(before.headers.get('x-consul-index'));
    const pending = http(agent.base, 'GET', `/v1/health/service/api?index=${index}&wait=30s`);
    await sleep(100);
    await http(agent.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'api', Port: 9000 }));
    const woke = await pending;
    expect(woke.json().map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['api']);
  });
});
