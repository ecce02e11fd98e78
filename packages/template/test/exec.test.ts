// Exec mode against a real agent, as consul-template's (manager/runner.go, child/child.go): the
// built CLI runs a small node child that logs its starts (with the rendered file and its
// environment) and the signals it gets. A template change sends the reload signal or restarts
// the child (kill signal, kill_timeout, SIGKILL); other signals are forwarded; the kill signal
// stops everything (exit 12); the reload signal restarts the child with the new configuration.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, stopProcess, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startCli, type CliProcess } from './helpers.js';

const IP = '127.0.124.11';
let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'pct-exec-'));
const childScript = join(dir, 'child.cjs');
const clis: CliProcess[] = [];

// Logs "start <pid> <file contents> <FOO> <CONSUL_HTTP_ADDR>" and "signal <NAME>"; SIGTERM exits 7,
// SIGINT exits 0, unless IGNORE is set (then only SIGKILL ends it).
const CHILD = `
const fs = require('fs');
const w = (s) => fs.appendFileSync(process.env.CHILD_LOG, s + '\\n');
w(['start', process.pid, fs.readFileSync(process.env.CHILD_READ, 'utf8'), process.env.FOO || '-', process.env.CONSUL_HTTP_ADDR || '-'].join(' '));
for (const s of ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGINT', 'SIGTERM']) process.on(s, () => {
  w('signal ' + s);
  if (process.env.IGNORE) return;
  if (s === 'SIGTERM') process.exit(7);
  if (s === 'SIGINT') process.exit(0);
});
setInterval(() => {}, 1000);
`;

