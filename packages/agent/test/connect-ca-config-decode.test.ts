// A CA configuration value that mapstructure cannot decode (CSRMaxPerSecond "x"), on real
// processes (127.0.127.10 server, .11 refused agent): refused with Consul's text by
// `PUT /v1/connect/ca/configuration` (UpdateConfiguration's "error configuring provider" around
// ParseConsulCAConfig; a 400 here, Consul's 500) and by an agent whose config names the "consul"
// provider (agent/config/builder.go Validate). Without a provider named, the leader's CA
// initialization meets it instead (logged, as Consul's "Failed to initialize Connect CA").
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, startAgentProcess, workDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.127.10';
const REFUSED = '127.0.127.11';
const LEADER_ONLY = '127.0.127.12';
const dir = workDir('connect-ca-config-decode-');
const started: AgentProcess[] = [];

const NOT_A_FLOAT = `error decoding config: 1 error(s) decoding:\n\n* cannot parse 'CSRMaxPerSecond' as float: strconv.ParseFloat: parsing "x": invalid syntax`;

async function start(ip: string, extra: string[] = []): Promise<AgentProcess> {
  const a = await startAgentProcess(['-server', '-bootstrap', '-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', `n-${ip}`, '-dns-port', '-1', '-log-level', 'info', ...extra], `${ip}:8500`);
  started.push(a);
  return a;
}

let server: AgentProcess;

beforeAll(async () => {
  server = await start(SERVER);
  await eventually(async () => ((await http(server.base, 'GET', '/v1/connect/ca/roots')).json() as { ActiveRootID: string }).ActiveRootID !== '' || undefined, 'the CA roots', 200);
}, 60_000);

afterAll(async () => {
  for (const a of started) await a.kill9();
  dir.remove();
});

describe('CSRMaxPerSecond that is no number', () => {
  it('a PUT is refused with Consul\'s text and the configuration stays', async () => {
    const before = await http(server.base, 'GET', '/v1/connect/ca/configuration');
    const bad = await http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { CSRMaxPerSecond: 'x' } }));
    expect([bad.status, bad.text]).toEqual([400, `error configuring provider: ${NOT_A_FLOAT}`]);
    expect((await http(server.base, 'GET', '/v1/connect/ca/configuration')).text).toBe(before.text);
    // A numeric string is decoded weakly, as mapstructure does.
    const ok = await http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { CSRMaxPerSecond: '25' } }));
    expect(ok.status, ok.text).toBe(200);
  });

  it('an agent whose config names the consul provider refuses to start with that text', () => {
    const cfg = dir.config('bad-csr.json', { connect: { ca_provider: 'consul', ca_config: { csr_max_per_second: 'x' } } });
    const r = spawnSync(process.execPath, [RUN_JS, '-dev', '-bind', REFUSED, '-client', REFUSED, '-dns-port', '-1', '-config-file', cfg], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).toContain(`==> ${NOT_A_FLOAT}`);
  });

  it('without a provider named, the agent starts and its leader cannot initialize the CA', async () => {
    const cfg = dir.config('leader-csr.json', { connect: { ca_config: { csr_max_per_second: 'x' } } });
    const a = await start(LEADER_ONLY, ['-config-file', cfg]);
    await eventually(async () => (a.output().includes('Failed to initialize Connect CA') ? true : undefined), 'the CA initialization error', 100);
    expect(a.output()).toContain('cannot parse');
    expect(((await http(a.base, 'GET', '/v1/connect/ca/roots')).json() as { ActiveRootID: string }).ActiveRootID).toBe('');
  }, 60_000);
});
