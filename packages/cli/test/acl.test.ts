/**
 * `proconsul acl ...` and the CLI's token sources (-token, -token-file, CONSUL_HTTP_TOKEN)
 * against a real agent with ACLs on, default deny, never bootstrapped (127.0.63.20).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startAgent, type AgentProcess } from '@proconsul/testing';

const bin = resolve(repoRoot, 'packages/cli/bin/proconsul.js');
let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'proconsul-cli-acl-'));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: agent.httpAddr, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      res({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const cfg = join(dir, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny' } }));
  agent = await startAgent({ ip: '127.0.63.20', extraArgs: ['-config-file', cfg] });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('proconsul acl', () => {
  let mgmt = '';

  it('bootstraps once and prints the management token, then refuses', async () => {
    const r = await cli(['acl', 'bootstrap']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^AccessorID:\s+[0-9a-f-]{36}\nSecretID:\s+[0-9a-f-]{36}\nDescription:\s+Bootstrap Token \(Global Management\)\nLocal:\s+false\nCreate Time:\s+\S+\nPolicies:\n\s+00000000-0000-0000-0000-000000000001 - global-management\n$/);
    mgmt = /SecretID:\s+(\S+)/.exec(r.stdout)![1]!;
    const again = await cli(['acl', 'bootstrap']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Failed ACL bootstrapping: Unexpected response code: 403 \(Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)\)\n$/);
  });

  it('creates a policy and a token, and the token works from every source', async () => {
    const p = await cli(['acl', 'policy', 'create', '-name', 'kv-app', '-rules', 'key_prefix "app/" { policy = "write" }'], { CONSUL_HTTP_TOKEN: mgmt });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^ID:\s+\S+\nName:\s+kv-app\n/);
    const t = await cli(['acl', 'token', 'create', '-description', 'app', '-policy-name', 'kv-app', '-token', mgmt]);
    expect(t.code, t.stderr).toBe(0);
    const secret = /SecretID:\s+(\S+)/.exec(t.stdout)![1]!;
    expect(t.stdout).toMatch(/Policies:\n\s+\S+ - kv-app\n/);
    const file = join(dir, 'token');
    writeFileSync(file, `${secret}\n`);
    expect((await cli(['kv', 'put', '-token', secret, 'app/a', '1'])).code).toBe(0);
    expect((await cli(['kv', 'put', '-token-file', file, 'app/b', '2'])).code).toBe(0);
    expect((await cli(['kv', 'get', 'app/a'], { CONSUL_HTTP_TOKEN: secret })).stdout).toBe('1\n');
    const denied = await cli(['kv', 'put', 'other', 'x'], { CONSUL_HTTP_TOKEN: secret });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("lacks permission 'key:write' on \"other\"");
    const self = await cli(['acl', 'token', 'read', '-self', '-token-file', file]);
    expect(self.stdout).toContain(`SecretID:         ${secret}`);
    const bad = await cli(['acl', 'policy', 'create', '-name', 'bad', '-rules', 'key "a" { policy = "sudo" }', '-token', mgmt]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Failed to create new policy: Unexpected response code: 400 (Invalid Policy: Invalid key policy: "sudo")\n');
  });

  it('lists, reads and deletes policies, tokens and roles, and sets the agent token', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    const list = await cli(['acl', 'policy', 'list'], env);
    expect(list.stdout).toMatch(/^global-management:\n   ID:           00000000-0000-0000-0000-000000000001\n/m);
    expect(list.stdout).toContain('kv-app:');
    const read = await cli(['acl', 'policy', 'read', '-name', 'kv-app'], env);
    expect(read.stdout).toContain('key_prefix "app/" { policy = "write" }');
    const role = await cli(['acl', 'role', 'create', '-name', 'app-role', '-policy-name', 'kv-app'], env);
    expect(role.code, role.stderr).toBe(0);
    expect(role.stdout).toMatch(/Policies:\n\s+\S+ - kv-app\n/);
    expect((await cli(['acl', 'role', 'list'], env)).stdout).toContain('app-role');
    const roleId = /^ID:\s+(\S+)/m.exec(role.stdout)![1]!;
    expect((await cli(['acl', 'role', 'delete', '-id', roleId], env)).stdout).toBe(`Role "${roleId}" deleted successfully\n`);
    const tokens = await cli(['acl', 'token', 'list'], env);
    expect(tokens.stdout).toContain('Description:      Anonymous Token');
    const t = await cli(['acl', 'token', 'create', '-policy-name', 'kv-app'], env);
    const accessor = /AccessorID:\s+(\S+)/.exec(t.stdout)![1]!;
    const secret = /SecretID:\s+(\S+)/.exec(t.stdout)![1]!;
    expect((await cli(['acl', 'set-agent-token', 'default', secret], env)).stdout).toBe('ACL token set successfully\n');
    expect((await cli(['kv', 'get', 'app/a'])).stdout).toBe('1\n'); // no token: the agent's default now
    expect((await cli(['acl', 'set-agent-token', 'default', ''], env)).code).toBe(0);
    expect((await cli(['acl', 'token', 'delete', '-id', accessor], env)).stdout).toBe(`Token "${accessor}" deleted successfully\n`);
    const gone = await cli(['acl', 'policy', 'delete', '-name', 'kv-app'], env);
    expect(gone.code, gone.stderr).toBe(0);
    const missing = await cli(['acl', 'policy', 'read', '-name', 'kv-app'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error reading policy: Unexpected response code: 404 (Requested policy does not exist: ACL not found)\n');
    expect((await cli(['acl', 'policy', 'read'], env)).stderr).toBe('Must specify either the -id or -name parameters to read\n');
  });
});
