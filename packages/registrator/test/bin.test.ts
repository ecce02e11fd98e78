// The command as users run it: bad usage and an unreachable agent end with one clear line and
// exit 1 (after the retries asked for); an agent that comes up during the retries is used.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, startAgent, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../bin/proconsul-registrator.js');
const IP = '127.0.5.7';

function runBin(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

describe('proconsul-registrator', () => {
  it('rejects bad usage with one line and exit 1', async () => {
    for (const args of [[], ['-nope', 'consul://x'], ['-deregister', 'never', 'consul://x'], ['bogus://x'], ['consulkv://127.0.5.7:1'], ['skydns2://127.0.5.7:1'], ['etcd://127.0.5.7:1/x?y=1']]) {
      const r = await runBin(args);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('retries an unreachable agent as configured, one line per attempt, then exits 1', async () => {
    const port = await freePort(IP);
    const r = await runBin(['-retry-attempts', '2', '-retry-interval', '100', `consul://${IP}:${port}`]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.includes('backend unreachable') && l.includes('retries left')).length).toBe(3);
    expect(lines.at(-1)).toMatch(/^proconsul-registrator: backend unreachable after 3 attempt\(s\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('uses an agent that comes up while it retries', async () => {
    const httpPort = await freePort(IP);
    const child = spawn(process.execPath, [BIN, '-retry-attempts', '-1', '-retry-interval', '200', `consul://${IP}:${httpPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => out.includes('backend unreachable'), 'a failed attempt', 10_000);
      agent = await startAgent({ ip: IP, httpPort });
      await waitFor(() => out.includes('listening for Docker events'), 'registrator to start following events', 20_000);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
