// Agent settings on a real agent (127.0.66.51): session_ttl_min lets shorter session TTLs in (and
// says its bound in the refusal), discard_check_output stores every check's output empty, and
// default_query_time / max_query_time bound how long a blocking query waits; limits'
// kv_max_value_size and txn_max_req_len bound KV values and transaction bodies; and
// check_update_interval holds back output-only changes from the catalog (127.0.66.53-54);
// dns_config.soa in the SOA record (127.0.66.55); the node's tagged addresses (127.0.66.56);
// telemetry.statsd_address (an agent on 127.0.66.58 sending to a listener on 127.0.66.57).
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dig, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.66.51';
const dir = tempDir('proconsul-tunables-');
let agent: AgentProcess;

beforeAll(async () => {
  const cfg = join(dir.path, 'agent.hcl');
  writeFileSync(cfg, 'session_ttl_min = "1s"\ndiscard_check_output = true\ndefault_query_time = "400ms"\nmax_query_time = "1s"\n' +
    'limits { kv_max_value_size = 2097152 txn_max_req_len = 1024 }\n');
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-dns-port', '-1', '-config-file', cfg], `${IP}:8500`);
}, 60_000);

const others: AgentProcess[] = [];

afterAll(async () => {
  for (const a of others) await a.stop();
  await agent?.stop();
  dir.remove();
});

