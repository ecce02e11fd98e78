// The agent settings as consul-template takes them, through the built CLI against real agents:
// a token file (config/consul.go token_file, read by Consul's api NewClient; its path passed on to
// commands as CONSUL_HTTP_TOKEN_FILE by manager/runner.go childEnv), the environment defaults of
// config/consul.go Finalize, and a reload that builds a new runner (cli.go): the new agent
// address, the re-read token file and the new log_level.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, stopProcess, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpEnvCommand, readEnvFile, readOrEmpty, startCli, type CliProcess } from './helpers.js';

const MGMT = 'mgmt-secret-132';
let acl: AgentProcess;
let other: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'pct-agent-'));
const clis: CliProcess[] = [];
/** This environment without any CONSUL_* variable, plus `extra`. */
const envWith = (extra: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CONSUL_'))),
  ...extra,
});

async function put(agent: AgentProcess, key: string, value: string, token?: string): Promise<void> {
  const r = await fetch(`${agent.url}/v1/kv/${key}`, { method: 'PUT', body: value, headers: token ? { 'X-Consul-Token': token } : {} });
  if (!r.ok) throw new Error(`PUT ${key}: ${r.status} ${await r.text()}`);
}

beforeAll(async () => {
  const aclCfg = join(dir, 'acl.json');
  writeFileSync(aclCfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  [acl, other] = await Promise.all([
    startAgent({ ip: '127.0.132.1', extraArgs: ['-log-level', 'warn', '-config-file', aclCfg] }),
    startAgent({ ip: '127.0.132.2', extraArgs: ['-log-level', 'warn'] }),
  ]);
  await put(acl, 'app/name', 'from-acl', MGMT);
  await put(other, 'app/name', 'from-other');
}, 60_000);
afterAll(async () => {
  for (const c of clis) await stopProcess(c.proc, 'SIGKILL');
  await Promise.all([acl?.stop(), other?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('consul.token_file', () => {
  it("reads with the file's token over consul.token, and passes the path on as CONSUL_HTTP_TOKEN_FILE", async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `  ${MGMT}\n`);
    const out = join(dir, 'tf.conf');
    const envOut = join(dir, 'tf.env');
    const cfg = join(dir, 'tf.hcl');
    writeFileSync(cfg, [
      `consul {\n  address = "${acl.httpAddr}"\n  token = "not-a-token"\n  token_file = "${tokenFile}"\n}`,
      `template {\n  contents = "{{ key \\"app/name\\" }} {{ env \\"CONSUL_HTTP_TOKEN_FILE\\" }}"\n  destination = "${out}"\n  command = ${JSON.stringify(dumpEnvCommand(envOut))}\n}`,
    ].join('\n'));
    const cli = startCli(['-config', cfg, '-once'], envWith({}));
    clis.push(cli);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(readOrEmpty(out)).toBe(`from-acl ${tokenFile}`);
    // childEnv passes the configured token and the file's path, not the file's contents.
    expect(readEnvFile(envOut)).toMatchObject({ CONSUL_HTTP_ADDR: acl.httpAddr, CONSUL_HTTP_TOKEN: 'not-a-token', CONSUL_HTTP_TOKEN_FILE: tokenFile });
  }, 30_000);

  it('takes CONSUL_HTTP_TOKEN_FILE and CONSUL_HTTP_ADDR from the environment, and passes them on even to a pristine command', async () => {
    const tokenFile = join(dir, 'env-token');
    writeFileSync(tokenFile, MGMT);
    const out = join(dir, 'envtf.conf');
    const envOut = join(dir, 'envtf.env');
    const cfg = join(dir, 'envtf.hcl');
    writeFileSync(cfg, `template {\n  contents = "{{ key \\"app/name\\" }}"\n  destination = "${out}"\n` +
      `  exec {\n    command = ${JSON.stringify(dumpEnvCommand(envOut))}\n    env { pristine = true }\n  }\n}`);
    const cli = startCli(['-config', cfg, '-once'], envWith({ CONSUL_HTTP_ADDR: acl.httpAddr, CONSUL_HTTP_TOKEN_FILE: tokenFile }));
    clis.push(cli);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(readOrEmpty(out)).toBe('from-acl');
    const env = readEnvFile(envOut);
    expect(env).toMatchObject({ CONSUL_HTTP_ADDR: acl.httpAddr, CONSUL_HTTP_TOKEN_FILE: tokenFile, CONSUL_HTTP_SSL: 'false', CONSUL_HTTP_SSL_VERIFY: 'true' });
    expect(env.CONSUL_HTTP_TOKEN).toBeUndefined();
  }, 30_000);

  it('that cannot be read stops the start with exit 14, as NewRunner does', async () => {
    const missing = join(dir, 'no-such-token');
    const cli = startCli(['-consul-addr', acl.httpAddr, '-consul-token-file', missing, '-template', `${join(dir, 'x.ctmpl')}:${join(dir, 'x.out')}`], envWith({}));
    clis.push(cli);
    expect(await cli.exited).toBe(14);
    expect(cli.output()).toContain(`proconsul-template: runner: Error loading token file: ENOENT: no such file or directory, open '${missing}'`);
  }, 30_000);
});

describe('a reload', () => {
  const reloadConfig = (out: string, consul: string, level: string) =>
    [`consul {\n${consul}\n}`, `log_level = "${level}"`, `template {\n  contents = "{{ key \\"app/name\\" }}"\n  destination = "${out}"\n}`].join('\n');

  it('makes a new client: the next render comes from the new consul.address, with the new log_level', async () => {
    const out = join(dir, 'addr.conf');
    const cfg = join(dir, 'addr.hcl');
    writeFileSync(cfg, reloadConfig(out, `  address = "${acl.httpAddr}"\n  token = "${MGMT}"`, 'info'));
    const cli = startCli(['-config', cfg], envWith({}));
    clis.push(cli);
    await waitFor(() => readOrEmpty(out) === 'from-acl', 'the first render, from the ACL agent');
    expect(cli.output()).not.toContain('[DEBUG]');
    writeFileSync(cfg, reloadConfig(out, `  address = "${other.httpAddr}"`, 'debug'));
    cli.proc.kill('SIGHUP');
    await waitFor(() => readOrEmpty(out) === 'from-other', 'the render after the reload, from the other agent', 15_000);
    expect(cli.output()).toContain('[DEBUG]');
  }, 60_000);

  it('reads the token file again', async () => {
    const out = join(dir, 'tok.conf');
    const cfg = join(dir, 'tok.hcl');
    const tokenFile = join(dir, 'reload-token');
    writeFileSync(tokenFile, 'not-yet');
    await put(acl, 'app/name', 'from-acl', MGMT);
    writeFileSync(cfg, reloadConfig(out, `  address = "${acl.httpAddr}"\n  token_file = "${tokenFile}"`, 'info'));
    const cli = startCli(['-config', cfg], envWith({}));
    clis.push(cli);
    await waitFor(() => /ACL not found|Permission denied|403/i.test(cli.output()), 'a refused read with the first token', 15_000);
    expect(readOrEmpty(out)).toBe('');
    writeFileSync(tokenFile, MGMT);
    cli.proc.kill('SIGHUP');
    await waitFor(() => readOrEmpty(out) === 'from-acl', 'the render with the token read at the reload', 15_000);
  }, 60_000);
});
