/** `proconsul lock` against the real agent (127.0.2.23): two holders never overlap; -timeout gives up; -n N holds a semaphore slot. */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startAgent, type AgentProcess } from '@proconsul/testing';

const bin = resolve(repoRoot, 'packages/cli/bin/proconsul.js');
let agent: AgentProcess;
let dir: string;

async function waitForLines(file: string, text: string, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if (readFileSync(file, 'utf8').split('\n').filter((l) => l === text).length >= count) return;
    } catch {
      /* not yet written */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file}: fewer than ${count} lines "${text}"`);
}

function lockRun(args: string[]): { child: ChildProcess; done: Promise<{ code: number; stdout: string; stderr: string }> } {
  let child!: ChildProcess;
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
    child = execFile(process.execPath, [bin, 'lock', ...args], { env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: agent.httpAddr }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      res({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
  return { child, done };
}

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.2.23' });
  dir = mkdtempSync(join(tmpdir(), 'proconsul-lock-'));
}, 40_000);

afterAll(async () => {
  await agent?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('proconsul lock', () => {
  it('runs children one at a time and cleans the lock key up', async () => {
    const log = join(dir, 'order.txt');
    const a = lockRun(['svc/leader', `echo start-A >> ${log}; sleep 1; echo end-A >> ${log}`]);
    // B starts once A's child is running, so A holds the lock first
    for (let i = 0; i < 100; i++) {
      try {
        if (readFileSync(log, 'utf8').includes('start-A')) break;
      } catch {
        /* not yet written */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const b = lockRun(['svc/leader', `echo start-B >> ${log}; echo "held=$CONSUL_LOCK_HELD" >> ${log}; echo end-B >> ${log}`]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code).toBe(0);
    expect(rb.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('start-A\nend-A\nstart-B\nheld=true\nend-B\n');
    const res = await fetch(`http://${agent.httpAddr}/v1/kv/svc/leader/.lock`);
    expect(res.status).toBe(404);
  });

  it('-timeout gives up while another holder keeps the lock', async () => {
    const log = join(dir, 'hold.txt');
    const holder = lockRun(['svc/busy', `echo held > ${log}; sleep 2`]);
    for (let i = 0; i < 100; i++) {
      try {
        if (readFileSync(log, 'utf8').includes('held')) break;
      } catch {
        /* not yet written */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // the held key carries Consul's lock flag value, exactly (it is above 2^53)
    const raw = await (await fetch(`http://${agent.httpAddr}/v1/kv/svc/busy/.lock`)).text();
    expect(raw).toContain('"Flags":3304740253564472344');
    expect(raw).toMatch(/"Session":"[0-9a-f-]{36}"/);
    const r = await lockRun(['-timeout=300ms', 'svc/busy', 'echo never']).done;
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Shutdown triggered or timeout during lock acquisition\n' });
    expect((await holder.done).code).toBe(0);
  });

  it('-child-exit-code turns a failing child into exit 2', async () => {
    const r = await lockRun(['-child-exit-code', 'svc/fail', 'exit 3']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('Error running handler: exit status 3\n');
  });

  it('-n 2: two children at once, a third waits for a free slot; a different -n is refused; the prefix is cleaned up', async () => {
    const log = join(dir, 'pool.txt');
    const child = (name: string): string => `echo start-${name} >> ${log}; sleep 1; echo end-${name} >> ${log}`;
    const a = lockRun(['-n', '2', 'svc/pool', child('A')]);
    const b = lockRun(['-n', '2', 'svc/pool', child('B')]);
    for (const n of ['A', 'B']) await waitForLines(log, `start-${n}`, 1);
    // both slots are taken: a contender with another limit is told so
    const other = await lockRun(['-n', '3', 'svc/pool', 'echo never']).done;
    expect(other).toEqual({ code: 1, stdout: '', stderr: 'Lock acquisition failed: semaphore limit conflict (lock: 2, local: 3)\n' });
    const c = lockRun(['-n', '2', '-verbose', 'svc/pool', child('C')]);
    const [ra, rb, rc] = await Promise.all([a.done, b.done, c.done]);
    expect([ra.code, rb.code, rc.code]).toEqual([0, 0, 0]);
    expect(rc.stdout).toContain('Setting up semaphore (limit 2) at prefix: svc/pool\n');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    // C started only after A or B ended, so no more than two ran at once
    let running = 0;
    for (const l of lines) {
      running += l.startsWith('start-') ? 1 : -1;
      expect(running).toBeLessThanOrEqual(2);
    }
    expect(lines.indexOf('start-C')).toBeGreaterThan(Math.min(lines.indexOf('end-A'), lines.indexOf('end-B')));
    const res = await fetch(`http://${agent.httpAddr}/v1/kv/svc/pool?recurse`);
    expect(res.status).toBe(404);
  });
});
