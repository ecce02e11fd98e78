import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry, Snapshot } from '../types.js';
import { DiskStorage, replay } from './disk.js';

const ent = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: `c${index}@${term}` });
const snap = (index: number, term: number): Snapshot => ({
  meta: { index, term, conf: { voters: ['a', 'b', 'c'], learners: ['d'] } },
  data: new Uint8Array([index, term, 7]),
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-disk-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('replay', () => {
  it('a later record replaces the suffix from its index', () => {
    const r = replay([ent(1, 1), ent(2, 1), ent(3, 1), ent(2, 2), ent(3, 2)], snap(0, 0));
    expect(r).toEqual([ent(1, 1), ent(2, 2), ent(3, 2)]);
  });
  it('entries continue a snapshot only when the entry at its index matches its term', () => {
    expect(replay([ent(4, 1), ent(5, 1), ent(6, 1)], snap(5, 1))).toEqual([ent(6, 1)]);
    expect(replay([ent(4, 1), ent(5, 1), ent(6, 1)], snap(5, 3))).toEqual([]);
  });
  it('a gap means a snapshot was installed: older records are superseded', () => {
    expect(replay([ent(1, 1), ent(2, 1), ent(9, 3), ent(10, 3)], snap(8, 3))).toEqual([ent(9, 3), ent(10, 3)]);
  });
  it('a divergent suffix from an older term after a snapshot is dropped', () => {
    expect(replay([ent(9, 1), ent(10, 1)], snap(8, 3))).toEqual([]);
  });
});

describe('DiskStorage', () => {
  it('a fresh directory has no state', async () => {
    const s = await DiskStorage.open(dir);
    expect(s.initialState()).toBeNull();
    await s.close();
  });

  it('persists hard state, entries and snapshots across reopen', async () => {
    const s = await DiskStorage.open(dir, { segmentBytes: 200 });
    await s.save({ hardState: { term: 2, vote: 'b' }, snapshot: null, entries: [ent(1, 1), ent(2, 2)] });
    await s.save({ hardState: null, snapshot: null, entries: [ent(3, 2), ent(4, 2), ent(5, 2)] });
    await s.saveSnapshot(snap(3, 2));
    await s.close();
    const r = await DiskStorage.open(dir, { segmentBytes: 200 });
    const st = r.initialState()!;
    expect(st.hardState).toEqual({ term: 2, vote: 'b' });
    expect(st.snapshot.meta).toEqual(snap(3, 2).meta);
    expect([...st.snapshot.data]).toEqual([3, 2, 7]);
    expect(st.entries).toEqual([ent(4, 2), ent(5, 2)]);
    await r.close();
    // No temp files are left behind.
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a received snapshot replaces a conflicting log', async () => {
    const s = await DiskStorage.open(dir);
    await s.save({ hardState: { term: 1, vote: null }, snapshot: null, entries: [ent(1, 1), ent(2, 1), ent(3, 1)] });
    await s.save({ hardState: { term: 4, vote: null }, snapshot: snap(10, 4), entries: [] });
    await s.save({ hardState: null, snapshot: null, entries: [ent(11, 4)] });
    await s.close();
    const st = (await DiskStorage.open(dir)).initialState()!;
    expect(st.snapshot.meta.index).toBe(10);
    expect(st.entries).toEqual([ent(11, 4)]);
  });

  it('a damaged hard state file is reported, not ignored', async () => {
    const s = await DiskStorage.open(dir);
    await s.save({ hardState: { term: 3, vote: 'a' }, snapshot: null, entries: [] });
    await s.close();
    await writeFile(join(dir, 'hardstate'), 'garbage!!');
    await expect(DiskStorage.open(dir)).rejects.toThrow(/checksum|short/);
  });
});
