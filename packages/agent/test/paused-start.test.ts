// A single server restarted from its data dir and paused (SIGSTOP) for longer than the leader
// wait used to allow, while it waits for its own election: it comes up when resumed, with its
// data, instead of exiting with "no cluster leader". A starved CI machine or a slow disk looks
// the same to the agent.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, sleep, startAgentProcess, tempDir } from './helpers.js';

const IP = '127.0.65.20';
const PAUSE_MS = 12_000;

const dir = tempDir('proconsul-paused-start-');
const args = ['-server', '-bootstrap', '-data-dir', dir.path, '-client', IP, '-bind', IP, '-node', 'paused', '-dns-port', '-1', '-log-level', 'debug'];
const started: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterAll(() => {
  for (const p of started) p.kill('SIGKILL');
  dir.remove();
});

describe('a single server paused while it waits for its election at start', () => {
  it('comes up once resumed, with what it acknowledged before', async () => {
    const first = await startAgentProcess(args, `${IP}:8500`);
    expect((await http(first.base, 'PUT', '/v1/kv/before-pause', 'kept')).text).toBe('true');
    await first.kill9();

    const proc = spawn(process.execPath, [RUN_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(proc);
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // A restarted node waits an election timeout (0.4-0.8 s) before it campaigns: the pause
    // lands in that wait.
    await eventually(async () => out.includes('waiting for a cluster leader'), 'the wait for a leader', 300, 10).catch((err: Error) => {
      throw new Error(`${err.message}; output: ${out.slice(-600)}`);
    });
    proc.kill('SIGSTOP');
    await sleep(PAUSE_MS);
    proc.kill('SIGCONT');

    const base = `http://${IP}:8500`;
    const value = await eventually(
      async () => {
        if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}`);
        const r = await http(base, 'GET', '/v1/kv/before-pause?raw');
        return r.status === 200 ? r.text : undefined;
      },
      'the resumed agent',
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; output: ${out.slice(-600)}`);
    });
    expect(value).toBe('kept');
    expect(proc.exitCode).toBeNull();
  }, 60_000);
});
