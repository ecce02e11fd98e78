/**
 * `proconsul exec` with ACLs (default deny) on a -dev server at 127.0.103.10: the exec token
 * needs agent:read, session:write, key:write and event:write on `_rexec` (Consul's docs); the
 * agent runs the job with its agent token, which needs key:write on `_rexec`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { runCli } from './run-cli.js';

const ROOT = '11111111-2222-3333-4444-555555555555';
const AGENT = '22222222-3333-4444-5555-666666666666';
let server: AgentProcess;
let dir: string;

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { 'X-Consul-Token': ROOT }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function token(name: string, rules: string, secret?: string): Promise<string> {
  await api('PUT', '/v1/acl/policy', { Name: name, Rules: rules });
  const t = await api('PUT', '/v1/acl/token', { ...(secret ? { SecretID: secret } : {}), Policies: [{ Name: name }] });
  return t['SecretID'] as string;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proconsul-exec-acl-'));
  const cfg = join(dir, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ disable_remote_exec: false, acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: ROOT, agent: AGENT } } }));
  server = await startAgent({ ip: '127.0.103.10', extraArgs: ['-config-file', cfg, '-log-level', 'warn'] });
}, 40_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('proconsul exec with ACLs', () => {
  it('runs with Consul\'s documented rules and refuses a token without event:write', async () => {
    const exec = (tok: string, cmd: string) => runCli(['exec', '-token', tok, '-wait', '1s', cmd], { addr: server.httpAddr, timeoutMs: 30_000 });
    const base = 'agent_prefix "" { policy = "read" }\nsession_prefix "" { policy = "write" }\nkey_prefix "_rexec" { policy = "write" }\n';
    const user = await token('exec-user', `${base}event_prefix "_rexec" { policy = "write" }\n`);
    const noEvent = await token('exec-no-event', base);

    // The agent token does not exist yet: the agent cannot read the job, nothing acknowledges.
    const before = await exec(user, 'echo hi');
    expect([before.code, before.stdout, before.stderr]).toEqual([0, '0 / 0 node(s) completed / acknowledged\n', '']);

    await token('rexec-agent', 'node_prefix "" { policy = "write" }\nkey_prefix "_rexec" { policy = "write" }\n', AGENT);
    const ok = await exec(user, 'echo hi');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`    ${server.nodeName}: hi\n`);
    expect(ok.stdout).toContain('1 / 1 node(s) completed / acknowledged');

    const denied = await exec(noEvent, 'echo hi');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^Failed to fire event: .*Permission denied/);
    // The job it stored is gone again.
    const kv = await fetch(`${server.url}/v1/kv/_rexec?recurse`, { headers: { 'X-Consul-Token': ROOT } });
    expect(kv.status).toBe(404);
  }, 60_000);
});
