// A full disk under a durable single server (its data dir on a small tmpfs): writes are refused
// with a 5xx while there is no space, the agent stays up and keeps answering reads, nothing
// acknowledged is lost, and writes resume by themselves once space returns. Needs root (mount).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.65.20';
const mnt = tempDir('proconsul-diskfull-');
let mounted = false;
let agent: AgentProcess | undefined;

afterAll(async () => {
  await agent?.kill9();
  if (mounted) execFileSync('umount', [mnt.path]);
  mnt.remove();
});

describe('disk full', () => {
  it('refuses writes with a 5xx while full, loses nothing acknowledged, and resumes when space returns', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs: run it as root (CI does)');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt.path]);
    mounted = true;
    const dataDir = join(mnt.path, 'data');
    mkdirSync(dataDir);
    const args = ['-server', '-bootstrap', '-data-dir', dataDir, '-client', IP, '-bind', IP, '-node', 'full', '-dns-port', '-1', '-log-level', 'warn'];
    agent = await startAgentProcess(args, `${IP}:8500`);
    // Ballast leaves about 1.5 MiB free; deleting it later is "space returns".
    const ballast = join(mnt.path, 'ballast');
    writeFileSync(ballast, Buffer.alloc(3 * 1024 * 1024 + 512 * 1024));

    const acked = new Map<string, string>();
    const value = (i: number): string => `${i}:`.padEnd(20_000, String.fromCharCode(97 + (i % 26)));
    let refused = 0;
    let i = 0;
    for (; i < 400 && refused < 5; i++) {
      const r = await http(agent.base, 'PUT', `/v1/kv/full/k${i}`, value(i));
      if (r.status === 200 && r.text === 'true') acked.set(`full/k${i}`, value(i));
      else {
        expect(r.status).toBeGreaterThanOrEqual(500);
        refused++;
      }
    }
    expect(refused).toBe(5);
    expect(acked.size).toBeGreaterThan(10);
    // Still up: reads answer, and say what is stored.
    const read = await http(agent.base, 'GET', `/v1/kv/full/k0`);
    expect(read.status).toBe(200);
    expect(agent.proc.exitCode).toBeNull();

    rmSync(ballast);
    const resumed = await eventually(async () => {
      const r = await http(agent!.base, 'PUT', '/v1/kv/full/after', 'space is back');
      return r.status === 200 && r.text === 'true';
    }, 'writes to resume after space returned', 100, 100);
    expect(resumed).toBe(true);
    acked.set('full/after', 'space is back');

    // Every acknowledged write is on disk: a kill -9 and restart read them all back.
    await agent.kill9();
    agent = await startAgentProcess(args, `${IP}:8500`);
    const all = await http(agent.base, 'GET', '/v1/kv/full/?recurse');
    const stored = new Map<string, string>(all.json().map((e: { Key: string; Value: string }) => [e.Key, Buffer.from(e.Value, 'base64').toString()]));
    for (const [k, v] of acked) expect(stored.get(k), k).toBe(v);
    console.log(`disk-full: acknowledged=${acked.size} refused=${refused} attempted=${i}`);
  }, 120_000);
});
