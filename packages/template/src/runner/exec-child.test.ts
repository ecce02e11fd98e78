// ExecChild with real processes: the splay before a reload signal (Math.random pinned), stop()
// cutting a pending splay short, and a command that cannot start.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@proconsul/testing';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ExecChild, type ExecChildOptions } from './exec-child.js';
import { silentLogger } from './log.js';

const dir = mkdtempSync(join(tmpdir(), 'pct-exec-child-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');

/** A shell child that logs "start" and each SIGUSR1 to `log`. */
function child(log: string, over: Partial<ExecChildOptions> = {}) {
  const exits: number[] = [];
  const script = `echo start >> '${log}'; trap 'echo usr1 >> "${log}"' USR1; while :; do sleep 0.05; done`;
  const c = new ExecChild({
    command: ['sh', '-c', script],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    reloadSignal: 'SIGUSR1',
    killSignal: 'SIGTERM',
    killTimeoutMs: 2000,
    splayMs: 0,
    log: silentLogger,
    onExit: (code) => exits.push(code),
    ...over,
  });
  return { c, exits };
}

describe('ExecChild', () => {
  it('waits a random splay before the reload signal', async () => {
    const log = join(dir, 'splay.log');
    const { c, exits } = child(log, { splayMs: 1000 });
    c.start();
    await waitFor(() => read(log) === 'start\n', 'started');
    vi.spyOn(Math, 'random').mockReturnValue(0.8);
    const t0 = Date.now();
    await c.reload();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(790);
    await waitFor(() => read(log) === 'start\nusr1\n', 'the reload signal');
    await c.stop(true);
    expect(exits).toEqual([]); // its own stop is not reported as an exit
  });

  it('stop() ends a pending splay: no signal after it', async () => {
    const log = join(dir, 'cut.log');
    const { c } = child(log, { splayMs: 60_000 });
    c.start();
    await waitFor(() => read(log) === 'start\n', 'started');
    vi.spyOn(Math, 'random').mockReturnValue(0.99);
    const reload = c.reload();
    const t0 = Date.now();
    await c.stop(true);
    await reload;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(read(log)).toBe('start\n');
  });

  it('reports a command that cannot start as exit 127', async () => {
    const { c, exits } = child(join(dir, 'none.log'), { command: ['/nonexistent/proconsul-child'] });
    c.start();
    await waitFor(() => exits.length > 0, 'the exit');
    expect(exits).toEqual([127]);
  });
});
