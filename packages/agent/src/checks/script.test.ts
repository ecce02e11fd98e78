import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCheck } from './start.js';
import type { CheckRunner } from './runner.js';
import { sleep, UpdateCollector } from './testing/collector.js';

let dir: string;
const runners: CheckRunner[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'proconsul-script-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const r of runners.splice(0)) r.stop();
});

function run(args: string[], extra: Record<string, unknown> = {}): UpdateCollector {
  const c = new UpdateCollector();
  runners.push(startCheck({ Args: args, Interval: '10s', ...extra }, { onUpdate: c.onUpdate, initialDelayMs: 0 }));
  return c;
}

/** Alive and not a zombie (an orphan is reaped by whatever init this machine has). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('script check', () => {
  it('maps exit 0 / 1 / other to passing / warning / critical and captures stdout+stderr', async () => {
    expect(await run(['/bin/sh', '-c', 'echo fine']).nth(1)).toEqual({ status: 'passing', output: 'fine\n' });
    expect(await run(['/bin/sh', '-c', 'echo slow >&2; exit 1']).nth(1)).toEqual({ status: 'warning', output: 'slow\n' });
    expect(await run(['/bin/sh', '-c', 'echo broken; exit 2']).nth(1)).toEqual({ status: 'critical', output: 'broken\n' });
  });

  it('runs a script file with its arguments, no shell in between', async () => {
    const script = path.join(dir, 'check.sh');
    await writeFile(script, '#!/bin/sh\necho "args: $1 $2"\n', { mode: 0o755 });
    expect(await run([script, 'a b', 'c']).nth(1)).toEqual({ status: 'passing', output: 'args: a b c\n' });
  });

  it('keeps the last bytes of long output with Consul\'s "Captured" prefix', async () => {
    const c = run(['/bin/sh', '-c', 'printf "%0100d" 0; printf TAIL'], { OutputMaxSize: 10 });
    expect(await c.nth(1)).toEqual({ status: 'passing', output: 'Captured 10 of 104 bytes\n...\n000000TAIL' });
  });

  it('is critical with Go\'s error when the program does not exist', async () => {
    expect(await run(['no-such-program-proconsul']).nth(1)).toEqual({
      status: 'critical',
      output: 'exec: "no-such-program-proconsul": executable file not found in $PATH',
    });
  });

  it('kills the process tree on timeout and reports it', async () => {
    const pidFile = path.join(dir, 'child.pid');
    const c = run(['/bin/sh', '-c', `echo started; sleep 30 & echo $! > ${pidFile}; wait`], { Timeout: '300ms' });
    const u = await c.nth(1, 10_000);
    expect(u).toEqual({ status: 'critical', output: 'Timed out (300ms) running check\n\nstarted\n' });
    const childPid = Number((await readFile(pidFile, 'utf8')).trim());
    let alive = await isAlive(childPid);
    for (let i = 0; i < 50 && alive; i += 1) {
      await sleep(20);
      alive = await isAlive(childPid);
    }
    expect(alive).toBe(false);
  });
});
