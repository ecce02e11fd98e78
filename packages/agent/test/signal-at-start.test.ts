// A SIGTERM that reaches a server while it is still starting (here: restarted from its data
// dir, waiting an election timeout for its own election) stops it gracefully once it is up.
// Node's default action for an unhandled SIGTERM kills the process half-started, so what it
// writes on the way out (its member snapshot, for one) was lost; on a loaded CI machine a
// test's stop could land there.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, startAgentProcess, tempDir } from './helpers.js';

const IP = '127.0.65.21';

const dir = tempDir('proconsul-signal-at-start-');
const args = ['-server', '-bootstrap', '-data-dir', dir.path, '-client', IP, '-bind', IP, '-node', 'early-stop', '-dns-port', '-1', '-log-level', 'debug'];
const started: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterAll(() => {
  for (const p of started) p.kill('SIGKILL');
  dir.remove();
});

describe('a signal while the agent starts', () => {
  it('stops it gracefully once it is up: exit 0, and its data is there on the next start', async () => {
    const first = await startAgentProcess(args, `${IP}:8500`);
    started.push(first.proc);
    expect((await http(first.base, 'PUT', '/v1/kv/before-stop', 'kept')).text).toBe('true');
    await first.kill9();

    const proc = spawn(process.execPath, [RUN_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(proc);
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
    // Gossip is up and Raft waits 0.4-0.8 s before it campaigns: the agent has not started.
    await eventually(async () => out.includes('waiting for a cluster leader'), 'the wait for a leader', 300, 10);
    expect(out).not.toContain('Consul agent running!');
    proc.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }, out).toEqual({ code: 0, signal: null });
    expect(out).toContain('Consul agent running!');
    expect(out).toContain('caught signal, gracefully shutting down agent');

    const third = await startAgentProcess(args, `${IP}:8500`);
    started.push(third.proc);
    expect((await http(third.base, 'GET', '/v1/kv/before-stop?raw')).text).toBe('kept');
    await third.kill9();
  }, 60_000);
});
