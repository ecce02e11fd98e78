// Safe defaults: bad ACL settings stop the start with one line; enabling remote script checks without ACLs logs Consul's
// security issue; X-Consul-Default-ACL-Policy says what is actually enforced.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE_SCRIPT_CHECK_SECURITY_WARNING } from '../src/acl/config.js';
import { http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.63.1';
const dir = tempDir('acl-safe-');

function runAgent(args: string[], mode: string[] = ['-dev']): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [RUN_JS, ...mode, '-client', IP, '-bind', IP, '-dns-port', '-1', ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

function configFile(name: string, body: unknown): string {
  const path = join(dir.path, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

afterAll(() => dir.remove());

describe('ACL settings an agent refuses', () => {
  it('refuses a token_ttl that is no duration, with one line and exit 1', () => {
    const r = runAgent(['-config-file', configFile('ttl.json', { acl: { enabled: true, token_ttl: 'soon' } })], ['-data-dir', join(dir.path, 'client')]);
    expect(r.status).toBe(1);
    expect(r.out).toBe(`==> failed to parse ${join(dir.path, 'ttl.json')}: acl.token_ttl: time: invalid duration "soon"\n`);
  });

  it('refuses a default_policy that is neither allow nor deny', () => {
    const r = runAgent(['-config-file', configFile('bad.json', { acl: { default_policy: 'maybe' } })]);
    expect(r.status).toBe(1);
    expect(r.out).toBe('==> acl.default_policy must be "allow" or "deny", not "maybe"\n');
  });
});

describe('a running agent without ACLs', () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    // default_policy = deny with ACLs off: nothing is enforced, so the header must say allow.
    const cfg = configFile('off.json', { acl: { enabled: false, default_policy: 'deny' } });
    agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-dns-port', '-1', '-enable-script-checks', '-config-file', cfg], `${IP}:8500`);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('logs Consul\'s security issue for -enable-script-checks at start', () => {
    const line = agent.output().split('\n').find((l) => l.includes('[SECURITY] issue'));
    expect(line).toBeDefined();
    expect(line).toMatch(/\[ERROR\]/);
    expect(line).toContain(REMOTE_SCRIPT_CHECK_SECURITY_WARNING);
  });

  it.each([
    ['GET', '/v1/kv/x'],
    ['GET', '/v1/catalog/nodes'],
    ['GET', '/v1/nope'],
    ['GET', '/v1/kv/x?index=abc'],
    ['PATCH', '/v1/kv/x'],
  ])('answers %s %s with X-Consul-Default-ACL-Policy: allow', async (method, path) => {
    const r = await http(agent.base, method, path);
    expect(r.headers.get('x-consul-default-acl-policy')).toBe('allow');
  });
});

describe('an agent without -enable-script-checks', () => {
  it('logs no security issue', async () => {
    const agent = await startAgentProcess(['-dev', '-client', '127.0.63.2', '-bind', '127.0.63.2', '-dns-port', '-1'], '127.0.63.2:8500');
    try {
      expect(agent.output()).toMatch(/agent/);
      expect(agent.output()).not.toContain('[SECURITY]');
    } finally {
      await agent.stop();
    }
  });
});
