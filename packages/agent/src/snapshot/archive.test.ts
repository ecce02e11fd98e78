import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveError, buildArchive, openArchive, readArchive } from './archive.js';
import { readTar, writeTar } from './tar.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const archiveOf = (files: Record<string, string>): Buffer =>
  gzipSync(writeTar(Object.entries(files).map(([name, data]) => ({ name, data: Buffer.from(data) }))));

describe('snapshot archive', () => {
  it('round-trips state with bigints and names its index and term', () => {
    const state = { Index: 7, KVs: [{ Key: 'a', Flags: 3304740253564472344n }], m: new Map([['x', 1]]) };
    const gz = buildArchive(state, 7, 3, 1700000000000);
    const back = readArchive(gz);
    expect(back.meta).toMatchObject({ ID: '3-7-1700000000000', Index: 7, Term: 3, Version: 1 });
    expect(back.state).toEqual(state);
  });

  it("refuses what Consul's snapshot.Verify refuses, with its messages", () => {
    const meta = '{"ID":"1-2-3","Index":2,"Term":1,"Version":1,"Size":5}';
    const good = { 'meta.json': meta, 'state.bin': 'state', SHA256SUMS: `${sha(meta)}  meta.json\n${sha('state')}  state.bin\n` };
    expect(openArchive(archiveOf(good)).meta.Index).toBe(2);
    const refused = (gz: Uint8Array): string => {
      try {
        openArchive(gz);
      } catch (err) {
        expect(err).toBeInstanceOf(ArchiveError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused(Buffer.from('not gzip'))).toMatch(/^failed to decompress snapshot: /);
    const integrity = 'failed to read snapshot file: failed checking integrity of snapshot: ';
    expect(refused(archiveOf({ ...good, 'state.bin': 'tampered' }))).toBe(`${integrity}hash check failed for "state.bin"`);
    expect(refused(archiveOf({ ...good, SHA256SUMS: `${sha(meta)}  meta.json\n` }))).toBe(`${integrity}file missing for "state.bin"`);
    expect(refused(archiveOf({ ...good, SHA256SUMS: `${good.SHA256SUMS}${sha('x')}  extra.bin\n` }))).toBe(`${integrity}list missing hash for "extra.bin"`);
    expect(refused(archiveOf({ 'meta.json': meta, 'state.bin': 'state' }))).toBe(`${integrity}file missing for "meta.json"`);
    expect(refused(archiveOf({ ...good, 'evil.sh': 'x' }))).toBe('failed to read snapshot file: unexpected file "evil.sh" in snapshot');
    expect(refused(archiveOf({ ...good, 'meta.json': '{' }))).toMatch(/^failed to read snapshot file: failed to decode snapshot metadata: /);
    const torn = gzipSync(writeTar([{ name: 'meta.json', data: Buffer.from(meta) }]).subarray(0, 600));
    expect(refused(torn)).toBe('failed to read snapshot file: failed reading snapshot: truncated tar archive');
    expect(() => readArchive(archiveOf(good))).toThrow(/^failed to decode snapshot state: /);
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
