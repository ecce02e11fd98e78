// consul-template's exec block, signals and consul.retry, from config files and flags
// (config/exec.go, config/env.go, config/retry.go, cli.go's flags).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';
import { execEnabled, finalizeConsul, type RunnerConfig } from './config.js';
import { agentEnv, childEnv, pathMatch } from './exec-env.js';
import { RETRY_DEFAULTS, retryDelay } from './retry.js';

const dir = mkdtempSync(join(tmpdir(), 'pct-exec-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], hcl?: string): RunnerConfig {
  const extra: string[] = [];
  if (hcl !== undefined) {
    const f = join(dir, `c${Math.random().toString(36).slice(2)}.hcl`);
    writeFileSync(f, hcl);
    extra.push('-config', f);
  }
  const r = parseArgs([...extra, '-template', 'a:b', ...args]);
  if (r.kind !== 'run') throw new Error('expected run');
  return r.config;
}

describe('exec', () => {
  it("has consul-template's defaults", () => {
    const c = run([]);
    expect(execEnabled(c.exec)).toBe(false);
    expect(c.exec).toMatchObject({ splayMs: 0, reloadSignal: null, killSignal: 'SIGINT', killTimeoutMs: 30_000, timeoutMs: 0 });
    expect(c.exec.env).toEqual({ pristine: false, custom: [], allowlist: [], denylist: [] });
    expect(c.reloadSignal).toBe('SIGHUP');
    expect(c.killSignal).toBe('SIGINT');
    expect(c.ignored).toEqual([]);
  });

  it('reads the exec block, its env block and the top-level signals', () => {
    const c = run([], [
      'reload_signal = "sigusr2"',
      'kill_signal = ""',
      'exec {',
      '  command = ["/bin/app", "-c", "x"]',
      '  splay = "5s"',
      '  reload_signal = "SIGHUP"',
      '  kill_signal = "SIGTERM"',
      '  kill_timeout = "2s"',
      '  timeout = "1s"',
      '  env {',
      '    pristine = true',
      '    custom = ["A=1"]',
      '    allowlist = ["PATH"]',
      '    whitelist = ["HOME"]',
      '    denylist = ["SECRET_*"]',
      '    blacklist = ["AWS_*"]',
      '  }',
      '}',
    ].join('\n'));
    expect(execEnabled(c.exec)).toBe(true);
    expect(c.exec).toMatchObject({ command: ['/bin/app', '-c', 'x'], splayMs: 5000, reloadSignal: 'SIGHUP', killSignal: 'SIGTERM', killTimeoutMs: 2000, timeoutMs: 1000 });
    expect(c.exec.env).toEqual({ pristine: true, custom: ['A=1'], allowlist: ['PATH', 'HOME'], denylist: ['SECRET_*', 'AWS_*'] });
    expect(c.reloadSignal).toBe('SIGUSR2');
    expect(c.killSignal).toBeNull();
    expect(c.ignored).toEqual([]);
  });

  it('takes the -exec-* flags over the file; enabled = false turns a command off', () => {
    const c = run(
      ['-exec', 'app serve', '-exec-splay', '3s', '-exec-reload-signal', 'SIGUSR1', '-exec-kill-signal', 'SIGQUIT', '-exec-kill-timeout', '1m',
        '-exec-env-pristine', '-exec-env-custom', 'B=2', '-exec-env-allowlist', 'P*', '-exec-env-denylist', 'PW', '-reload-signal', 'SIGUSR2', '-kill-signal', 'SIGTERM'],
      'exec { splay = "9s" }',
    );
    expect(c.exec).toMatchObject({ command: 'app serve', splayMs: 3000, reloadSignal: 'SIGUSR1', killSignal: 'SIGQUIT', killTimeoutMs: 60_000 });
    expect(c.exec.env).toEqual({ pristine: true, custom: ['B=2'], allowlist: ['P*'], denylist: ['PW'] });
    expect([c.reloadSignal, c.killSignal]).toEqual(['SIGUSR2', 'SIGTERM']);
    expect(execEnabled(run([], 'exec {\n command = "app"\n enabled = false\n}\n').exec)).toBe(false);
  });

  it('refuses bad values with one line naming the key or flag', () => {
    expect(() => run(['-exec-kill-signal', 'SIGFOO'])).toThrow(/^-exec-kill-signal: invalid signal "SIGFOO" - valid signals are \["SIGABRT" .*"SIGXFSZ"\]$/);
    expect(() => run([], 'exec { reload_signal = "HUP" }')).toThrow('exec.reload_signal: invalid signal "HUP"');
    expect(() => run(['-exec-splay', 'soon'])).toThrow('invalid value "soon" for -exec-splay: expected a duration like 30s');
    expect(() => run([], 'exec { kill_timeout = "x" }')).toThrow('exec.kill_timeout: invalid duration "x"');
    expect(() => run([], 'exec { env { inherit = true } }')).toThrow('exec.env.inherit: unknown key');
    expect(() => run([], 'exec { restart = true }')).toThrow('exec.restart: unknown key');
  });

  it("reads a template's exec.env block for its command (config/template.go's Exec)", () => {
    const c = run([], 'template {\n  contents = "x"\n  destination = "/tmp/x"\n  exec {\n    command = "true"\n    env {\n      pristine = true\n      custom = ["A=1"]\n    }\n  }\n}\n');
    expect(c.templates[0]!.commandEnv).toEqual({ pristine: true, custom: ['A=1'], allowlist: [], denylist: [] });
    expect(c.templates[1]!.commandEnv).toBeUndefined();
    expect(() => run([], 'template {\n  contents = "x"\n  destination = "/tmp/x"\n  exec { env { inherit = true } }\n}\n')).toThrow('template[0].exec.env.inherit: unknown key');
  });
});

describe('the child environment', () => {
  const parent = { PATH: '/bin', HOME: '/root', SECRET_A: 's', PWD: '/x', CONSUL_HTTP_ADDR: 'old:8500' };
  const consul = { address: '127.0.124.9:8500', token: 't', retry: RETRY_DEFAULTS, ssl: {}, auth: { username: 'u', password: 'p' } };

  it('passes the agent settings, then custom, over the inherited environment (runner.go childEnv)', () => {
    const env = childEnv({ pristine: false, custom: ['X=1', 'CONSUL_HTTP_TOKEN=mine'], allowlist: [], denylist: [] }, agentEnv(consul), parent);
    expect(env).toEqual({
      PATH: '/bin', HOME: '/root', SECRET_A: 's', PWD: '/x', X: '1',
      CONSUL_HTTP_ADDR: '127.0.124.9:8500', CONSUL_HTTP_AUTH: 'u:p', CONSUL_HTTP_TOKEN: 'mine', CONSUL_HTTP_SSL: 'false', CONSUL_HTTP_SSL_VERIFY: 'true',
    });
  });

  it('keeps the allowlist, drops the denylist, and pristine inherits nothing', () => {
    const agent = agentEnv({ retry: RETRY_DEFAULTS, ssl: { enabled: true, verify: false } });
    expect(childEnv({ pristine: false, custom: [], allowlist: ['P*', 'SECRET_?'], denylist: ['PWD'] }, agent, parent)).toEqual({
      PATH: '/bin', SECRET_A: 's', CONSUL_HTTP_SSL: 'true', CONSUL_HTTP_SSL_VERIFY: 'false',
    });
    expect(childEnv({ pristine: true, custom: ['ONLY=1'], allowlist: [], denylist: [] }, agent, parent)).toEqual({ ONLY: '1', CONSUL_HTTP_SSL: 'true', CONSUL_HTTP_SSL_VERIFY: 'false' });
  });

  it('passes a token file as its path, and HTTPS as ssl Finalize turns it on (any ssl key)', () => {
    const env = childEnv({ pristine: true, custom: [], allowlist: [], denylist: [] }, agentEnv({ tokenFile: '/run/tok', retry: RETRY_DEFAULTS, ssl: { verify: false } }), parent);
    expect(env).toEqual({ CONSUL_HTTP_TOKEN_FILE: '/run/tok', CONSUL_HTTP_SSL: 'true', CONSUL_HTTP_SSL_VERIFY: 'false' });
  });

  it('takes consul.token_file and -consul-token-file; what is unset comes from the environment (consul.go Finalize)', () => {
    expect(run([], 'consul { token_file = "/a" }').consul.tokenFile).toBe('/a');
    expect(run(['-consul-token-file', '/b'], 'consul { token_file = "/a" }').consul.tokenFile).toBe('/b');
    const consul = run(['-consul-token', 'flag']).consul;
    finalizeConsul(consul, { CONSUL_TOKEN: '', CONSUL_HTTP_TOKEN: ' env ', CONSUL_TOKEN_FILE: '/first', CONSUL_HTTP_TOKEN_FILE: '/second', CONSUL_HTTP_ADDR: 'h:1' });
    expect(consul).toMatchObject({ token: 'flag', tokenFile: '/first', address: 'h:1' });
    const bare = run([]).consul;
    finalizeConsul(bare, { CONSUL_TOKEN: 'one', CONSUL_HTTP_TOKEN: 'two' });
    expect([bare.token, bare.tokenFile, bare.address]).toEqual(['one', undefined, undefined]);
  });

  it("matches as Go's filepath.Match", () => {
    expect(pathMatch('AWS_*', 'AWS_KEY')).toBe(true);
    expect(pathMatch('AWS_*', 'XAWS_KEY')).toBe(false);
    expect(pathMatch('A?C', 'ABC')).toBe(true);
    expect(pathMatch('[A-C]X', 'BX')).toBe(true);
    expect(pathMatch('[^A-C]X', 'BX')).toBe(false);
    expect(pathMatch('A.B', 'AxB')).toBe(false);
    expect(pathMatch('\\*', '*')).toBe(true);
  });
});

describe('consul.retry', () => {
  it("has consul-template's defaults and reads the block and the flags", () => {
    expect(run([]).consul.retry).toEqual({ enabled: true, attempts: 12, backoffMs: 250, maxBackoffMs: 60_000 });
    const c = run([], 'consul {\n retry {\n enabled = false\n attempts = 3\n backoff = "1s"\n max_backoff = "4s"\n }\n}\n');
    expect(c.consul.retry).toEqual({ enabled: false, attempts: 3, backoffMs: 1000, maxBackoffMs: 4000 });
    const f = run(['-consul-retry=true', '-consul-retry-attempts', '0', '-consul-retry-backoff', '10ms', '-consul-retry-max-backoff', '0']);
    expect(f.consul.retry).toEqual({ enabled: true, attempts: 0, backoffMs: 10, maxBackoffMs: 0 });
    expect(run(['-retry', '2s']).consul.retry.backoffMs).toBe(2000);
    expect(() => run(['-consul-retry-attempts', '-1'])).toThrow('invalid value "-1" for -consul-retry-attempts: expected a non-negative integer');
    expect(() => run([], 'consul { retry { tries = 1 } }')).toThrow('consul.retry.tries: unknown key');
  });

  it('doubles the wait up to max_backoff and gives up after the attempts (retry.go RetryFunc)', () => {
    const cfg = { enabled: true, attempts: 5, backoffMs: 250, maxBackoffMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((n) => retryDelay(cfg, n))).toEqual([250, 500, 1000, 1000, 1000, undefined]);
    expect(retryDelay({ ...cfg, enabled: false }, 0)).toBeUndefined();
    expect(retryDelay({ ...cfg, attempts: 0 }, 10_000)).toBe(1000);
    expect(retryDelay({ ...cfg, attempts: 0, maxBackoffMs: 0 }, 3)).toBe(2000);
  });
});
