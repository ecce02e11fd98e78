/**
 * `proconsul exec` against real agents on 127.0.103.x: a -dev server and a client with
 * disable_remote_exec = false, and a client left at the default (true). The command runs on the
 * two enabled agents, prints their output and exit codes in Consul's lines, honours -node,
 * -shell=false and a script on stdin, and leaves no `_rexec` keys or sessions behind.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { runCli, type CliResult } from './run-cli.js';

let server: AgentProcess;
let enabled: AgentProcess;
let disabled: AgentProcess;
let dir: string;

const exec = (args: string[], o: { via?: AgentProcess; stdin?: string } = {}): Promise<CliResult> =>
  runCli(['exec', ...args], { addr: (o.via ?? server).httpAddr, timeoutMs: 40_000, ...(o.stdin !== undefined ? { stdin: o.stdin } : {}) });

async function members(a: AgentProcess): Promise<number> {
  const res = await fetch(`${a.url}/v1/agent/members`);
  return ((await res.json()) as Array<{ Status: number }>).filter((m) => m.Status === 1).length;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proconsul-exec-'));
  const on = join(dir, 'rexec-on.json');
  writeFileSync(on, JSON.stringify({ disable_remote_exec: false }));
  server = await startAgent({ ip: '127.0.103.1', extraArgs: ['-config-file', on, '-log-level', 'warn'] });
  const client = (ip: string, extra: string[]): Promise<AgentProcess> =>
    startAgent({ ip, dev: false, extraArgs: ['-data-dir', join(dir, ip), '-retry-join', '127.0.103.1', '-retry-interval', '1s', ...extra] });
  [enabled, disabled] = await Promise.all([client('127.0.103.2', ['-config-file', on, '-log-level', 'warn']), client('127.0.103.3', ['-log-level', 'info'])]);
  for (let i = 0; i < 100 && (await members(server)) < 3; i++) await new Promise((r) => setTimeout(r, 100));
}, 90_000);

afterAll(async () => {
  await Promise.all([server?.stop(), enabled?.stop(), disabled?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('proconsul exec', () => {
  it('runs on every agent with remote exec enabled and prints Consul\'s lines', async () => {
    const r = await exec(['echo', 'hello', 'from', '$((40+2))']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    for (const a of [server, enabled]) {
      // TargetedUI: output lines indented, a trailing bare prefix for the chunk's final newline
      expect(lines).toContain(`    ${a.nodeName}: hello from 42`);
      expect(lines).toContain(`    ${a.nodeName}:`);
      expect(lines).toContain(`==> ${a.nodeName}: finished with exit code 0`);
    }
    expect(r.stdout).not.toContain(disabled.nodeName);
    expect(lines).toContain('2 / 2 node(s) completed / acknowledged');
    // The disabled agent got the event and said why it did nothing (Consul's log line).
    expect(disabled.output()).toContain('ignoring remote exec event, disabled.');
  });

  it('filters with -node, reports a failing exit code and exits 2; nothing is left in KV', async () => {
    const r = await exec(['-node', `^${enabled.nodeName}$`, '-wait', '1s', 'echo broken >&2; exit 3'], { via: enabled });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      [`    ${enabled.nodeName}: broken`, `    ${enabled.nodeName}:`, `==> ${enabled.nodeName}: finished with exit code 3`, '1 / 1 node(s) completed / acknowledged', ''].join('\n'),
    );
    const kv = await fetch(`${server.url}/v1/kv/_rexec?recurse`);
    expect(kv.status).toBe(404);
    const sessions = (await (await fetch(`${server.url}/v1/session/list`)).json()) as Array<{ Name: string }>;
    expect(sessions.filter((s) => s.Name === 'Remote Exec')).toEqual([]);
  });

  it('the disabled agent acknowledges nothing: 0 / 0', async () => {
    const r = await exec(['-node', `^${disabled.nodeName}$`, '-wait', '1s', 'touch', join(dir, 'should-not-exist')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0 / 0 node(s) completed / acknowledged\n');
    await expect(import('node:fs').then((fs) => fs.existsSync(join(dir, 'should-not-exist')))).resolves.toBe(false);
  });

  it('-shell=false runs the arguments directly; -verbose narrates', async () => {
    const r = await exec(['-shell=false', '-verbose', '-node', `^${server.nodeName}$`, '-wait', '1s', 'printf', '%s|%s', 'a b', '$HOME']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Created remote execution session: [0-9a-f-]{36}$/);
    expect(lines).toContain('Uploaded remote execution spec');
    expect(lines.some((l) => /^Fired remote execution event: [0-9a-f-]{36}$/.test(l))).toBe(true);
    expect(lines).toContain(`==> ${server.nodeName}: acknowledged`);
    expect(lines).toContain(`    ${server.nodeName}: a b|$HOME`);
    expect(lines).toContain(`==> ${server.nodeName}: finished with exit code 0`);
    expect(lines.some((l) => /^Completed in \d+\.\d\d seconds$/.test(l))).toBe(true);
  });

  it('runs a script read from stdin with -', async () => {
    const r = await exec(['-node', `^${enabled.nodeName}$`, '-wait', '1s', '-'], { stdin: '#!/bin/sh\nfor i in 1 2; do echo "line $i"; done\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`    ${enabled.nodeName}: line 1\n    ${enabled.nodeName}: line 2\n`);
    expect(r.stdout).toContain(`==> ${enabled.nodeName}: finished with exit code 0`);
  });

  it('sends a heartbeat while a quiet command runs past -wait', async () => {
    const r = await exec(['-verbose', '-node', `^${enabled.nodeName}$`, '-wait', '1s', 'sleep 2.5; echo done'], { via: enabled });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`==> ${enabled.nodeName}: heartbeat received`);
    expect(r.stdout).toContain(`    ${enabled.nodeName}: done`);
    expect(r.stdout).toContain('1 / 1 node(s) completed / acknowledged');
  });

  it('refuses bad input with Consul\'s texts', async () => {
    const none = await exec([]);
    expect(none.code).toBe(1);
    expect(none.stderr.split('\n')[0]).toBe('Must specify a command to execute');
    const tag = await exec(['-tag', 'x', 'uptime']);
    expect([tag.code, tag.stderr]).toEqual([1, 'Cannot provide tag filter without service filter.\n']);
    const re = await exec(['-node', '(', 'uptime']);
    expect(re.code).toBe(1);
    expect(re.stderr).toMatch(/^Failed to compile node filter regexp: /);
    const stdinNoShell = await exec(['-shell=false', '-']);
    expect([stdinNoShell.code, stdinNoShell.stderr]).toEqual([1, 'Cannot configure -shell=false when reading from stdin\n']);
    const wait = await exec(['-wait', 'soon', 'uptime']);
    expect([wait.code, wait.stderr]).toEqual([1, 'invalid value "soon" for flag -wait: parse error\n']);
  });
});