describe('agent tunables', () => {
  it('session_ttl_min: a 2s TTL is taken, 500ms is refused with the configured bound', async () => {
    const ok = await http(agent.base, 'PUT', '/v1/session/create', JSON.stringify({ TTL: '2s' }));
    expect(ok.status).toBe(200);
    const bad = await http(agent.base, 'PUT', '/v1/session/create', JSON.stringify({ TTL: '500ms' }));
    expect([bad.status, bad.text]).toEqual([400, "Invalid Session TTL '500000000', must be between [1s=24h0m0s]"]);
  });

  it('discard_check_output: a TTL check passed with a note keeps no output', async () => {
    const reg = await http(agent.base, 'PUT', '/v1/agent/check/register', JSON.stringify({ ID: 'job', Name: 'job', TTL: '30s' }));
    expect(reg.status).toBe(200);
    expect((await http(agent.base, 'PUT', '/v1/agent/check/pass/job?note=ran%20at%2012:00')).status).toBe(200);
    const checks = (await http(agent.base, 'GET', '/v1/agent/checks')).json() as Record<string, { Status: string; Output: string }>;
    expect(checks['job']).toMatchObject({ Status: 'passing', Output: '' });
  });

  it('default_query_time without ?wait, max_query_time as the cap of a longer ?wait', async () => {
    const index = (await http(agent.base, 'GET', '/v1/kv/?recurse')).headers.get('x-consul-index');
    const timed = async (path: string): Promise<number> => {
      const t0 = performance.now();
      const r = await http(agent.base, 'GET', path);
      expect(r.status).toBe(404);
      return performance.now() - t0;
    };
    // 400 ms (+ up to wait/16 of jitter), not Consul's 5 min; then 1 s, not the 30 s asked for.
    // The upper bounds only tell those apart: a loaded machine may add seconds.
    const byDefault = await timed(`/v1/kv/none?index=${index}`);
    expect(byDefault).toBeGreaterThanOrEqual(380);
    expect(byDefault).toBeLessThan(10_000);
    const capped = await timed(`/v1/kv/none?index=${index}&wait=30s`);
    expect(capped).toBeGreaterThanOrEqual(950);
    expect(capped).toBeLessThan(20_000);
  });

  it('limits.kv_max_value_size lets a 1.5 MiB value in and refuses 2.5 MiB; a transaction body may be as large (txn_max_req_len is raised to it)', async () => {
    const big = Buffer.alloc(1536 * 1024, 7);
    expect((await http(agent.base, 'PUT', '/v1/kv/big', big)).status).toBe(200);
    expect(Buffer.from(await (await fetch(`${agent.base}/v1/kv/big?raw`)).arrayBuffer()).equals(big)).toBe(true);
    const over = await http(agent.base, 'PUT', '/v1/kv/big', Buffer.alloc(2560 * 1024));
    expect([over.status, over.text]).toEqual([413, 'Request body(2621440 bytes) too large, max size: 2097152 bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.']);
    const txn = await http(agent.base, 'PUT', '/v1/txn', JSON.stringify([{ KV: { Verb: 'set', Key: 'big-txn', Value: Buffer.alloc(1024 * 1024, 1).toString('base64') } }]));
    expect(txn.status).toBe(200);
    const self = (await http(agent.base, 'GET', '/v1/agent/self')).json();
    expect(self.DebugConfig).toMatchObject({ KVMaxValueSize: 2097152, TxnMaxReqLen: 1024 });
  });

  it('check_update_interval: an output-only change waits (5m by default), a status change does not; 0s writes every change', async () => {
    const outputs = async (a: AgentProcess): Promise<[string, string]> => {
      const local = (await http(a.base, 'GET', '/v1/agent/checks')).json()['job'].Output as string;
      const catalog = ((await http(a.base, 'GET', '/v1/health/checks/web')).json() as Array<{ Output: string }>)[0]?.Output ?? '';
      return [local, catalog];
    };
    const run = async (ip: string, extra: string[]): Promise<AgentProcess> => {
      const a = await startAgentProcess(['-dev', '-client', ip, '-bind', ip, '-dns-port', '-1', ...extra], `${ip}:8500`);
      others.push(a);
      await http(a.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'web', Check: { CheckID: 'job', TTL: '60s' } }));
      expect((await http(a.base, 'PUT', '/v1/agent/check/pass/job?note=first')).status).toBe(200);
      await vi.waitFor(async () => expect(await outputs(a)).toEqual(['first', 'first']), { timeout: 10_000, interval: 100 });
      expect((await http(a.base, 'PUT', '/v1/agent/check/pass/job?note=second')).status).toBe(200);
      return a;
    };
    const deferred = await run('127.0.66.53', []);
    const immediate = await run('127.0.66.54', ['-hcl', 'check_update_interval = "0s"']);
    await vi.waitFor(async () => expect(await outputs(immediate)).toEqual(['second', 'second']), { timeout: 10_000, interval: 100 });
    await new Promise((r) => setTimeout(r, 1500)); // more than a sync: the default holds the output back
    expect(await outputs(deferred)).toEqual(['second', 'first']);
    // A status change goes at once, with its output.
    expect((await http(deferred.base, 'PUT', '/v1/agent/check/warn/job?note=third')).status).toBe(200);
    await vi.waitFor(async () => expect(await outputs(deferred)).toEqual(['third', 'third']), { timeout: 10_000, interval: 100 });
    expect((await http(deferred.base, 'GET', '/v1/agent/self')).json().DebugConfig.CheckUpdateInterval).toBe('5m0s');
  });

  it('dns_config.soa sets the SOA timers and the negative TTL; a bad recursor_strategy refuses the start', async () => {
    const a = await startAgentProcess(
      ['-dev', '-client', '127.0.66.55', '-bind', '127.0.66.55', '-dns-port', '8600', '-hcl', 'dns_config { soa { refresh = 100 retry = 20 expire = 300 min_ttl = 5 } recursor_strategy = "random" }'],
      '127.0.66.55:8500',
    );
    others.push(a);
    const [soa] = dig('127.0.66.55', 8600, 'consul.', 'SOA');
    expect(soa!.split(' ').filter((_, i) => i !== 2)).toEqual(['ns.consul.', 'hostmaster.consul.', '100', '20', '300', '5']);
    expect(spawnSync(process.execPath, [RUN_JS, '-dev', '-hcl', 'dns_config { recursor_strategy = "fastest" }'], { encoding: 'utf8', timeout: 30_000 }).stderr)
      .toContain('dns_config.recursor_strategy: invalid strategy: "fastest"');
  });

  it('tagged_addresses and advertise_addr_ipv6 join the tagged addresses the agent sets for its node', async () => {
    const a = await startAgentProcess(
      ['-dev', '-client', '127.0.66.56', '-bind', '127.0.66.56', '-dns-port', '-1', '-node', 'tagged', '-hcl', 'advertise_addr_ipv6 = "::1"', '-hcl', 'tagged_addresses { custom = "10.9.9.9", lan = "10.0.0.1" }'],
      '127.0.66.56:8500',
    );
    others.push(a);
    const want = { custom: '10.9.9.9', lan: '127.0.66.56', lan_ipv4: '127.0.66.56', lan_ipv6: '::1', wan: '127.0.66.56', wan_ipv4: '127.0.66.56' };
    await vi.waitFor(async () => expect((await http(a.base, 'GET', '/v1/catalog/node/tagged')).json().Node.TaggedAddresses).toEqual(want), { timeout: 10_000 });
    expect((await http(a.base, 'GET', '/v1/agent/self')).json().DebugConfig.TaggedAddresses).toEqual(want);
  });

  it('telemetry.statsd_address: the agent sends its runtime gauges (with the hostname) and its HTTP timers as statsd lines', async () => {
    const rx = createSocket('udp4');
    const lines: string[] = [];
    rx.on('message', (m) => lines.push(...m.toString().split('\n').filter(Boolean)));
    await new Promise<void>((r) => rx.bind(0, '127.0.66.57', () => r()));
    try {
      const a = await startAgentProcess(
        ['-dev', '-client', '127.0.66.58', '-bind', '127.0.66.58', '-dns-port', '-1', '-hcl', `telemetry { statsd_address = "127.0.66.57:${(rx.address() as AddressInfo).port}" }`],
        '127.0.66.58:8500',
      );
      others.push(a);
      await http(a.base, 'GET', '/v1/catalog/nodes');
      const gauge = new RegExp(`^consul\\.${hostname().replace(/[.]/g, '\\.')}\\.runtime\\.alloc_bytes:\\d+\\.000000\\|g$`);
      await vi.waitFor(() => {
        expect(lines.some((l) => gauge.test(l))).toBe(true);
        expect(lines.some((l) => /^consul\.http\.GET\.v1\.catalog\.nodes:[\d.]+\|ms$/.test(l))).toBe(true);
      }, { timeout: 10_000, interval: 100 });
    } finally {
      rx.close();
    }
  });
});
