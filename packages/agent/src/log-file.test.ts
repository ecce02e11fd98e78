import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFile } from './log-file.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(): string {
  dir = mkdtempSync(join(tmpdir(), 'proconsul-log-file-'));
  return dir;
}

describe('LogFile (Consul log_file)', () => {
  it('appends to the file and rotates it once it holds the byte limit, keeping the newest rotations', () => {
    const d = setup();
    writeFileSync(join(d, 'consul.log'), 'before\n'); // an existing log is appended to
    let t = 1_000;
    const f = new LogFile({ path: join(d, 'consul.log'), rotateMs: 24 * 3600_000, maxBytes: 10, maxFiles: 2 }, () => t);
    for (let i = 0; i < 5; i++) {
      t += 1;
      f.write(`line-${i}-xx\n`); // 10 bytes: every write after the first rotates
    }
    f.close();
    const files = readdirSync(d).sort();
    // consul.log plus the two newest rotations, named <stem>-<unix ns>.log
    expect(files).toHaveLength(3);
    expect(files.filter((n) => /^consul-\d+\.log$/.test(n))).toHaveLength(2);
    expect(readFileSync(join(d, 'consul.log'), 'utf8')).toBe('line-4-xx\n');
    const rotated = files.filter((n) => n !== 'consul.log').map((n) => readFileSync(join(d, n), 'utf8'));
    expect(rotated).toEqual(['line-2-xx\n', 'line-3-xx\n']);
  });

  it('rotates when the period has passed, adds .log to a name without an extension, and keeps all with maxFiles 0', () => {
    const d = setup();
    let t = 0;
    const f = new LogFile({ path: join(d, 'agent'), rotateMs: 1_000, maxBytes: 0, maxFiles: 0 }, () => t);
    f.write('a\n');
    t = 999;
    f.write('b\n');
    t = 1_000;
    f.write('c\n');
    t = 2_500;
    f.write('d\n');
    f.close();
    const names = readdirSync(d).sort();
    expect(names.filter((n) => /^agent-\d+\.log$/.test(n))).toHaveLength(2);
    expect(readFileSync(join(d, 'agent'), 'utf8')).toBe('d\n');
  });

  it('removes every rotated file with maxFiles -1, at start and on rotation', () => {
    const d = setup();
    writeFileSync(join(d, 'consul-1.log'), 'old\n');
    let t = 0;
    const f = new LogFile({ path: join(d, 'consul.log'), rotateMs: 10, maxBytes: 0, maxFiles: -1 }, () => t);
    expect(readdirSync(d)).toEqual(['consul.log']);
    t = 20;
    f.write('x\n');
    f.close();
    expect(readdirSync(d)).toEqual(['consul.log']);
  });

  it('refuses a file it cannot open, in Consul\'s words', () => {
    const d = setup();
    expect(() => new LogFile({ path: join(d, 'missing-dir', 'consul.log'), rotateMs: 1_000, maxBytes: 0, maxFiles: 0 })).toThrow(/^Failed to setup logging: /);
  });
});