beforeAll(async () => {
  writeFileSync(childScript, CHILD);
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn'] });
}, 40_000);
afterAll(async () => {
  for (const c of clis) await stopProcess(c.proc, 'SIGKILL');
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
const lines = (p: string) => read(p).split('\n').filter(Boolean);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The CLI with a template of key `key` and the child as its -exec command; returns the paths.
 * `exec` in front: sh -c replaces itself with the child, so the signals sent to the process group
 * reach the child alone (a lingering sh would die of a signal such as SIGUSR2, as under consul-template).
 */
async function execCli(name: string, args: string[], env: Record<string, string> = {}) {
  const key = `exec/${name}`;
  await api(agent.url, 'PUT', `/v1/kv/${key}`, 'v1');
  const src = join(dir, `${name}.ctmpl`);
  const out = join(dir, `${name}.conf`);
  const log = join(dir, `${name}.log`);
  writeFileSync(src, `{{ key "${key}" }}`);
  const cli = startCli(
    ['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`, '-exec', `exec ${process.execPath} ${childScript}`, ...args],
    { ...process.env, CHILD_LOG: log, CHILD_READ: out, ...env },
  );
  clis.push(cli);
  return { cli, key, log, out, src };
}

const pidOf = (line: string) => Number(line.split(' ')[1]);

describe('exec mode', () => {
  it('sends the reload signal on a change, forwards other signals, and exits with the child', async () => {
    const { cli, key, log } = await execCli('reload', ['-exec-reload-signal', 'SIGUSR1', '-exec-env-custom', 'FOO=bar']);
    await waitFor(() => lines(log)[0]?.startsWith('start '), 'the child started');
    // It started after the render, with the agent's address and the custom variable.
    expect(lines(log)[0]).toMatch(new RegExp(`^start \\d+ v1 bar ${agent.httpAddr.replace(/\./g, '\\.')}$`));
    const pid = pidOf(lines(log)[0]!);

    await api(agent.url, 'PUT', `/v1/kv/${key}`, 'v2');
    await waitFor(() => lines(log).includes('signal SIGUSR1'), 'the reload signal');
    cli.proc.kill('SIGUSR2');
    await waitFor(() => lines(log).includes('signal SIGUSR2'), 'a forwarded signal');
    expect(lines(log).filter((l) => l.startsWith('start '))).toHaveLength(1);
    expect(alive(pid)).toBe(true);

    // SIGTERM is not the kill signal (SIGINT): it goes to the child, which exits 7; so does the CLI.
    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toBe(7);
    expect(lines(log).slice(-1)).toEqual(['signal SIGTERM']);
    expect(cli.output()).toContain('child process exited with code 7');
  }, 30_000);

  it('restarts the child without a reload signal: kill signal, SIGKILL after kill_timeout, start again', async () => {
    const { cli, key, log } = await execCli('restart', ['-exec-kill-timeout', '500ms'], { IGNORE: '1' });
    await waitFor(() => lines(log)[0]?.startsWith('start '), 'the child started');
    const first = pidOf(lines(log)[0]!);

    await api(agent.url, 'PUT', `/v1/kv/${key}`, 'v2');
    await waitFor(() => lines(log).filter((l) => l.startsWith('start ')).length === 2, 'the second start');
    const log2 = lines(log);
    // The old child got the kill signal (SIGINT by default), ignored it, was killed; the new one read v2.
    expect(log2[1]).toBe('signal SIGINT');
    expect(log2[2]).toMatch(/^start \d+ v2 - /);
    const second = pidOf(log2[2]!);
    expect(second).not.toBe(first);
    expect(alive(first)).toBe(false);

    // The kill signal (SIGINT) stops proconsul-template: the child gets SIGINT, then SIGKILL; exit 12.
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(12);
    expect(cli.output()).toContain('Cleaning up...');
    expect(lines(log).slice(-1)).toEqual(['signal SIGINT']);
    expect(alive(second)).toBe(false);
  }, 30_000);

  it('the reload signal (SIGHUP) reloads the configuration and starts the child again with it', async () => {
    const { cli, log, src, out } = await execCli('config', ['-exec-kill-signal', 'SIGTERM']);
    await waitFor(() => lines(log)[0]?.startsWith('start '), 'the child started');
    writeFileSync(src, 'new {{ key "exec/config" }}');
    cli.proc.kill('SIGHUP');
    await waitFor(() => lines(log).filter((l) => l.startsWith('start ')).length === 2, 'the second start');
    // Stopped with its kill signal (it exits 7 on SIGTERM, which is not reported), then started after the new render.
    expect(lines(log)).toEqual([expect.stringMatching(/^start \d+ v1 /), 'signal SIGTERM', expect.stringMatching(/^start \d+ new v1 /)]);
    expect(read(out)).toBe('new v1');
    expect(cli.proc.exitCode).toBeNull();
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(12);
  }, 30_000);

  it('takes the exec block from a config file: a list command (no shell), its reload signal, the top-level kill_signal', async () => {
    await api(agent.url, 'PUT', '/v1/kv/exec/file', 'v1');
    const src = join(dir, 'file.ctmpl');
    const out = join(dir, 'file.conf');
    const log = join(dir, 'file.log');
    const cfg = join(dir, 'exec.hcl');
    writeFileSync(src, '{{ key "exec/file" }}');
    writeFileSync(cfg, [
      `consul { address = "${agent.httpAddr}" }`,
      'kill_signal = "SIGTERM"',
      `template {\n  source = "${src}"\n  destination = "${out}"\n}`,
      `exec {\n  command = ["${process.execPath}", "${childScript}"]\n  reload_signal = "SIGUSR2"\n  splay = "200ms"\n  env { custom = ["FOO=from-file"] }\n}`,
    ].join('\n'));
    const cli = startCli(['-config', cfg], { ...process.env, CHILD_LOG: log, CHILD_READ: out });
    clis.push(cli);
    await waitFor(() => lines(log)[0]?.startsWith('start '), 'the child started');
    expect(lines(log)[0]).toMatch(/^start \d+ v1 from-file /);
    await api(agent.url, 'PUT', '/v1/kv/exec/file', 'v2');
    await waitFor(() => lines(log).includes('signal SIGUSR2'), 'the reload signal');
    // SIGTERM is now the kill signal: the child gets its own (SIGINT, on which it exits 0); exit 12.
    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toBe(12);
    expect(lines(log).slice(1)).toEqual(['signal SIGUSR2', 'signal SIGINT']);
  }, 30_000);

  it('keeps running after rendering a template without dependencies, until its kill signal', async () => {
    const src = join(dir, 'static.ctmpl');
    const out = join(dir, 'static.conf');
    writeFileSync(src, 'static');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`]);
    clis.push(cli);
    await waitFor(() => read(out) === 'static', 'the render');
    await new Promise((r) => setTimeout(r, 1500));
    expect(cli.proc.exitCode).toBeNull();
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(12);
  }, 20_000);

  it('-once with -exec renders, runs the child to its end and exits with its status', async () => {
    const once = join(dir, 'once.conf');
    const src = join(dir, 'once.ctmpl');
    writeFileSync(src, 'once');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${once}`, '-once', '-exec', `cat ${once}; exit 5`]);
    clis.push(cli);
    expect(await cli.exited).toBe(5);
    expect(cli.output()).toContain('once');
  }, 20_000);
});
