/**
 * `proconsul debug` against the real agent process (dev mode on 127.0.63.22): the bundle's
 * layout and files, -archive=false, and Consul's refusals.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';
import { readTar } from '@proconsul/agent/snapshot';
import { startAgent, type AgentProcess } from '@proconsul/testing';

let agent: AgentProcess;
let dir: string;

const cli = (args: string[]): Promise<CliResult> => runCli(args, { addr: agent.httpAddr });

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.63.22' });
  dir = mkdtempSync(join(tmpdir(), 'proconsul-debug-'));
}, 40_000);

afterAll(async () => {
  await agent?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('proconsul debug', () => {
  it('writes Consul\'s bundle as a .tar.gz and removes the directory', async () => {
    const out = join(dir, 'd');
    const run = cli(['debug', '-duration', '10s', '-interval', '5s', '-output', out]);
    // Something for consul.log: a reload logs at INFO while the monitor follows the log.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await cli(['reload'])).code).toBe(0);
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('[WARN] Unable to capture pprof. Set enable_debug to true on target agent to enable profiling.\n');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '==> Starting debugger and capturing static information...',
      expect.stringMatching(/^ {5}Agent Version: '\d+\.\d+\.\d+'$/),
      "          Interval: '5s'",
      "          Duration: '10s'",
      `            Output: '${out}.tar.gz'`,
      "           Capture: 'metrics, logs, host, agent, members'",
    ]);
    expect(lines[6]).toMatch(/^==> Beginning capture interval \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC \(0\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^==> Capture successful .* UTC \(2\)$/));
    expect(lines.at(-1)).toBe(`    Saved debug archive: ${out}.tar.gz`);
    expect(existsSync(out)).toBe(false);

    const files = readTar(gunzipSync(readFileSync(`${out}.tar.gz`)));
    expect([...files.keys()].sort()).toEqual(['d/agent.json', 'd/consul.log', 'd/host.json', 'd/index.json', 'd/members.json', 'd/metrics.json']);
    const json = (name: string) => JSON.parse(files.get(`d/${name}`)!.toString('utf8')) as Record<string, unknown>;
    expect(json('index.json')).toEqual({ Version: 1, AgentVersion: expect.any(String), Interval: '5s', Duration: '12s', Targets: ['metrics', 'logs', 'host', 'agent', 'members'] });
    expect(files.get('d/index.json')!.toString()).toMatch(/^\{\n\t"Version": 1,/);
    expect((json('agent.json')['Config'] as Record<string, unknown>)['NodeName']).toBe(agent.nodeName);
    expect(((json('host.json')['Memory'] as Record<string, number>)['total'])).toBeGreaterThan(0);
    const members = json('members.json') as unknown as Array<{ Name: string }>;
    expect(members.map((m) => m.Name)).toContain(`${agent.nodeName}.dc1`);
    // The agent's metrics stream as it came: a four-space-indented summary per finished 10 s interval.
    const stream = files.get('d/metrics.json')!.toString();
    expect(stream).toMatch(/^{\n {4}"Timestamp": "[^"]+ UTC",\n/);
    const metrics = stream.split(/(?<=\n}\n)/).map((d) => JSON.parse(d) as { Timestamp: string; Samples: unknown[] });
    expect(metrics.length).toBeGreaterThanOrEqual(1);
    expect(metrics[0]!.Samples.length).toBeGreaterThan(0);
    expect(files.get('d/consul.log')!.length).toBeGreaterThan(0);
  }, 40_000);

  it('-archive=false leaves the directory; -capture limits what is taken', async () => {
    const out = join(dir, 'plain');
    const r = await cli(['debug', '-duration=10s', '-interval=5s', '-archive=false', '-capture', 'agent', '-capture', 'host', '-output', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/Beginning capture interval/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`    Saved debug archive: ${out}`);
    expect(readdirSync(out).sort()).toEqual(['agent.json', 'host.json', 'index.json']);
    expect(existsSync(`${out}.tar.gz`)).toBe(false);
  }, 40_000);

  it('refuses bad timing, unknown targets, an existing output and bad flags with Consul\'s text', async () => {
    const cases: Array<[string[], string]> = [
      [['-interval', '4s'], '==> Capture validation failed: interval must be longer than 10s\n'],
      [['-duration', '6s', '-interval', '5s'], '==> Capture validation failed: duration must be longer than 10s\n'],
      [['-duration', '20s', '-interval', '30s'], '==> Capture validation failed: duration (20s) must be longer than interval (30s)\n'],
      [['-capture', 'foo', '-output', join(dir, 'x')], '[WARN] Unable to capture pprof. Set enable_debug to true on target agent to enable profiling.\n'.slice(0, 0) + '==> Capture validation failed: target not found: foo\n'],
      [['-output', dir], `[WARN] Unable to capture pprof. Set enable_debug to true on target agent to enable profiling.\n==> Capture validation failed: output directory already exists: ${dir}\n`],
      [['-interval', 'soon'], 'invalid value "soon" for flag -interval: parse error\n==> Error parsing flags: invalid value "soon" for flag -interval: parse error\n'],
      [['extra'], '==> debug: Too many arguments provided, expected 0\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = await cli(['debug', ...args]);
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args, code: 1, stderr, stdout: '' });
    }
    expect(existsSync(join(dir, 'x'))).toBe(false);
  }, 60_000);
});
