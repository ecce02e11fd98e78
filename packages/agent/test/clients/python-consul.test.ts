// python-consul 0.7.1 (Debian's python3-consul), a real Consul client, against real agents on
// 127.0.105.x: every API group it offers, through the scripts in ./python (one per group, run
// with Debian's /usr/bin/python3, each asserting itself and printing one JSON line). Where
// python-consul deviates from Consul (GETs Consul refuses since 1.0, `script` checks, a token in
// catalog bodies, the legacy ACL API, no txn API), the scripts check that Proconsul answers as
// Consul does; see docs/clients-python.md.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startAgent, type AgentProcess as DevAgent } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentProcess, tempDir, type AgentProcess } from '../helpers.js';

const PYTHON = '/usr/bin/python3'; // python3-consul installs for Debian's python only
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), 'python');
const run = promisify(execFile);

/** Runs a script with only these variables (and PATH); its last stdout line parsed. Fails with its stderr. */
async function python(script: string, env: Record<string, string>, timeoutMs = 110_000): Promise<Record<string, unknown>> {
  try {
    const { stdout } = await run(PYTHON, [join(SCRIPTS, script)], {
      env: { PATH: process.env['PATH'] ?? '', PYTHONDONTWRITEBYTECODE: '1', ...env },
      timeout: timeoutMs,
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message: string };
    throw new Error(`${script} failed (${String(e.code ?? e.message)}):\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

beforeAll(async () => {
  // CI installs python3-consul (.ci/run): without it this fails, it does not skip.
  const { stdout } = await run(PYTHON, ['-c', 'import consul; print(consul.__version__)']);
  expect(stdout.trim()).toBe('0.7.1');
});

describe('python-consul against a dev agent', () => {
  let agent: DevAgent;
  const env = (): Record<string, string> => ({ CONSUL_HTTP_ADDR: agent.httpAddr, NODE: agent.nodeName });

  beforeAll(async () => {
    agent = await startAgent({ ip: '127.0.105.1', nodeName: 'py-dev', extraArgs: ['-log-level', 'warn'] });
  }, 60_000);
  afterAll(() => agent?.stop());

  it('kv: get/put/delete, flags, recurse, keys, cas, acquire/release, blocking get', async () => {
    const seen = await python('kv.py', env());
    expect(seen['keys']).toEqual(['py/dir/x/', 'py/dir/z']);
    expect(seen['blocked']).toBeGreaterThanOrEqual(0.7);
  }, 60_000);

  it('agent: self, members, maintenance, services and checks, TTL updates, deregistration', async () => {
    const seen = await python('agent.py', env());
    expect(seen['statuses']).toEqual(['passing', 'warning', 'critical']);
    // The methods python-consul 0.7.1 sends as GET, answered 405 as by Consul 1.0+.
    expect(seen['refused']).toEqual(['check.deregister', 'force_leave', 'join', 'service.deregister', 'ttl_fail', 'ttl_pass', 'ttl_warn']);
    expect(seen['script_error']).toBe('400 Request decode failed: json: unknown field "script"');
  }, 60_000);

  it('catalog and health', async () => {
    const seen = await python('catalog_health.py', env());
    expect(seen['passing']).toEqual(['ext-1', 'ext-2']);
    // python-consul's token= puts WriteRequest in the body, which Consul's decoder refuses.
    expect(seen['token_error']).toBe('400 Request decode failed: json: unknown field "WriteRequest"');
  }, 60_000);

  it('session: create/list/node/info/renew/destroy', async () => {
    const seen = await python('session.py', env());
    expect(seen['missing_check']).toBe("500 Missing check 'no-such-check' registration");
    expect(seen['renew_missing']).toBe("Session id '00000000-0000-0000-0000-000000000000' not found");
  }, 60_000);

  it('query: prepared queries (templates, as python-consul makes them)', async () => {
    const seen = await python('query.py', env());
    expect(seen['template']).toBe('web');
  }, 60_000);

  it('txn through its HTTP client; the legacy ACL API answers 404 as in Consul today', async () => {
    const seen = await python('txn_acl.py', env());
    expect(seen['txn']).toBe(3);
    expect(Object.keys(seen['legacy'] as object).sort()).toEqual(['clone', 'create', 'destroy', 'info', 'list', 'update']);
  }, 60_000);
});

describe('python-consul against a server and two client agents', () => {
  const [S, C1, C2] = ['127.0.105.11', '127.0.105.12', '127.0.105.13'];
  const dirs = [S, C1, C2].map(() => tempDir('proconsul-pyclient-'));
  const agents: AgentProcess[] = [];
  const common = (ip: string, node: string, i: number) => ['-data-dir', dirs[i]!.path, '-bind', ip, '-client', ip, '-node', node, '-dns-port', '-1', '-log-level', 'warn'];
  const env = {
    CONSUL_HTTP_ADDR: `${C1}:8500`,
    SERVER: S!,
    SERVER_NODE: 'py-server',
    SERVER_HTTP: `${S}:8500`,
    NODE: 'py-client-1',
    JOIN: C2!,
    JOIN_NODE: 'py-client-2',
  };

  beforeAll(async () => {
    agents.push(await startAgentProcess(['-server', '-bootstrap', ...common(S!, 'py-server', 0)], `${S}:8500`));
    agents.push(await startAgentProcess([...common(C1!, 'py-client-1', 1), '-retry-join', S!, '-retry-interval', '1s'], `${C1}:8500`));
    // Client 2 is joined by the script.
    agents.push(await startAgentProcess(common(C2!, 'py-client-2', 2), `${C2}:8500`, { waitForLeader: false }));
  }, 90_000);
  afterAll(async () => {
    for (const a of agents) await a.kill9();
    for (const d of dirs) d.remove();
  });

  it('join, members, status, raft configuration, coordinates, events; then force-leave of a dead agent', async () => {
    const joined = await python('cluster_join.py', env, 200_000);
    expect(joined['members']).toEqual(['py-client-1', 'py-client-2', 'py-server']);
    expect(joined['coordinates']).toEqual(['py-client-1', 'py-client-2', 'py-server']);

    await agents[2]!.kill9();
    const left = await python('cluster_leave.py', { ...env, SESSION: String(joined['session']) });
    expect(left['status']).toBe(3);
  }, 330_000);
});
