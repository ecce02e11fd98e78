// consul.retry as consul-template's (config/retry.go, watch/view.go, cli.go): a query that keeps
// failing is retried `attempts` times with a doubling backoff, then proconsul-template exits 14
// with the error; the files it rendered stay, and an -exec child is stopped. 0 attempts: forever.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, stopProcess, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { api, startCli, type CliProcess } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pct-retry-'));
// Nothing listens there: every query fails to connect.
const DEAD = '127.0.124.250:18500';
const clis: CliProcess[] = [];
let agent: AgentProcess | undefined;

afterAll(async () => {
  for (const c of clis) await stopProcess(c.proc, 'SIGKILL');
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): CliProcess {
  const src = join(dir, 'k.ctmpl');
  writeFileSync(src, '{{ key "retry/k" }}');
  const c = startCli(['-template', `${src}:${join(dir, 'never.conf')}`, ...args]);
  clis.push(c);
  return c;
}

describe('consul.retry', () => {
  it('gives up after the attempts and exits 14 with the error', async () => {
    const started = Date.now();
    const c = cli(['-consul-addr', DEAD, '-consul-retry-attempts', '2', '-consul-retry-backoff', '100ms']);
    expect(await c.exited).toBe(14);
    // Two retries: 100 ms, then 200 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(c.output()).toMatch(/\[ERR\] \(watcher\) kv\.get\(retry\/k\): .* \(exceeded maximum retries\)/);
    expect(c.output()).toMatch(/\[ERR\] \(runner\) watcher reported error: kv\.get\(retry\/k\): /);
    expect(existsSync(join(dir, 'never.conf'))).toBe(false);
  }, 20_000);

  it('-consul-retry=false gives up at the first failure; a config file says the same', async () => {
    const c = cli(['-consul-addr', DEAD, '-consul-retry=false', '-consul-retry-backoff', '5s']);
    expect(await c.exited).toBe(14);
    expect(c.output()).toContain('(exceeded maximum retries)');
    const cfg = join(dir, 'retry.hcl');
    writeFileSync(cfg, `consul {\n  address = "${DEAD}"\n  retry {\n    enabled = false\n  }\n}\n`);
    const f = cli(['-config', cfg]);
    expect(await f.exited).toBe(14);
  }, 20_000);

  it('attempts = 0 retries forever', async () => {
    const c = cli(['-consul-addr', DEAD, '-consul-retry-attempts', '0', '-consul-retry-backoff', '10ms', '-consul-retry-max-backoff', '50ms']);
    // Dozens of failures go by; it is still trying.
    await new Promise((r) => setTimeout(r, 2500));
    expect(c.proc.exitCode).toBeNull();
    expect(c.output()).not.toContain('exceeded maximum retries');
    await stopProcess(c.proc);
  }, 20_000);

  it('keeps the rendered files and stops the -exec child when it gives up on a lost agent', async () => {
    agent = await startAgent({ ip: '127.0.124.21', extraArgs: ['-log-level', 'warn'] });
    await api(agent.url, 'PUT', '/v1/kv/retry/k', 'kept');
    const src = join(dir, 'kept.ctmpl');
    const out = join(dir, 'kept.conf');
    const pidFile = join(dir, 'child.pid');
    writeFileSync(src, '{{ key "retry/k" }}');
    const c = startCli([
      '-consul-addr', agent.httpAddr, '-template', `${src}:${out}`, '-consul-retry-attempts', '3', '-consul-retry-backoff', '50ms',
      '-exec', `echo $$ > ${pidFile}; exec sleep 60`, '-exec-kill-timeout', '1s',
    ]);
    clis.push(c);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 'the child started');
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    await agent.stop();
    agent = undefined;
    expect(await c.exited).toBe(14);
    expect(readFileSync(out, 'utf8')).toBe('kept');
    expect(c.output()).toContain('(exceeded maximum retries)');
    expect(() => process.kill(childPid, 0)).toThrow();
  }, 40_000);
});
