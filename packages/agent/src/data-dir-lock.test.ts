import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';

const dirs: string[] = [];
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'proconsul-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('data dir lock', () => {
  it('refuses a second owner while the first lives, and releases', () => {
    const d = dir();
    const release = lockDataDir(d);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      // Hand the lock to a live process of another start: it must be refused.
      const started = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const start = started.slice(started.lastIndexOf(')') + 2).split(' ')[19];
      writeFileSync(join(d, 'proconsul.lock'), `${child.pid} ${start}\n`);
      expect(() => lockDataDir(d)).toThrow(`is in use by another agent (pid ${child.pid})`);
    } finally {
      child.kill('SIGKILL');
      release();
    }
  });

  it('takes over a lock whose PID now names another process (a restarted container)', () => {
    const d = dir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      // The PID is alive, but it started at another time than the lock's owner did.
      writeFileSync(join(d, 'proconsul.lock'), `${child.pid} 1\n`);
      const release = lockDataDir(d);
      expect(readFileSync(join(d, 'proconsul.lock'), 'utf8').startsWith(`${process.pid} `)).toBe(true);
      release();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
