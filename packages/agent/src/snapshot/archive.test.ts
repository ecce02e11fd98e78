import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveError, buildArchive, readArchive } from './archive.js';
import { readTar, writeTar } from './tar.js';

describe('snapshot archive', () => {
  it('round-trips state with bigints and verifies checksums', () => {
    const state = { Index: 7, KVs: [{ Key: 'a', Flags: 3304740253564472344n }], m: new Map([['x', 1]]) };
    const gz = buildArchive(state, 7, 0);
    const back = readArchive(gz);
    expect(back.meta).toMatchObject({ Index: 7, Version: 1 });
    expect(back.state).toEqual(state);
    expect(() => readArchive(Buffer.from('not gzip'))).toThrow(ArchiveError);
  });

  it('writes tar archives GNU tar reads, and reads what GNU tar writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proconsul-tar-'));
    try {
      writeFileSync(join(dir, 'x.tar'), writeTar([{ name: 'meta.json', data: Buffer.from('{"a":1}') }, { name: 'big.bin', data: Buffer.alloc(1500, 7) }]));
      const listed = spawnSync('tar', ['-tf', join(dir, 'x.tar')], { encoding: 'utf8' });
      expect(listed.stdout.trim().split('\n')).toEqual(['meta.json', 'big.bin']);
      writeFileSync(join(dir, 'f.txt'), 'hello');
      spawnSync('tar', ['-cf', join(dir, 'y.tar'), '-C', dir, 'f.txt']);
      expect(readTar(readFileSync(join(dir, 'y.tar'))).get('f.txt')?.toString()).toBe('hello');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
