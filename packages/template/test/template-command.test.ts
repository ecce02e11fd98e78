// A template's command and the top-level signals, against a real agent through the built CLI,
// as consul-template does them: manager/runner.go runs a command with childEnv (CONSUL_HTTP_*)
// before the template's own exec.env, and cli.go switches on the signals of the configuration
// it loaded last, so a reload can change reload_signal and kill_signal.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, stopProcess, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, dumpEnvCommand, readEnvFile, readOrEmpty, startCli, type CliProcess } from './helpers.js';

const IP = '127.0.129.11';
let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'pct-cmd-'));
const clis: CliProcess[] = [];

beforeAll(async () => {
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn'] });
}, 40_000);
afterAll(async () => {
  for (const c of clis) await stopProcess(c.proc, 'SIGKILL');
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a template command', () => {
  it('gets the CONSUL_HTTP_* variables, then the template exec.env', async () => {
    await api(agent.url, 'PUT', '/v1/kv/cmd/env', 'v1');
    const out = join(dir, 'env.conf');
    const envOut = join(dir, 'env.txt');
    const cfg = join(dir, 'env.hcl');
    // SECRET_X is dropped by the denylist, FOO set by custom.
    writeFileSync(cfg, [
      `consul {\n  address = "${agent.httpAddr}"\n  token = "tok-1"\n}`,
      `template {\n  contents = "{{ key \\"cmd/env\\" }}"\n  destination = "${out}"\n` +
        `  exec {\n    command = ${JSON.stringify(dumpEnvCommand(envOut))}\n    env {\n      custom = ["FOO=bar", "CONSUL_HTTP_TOKEN=override"]\n      denylist = ["SECRET_*"]\n    }\n  }\n}`,
    ].join('\n'));
    const cli = startCli(['-config', cfg, '-once'], { ...process.env, SECRET_X: 'no', KEEP_Y: 'yes' });
    clis.push(cli);
    expect(await cli.exited).toBe(0);
    const env = readEnvFile(envOut);
    expect(env).toMatchObject({
      CONSUL_HTTP_ADDR: agent.httpAddr,
      CONSUL_HTTP_SSL: 'false',
      CONSUL_HTTP_SSL_VERIFY: 'true',
      // custom comes after childEnv, so it wins
      CONSUL_HTTP_TOKEN: 'override',
      FOO: 'bar',
      KEEP_Y: 'yes',
    });
    expect(env.SECRET_X).toBeUndefined();
  }, 30_000);

  it('without an exec.env block inherits this environment plus CONSUL_HTTP_*', async () => {
    await api(agent.url, 'PUT', '/v1/kv/cmd/plain', 'v1');
    const src = join(dir, 'plain.ctmpl');
    const out = join(dir, 'plain.conf');
    const envOut = join(dir, 'plain.txt');
    writeFileSync(src, '{{ key "cmd/plain" }}');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}:${dumpEnvCommand(envOut)}`, '-once'], { ...process.env, KEEP_Y: 'yes' });
    clis.push(cli);
    expect(await cli.exited).toBe(0);
    const env = readEnvFile(envOut);
    expect(env).toMatchObject({ CONSUL_HTTP_ADDR: agent.httpAddr, CONSUL_HTTP_SSL: 'false', KEEP_Y: 'yes' });
    expect(env.CONSUL_HTTP_TOKEN).toBeUndefined();
  }, 30_000);
});

describe('a reload', () => {
  it('takes the new top-level reload_signal and kill_signal', async () => {
    await api(agent.url, 'PUT', '/v1/kv/cmd/sig', 'v1');
    const out = join(dir, 'sig.conf');
    const out2 = join(dir, 'sig2.conf');
    const out3 = join(dir, 'sig3.conf');
    const cfg = join(dir, 'sig.hcl');
    const config = (dest: string, reload: string, kill: string) =>
      [
        `consul { address = "${agent.httpAddr}" }`,
        `reload_signal = "${reload}"`,
        `kill_signal = "${kill}"`,
        `template {\n  contents = "{{ key \\"cmd/sig\\" }}"\n  destination = "${dest}"\n}`,
      ].join('\n');
    writeFileSync(cfg, config(out, 'SIGHUP', 'SIGINT'));
    const cli = startCli(['-config', cfg]);
    clis.push(cli);
    await waitFor(() => readOrEmpty(out) === 'v1', 'the first render');
    // Each reloaded file renders elsewhere (so the reload is seen) and brings new signals.
    writeFileSync(cfg, config(out2, 'SIGUSR1', 'SIGUSR2'));
    cli.proc.kill('SIGHUP');
    await waitFor(() => readOrEmpty(out2) === 'v1', 'the render after the first reload');
    writeFileSync(cfg, config(out3, 'SIGUSR1', 'SIGUSR2'));
    cli.proc.kill('SIGUSR1');
    await waitFor(() => readOrEmpty(out3) === 'v1', 'the render after a reload by the new reload_signal');
    cli.proc.kill('SIGUSR2');
    expect(await cli.exited).toBe(12);
  }, 30_000);
});
