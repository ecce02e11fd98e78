// A single server restarted from its data dir and interrupted while it waits for its own
// election at start (an election timeout, 0.4-0.8 s, before it campaigns):
// - paused (SIGSTOP) for longer than the leader wait used to allow: it comes up when resumed,
//   with its data, instead of exiting with "no cluster leader". A starved CI machine or a slow
//   disk looks the same to the agent.
// - sent SIGTERM: it stops gracefully once it is up. Node's default action for an unhandled
//   SIGTERM killed it half-started, so what it writes on the way out (its member snapshot, for
//   one) was lost; on a loaded CI machine a test's stop could land there.
// - sent SIGTERM while its start cannot end (alone, with a configuration of two voters): it
//   gives up 15 s after the signal (exit 1), as it does on a graceful shutdown that hangs.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, sleep, startAgentProcess, tempDir } from './helpers.js';

const IP = '127.0.65.24'; // disk-full.test.ts, which may run at the same time, has .20
const PAUSE_MS = 12_000;

const dir = tempDir('proconsul-paused-start-');
const args = ['-server', '-bootstrap', '-data-dir', dir.path, '-client', IP, '-bind', IP, '-node', 'paused', '-dns-port', '-1', '-log-level', 'debug'];
const base = `http://${IP}:8500`;
const started: ChildProcess[] = [];
afterAll(() => {
  for (const p of started) p.kill('SIGKILL');
  dir.remove();
});

interface Exit { code: number | null; signal: NodeJS.Signals | null }

/** Starts a server on its data dir (`args` by default) and returns once it waits for its election. */
async function restartUntilWaiting(argv = args): Promise<{ proc: ChildProcess; output(): string; exited: Promise<Exit> }> {
  const proc = spawn(process.execPath, [RUN_JS, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<Exit>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  await eventually(async () => out.includes('waiting for a cluster leader'), 'the wait for a leader', 300, 10).catch((err: Error) => {
    throw new Error(`${err.message}; output: ${out.slice(-600)}`);
  });
  return { proc, output: () => out, exited };
}

describe('a single server interrupted while it waits for its election at start', () => {
  it('comes up once resumed from a pause, with what it acknowledged before', async () => {
    const first = await startAgentProcess(args, `${IP}:8500`);
    started.push(first.proc);
    expect((await http(first.base, 'PUT', '/v1/kv/before-pause', 'kept')).text).toBe('true');
    await first.kill9();

    const { proc, output, exited } = await restartUntilWaiting();
    proc.kill('SIGSTOP');
    await sleep(PAUSE_MS);
    proc.kill('SIGCONT');

    const value = await eventually(
      async () => {
        if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}`);
        const r = await http(base, 'GET', '/v1/kv/before-pause?raw');
        return r.status === 200 ? r.text : undefined;
      },
      'the resumed agent',
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; output: ${output().slice(-600)}`);
    });
    expect(value).toBe('kept');
    expect(proc.exitCode).toBeNull();
    proc.kill('SIGKILL');
    await exited;
  }, 60_000);

  it('stops gracefully once it is up when SIGTERM arrives: exit 0, and its data is there on the next start', async () => {
    const { proc, output, exited } = await restartUntilWaiting();
    expect(output()).not.toContain('Consul agent running!');
    proc.kill('SIGTERM');
    expect(await exited, output()).toEqual({ code: 0, signal: null });
    expect(output()).toContain('Consul agent running!');
    expect(output()).toContain('caught signal, gracefully shutting down agent');

    const next = await startAgentProcess(args, `${IP}:8500`);
    started.push(next.proc);
    expect((await http(next.base, 'GET', '/v1/kv/before-pause?raw')).text).toBe('kept');
    await next.kill9();
  }, 60_000);

  it('gives up 15 s after a SIGTERM when its start cannot end: exit 1', async () => {
    const [ipA, ipB] = ['127.0.65.25', '127.0.65.26'];
    const dirA = tempDir('proconsul-two-voters-');
    const dirB = tempDir('proconsul-two-voters-');
    try {
      const argsA = ['-server', '-bootstrap', '-data-dir', dirA.path, '-client', ipA, '-bind', ipA, '-node', 'voter-a', '-dns-port', '-1', '-log-level', 'debug'];
      const a = await startAgentProcess(argsA, `${ipA}:8500`);
      started.push(a.proc);
      const b = await startAgentProcess(['-server', '-data-dir', dirB.path, '-client', ipB, '-bind', ipB, '-node', 'voter-b', '-join', ipA, '-dns-port', '-1'], `${ipB}:8500`);
      started.push(b.proc);
      await eventually(async () => {
        const c = (await http(a.base, 'GET', '/v1/operator/raft/configuration')).json() as { Servers: { Node: string; Voter: boolean }[] };
        return c.Servers.length === 2 && c.Servers.every((s) => s.Voter);
      }, 'voter-b promoted to voter', 200);
      await a.kill9();
      await b.kill9();

      // voter-a alone cannot win an election: with -bootstrap its start waits for one.
      const { proc, output, exited } = await restartUntilWaiting(argsA);
      const signalledAt = Date.now();
      proc.kill('SIGTERM');
      const timeout = new Promise<'still running'>((res) => setTimeout(() => res('still running'), 25_000).unref());
      expect(await Promise.race([exited, timeout]), output()).toEqual({ code: 1, signal: null });
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(14_000);
      expect(output()).toContain('Graceful shutdown timed out');
      expect(output()).not.toContain('Consul agent running!');
    } finally {
      dirA.remove();
      dirB.remove();
    }
  }, 90_000);
});
