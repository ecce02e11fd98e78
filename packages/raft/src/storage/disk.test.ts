import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encode } from '../codec.js';
import type { Entry, Snapshot } from '../types.js';
import { DiskStorage, replay } from './disk.js';
import { CorruptWalError } from './errors.js';
import type { WalRecord } from './wal.js';

const ent = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: `c${index}@${term}` });
const snap = (index: number, term: number): Snapshot => ({
  meta: { index, term, conf: { voters: ['a', 'b', 'c'], learners: ['d'] } },
  data: new Uint8Array([index, term, 7]),
});
const recs = (es: Entry[]): WalRecord[] => es.map((entry) => ({ kind: 'entry', entry }));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-disk-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('replay', () => {
  it('a later record replaces the suffix from its index', () => {
    const r = replay(recs([ent(1, 1), ent(2, 1), ent(3, 1), ent(2, 2), ent(3, 2)]), null);
    expect(r).toEqual([ent(1, 1), ent(2, 2), ent(3, 2)]);
  });
  it('entries continue a snapshot only when the entry at its index matches its term', () => {
    expect(replay(recs([ent(4, 1), ent(5, 1), ent(6, 1)]), snap(5, 1))).toEqual([ent(6, 1)]);
    expect(replay(recs([ent(4, 1), ent(5, 1), ent(6, 1)]), snap(5, 3))).toEqual([]);
  });
  it('only records after the newest snapshot marker count', () => {
    const r: WalRecord[] = [...recs([ent(1, 1), ent(2, 1), ent(3, 1), ent(4, 1)]), { kind: 'snapshot', index: 2, term: 2 }, ...recs([ent(3, 2)])];
    expect(replay(r, snap(2, 2))).toEqual([ent(3, 2)]);
  });
  it('entries missing after the snapshot (a lost segment) are refused', () => {
    expect(() => replay(recs([ent(12, 3), ent(13, 3)]), snap(8, 3), 'dir/wal')).toThrow(CorruptWalError);
    expect(() => replay(recs([ent(12, 3), ent(13, 3)]), snap(8, 3), 'dir/wal')).toThrow(/dir\/wal: entries 9\.\.11 are missing/);
  });
  it('a marker newer than the snapshot file is refused', () => {
    expect(() => replay([{ kind: 'snapshot', index: 9, term: 2 }], snap(5, 2))).toThrow(CorruptWalError);
    expect(() => replay([{ kind: 'snapshot', index: 9, term: 2 }], null)).toThrow(/snapshot file is missing/);
  });
});

describe('DiskStorage (real files)', () => {
  it('a fresh directory has no state', async () => {
    const s = await DiskStorage.open(dir);
    expect(s.initialState()).toBeNull();
    await s.close();
  });

  it('persists hard state, entries and snapshots across reopen; a term change costs no extra fsync', async () => {
    const s = await DiskStorage.open(dir, { segmentBytes: 200 });
    await s.save({ hardState: { term: 2, vote: 'b' }, snapshot: null, entries: [ent(1, 1), ent(2, 2)] });
    expect(s.wal.fsyncs).toBe(1);
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
    // No temp files and no hard state file are left behind.
    expect((await readdir(dir)).sort()).toEqual(['snapshot', 'wal']);
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

  // The bug of issue 10: replay judged whether the new entries continue the snapshot from the
  // stale record at the snapshot index, and dropped entries that were acknowledged.
  it('entries acknowledged after installing a snapshot over a diverged log survive a restart', async () => {
    const s = await DiskStorage.open(dir);
    await s.save({ hardState: { term: 3, vote: 'a' }, snapshot: null, entries: Array.from({ length: 15 }, (_, i) => ent(i + 1, 3)) });
    await s.save({ hardState: { term: 4, vote: null }, snapshot: snap(12, 4), entries: [] });
    await s.save({ hardState: null, snapshot: null, entries: [ent(13, 4), ent(14, 4)] });
    await s.close();
    const st = (await DiskStorage.open(dir)).initialState()!;
    expect(st.snapshot.meta).toMatchObject({ index: 12, term: 4 });
    expect(st.entries).toEqual([ent(13, 4), ent(14, 4)]);
    expect(st.hardState).toEqual({ term: 4, vote: null });
  });

  it('an old hardstate file is moved into the WAL once', async () => {
    const body = encode({ term: 7, vote: 'b' });
    const head = Buffer.alloc(8);
    head.writeUInt32LE(body.length, 0);
    head.writeUInt32LE(crc32(body), 4);
    await writeFile(join(dir, 'hardstate'), Buffer.concat([head, body]));
    const s = await DiskStorage.open(dir);
    expect(s.initialState()!.hardState).toEqual({ term: 7, vote: 'b' });
    await s.close();
    expect(await readdir(dir)).not.toContain('hardstate');
    const again = await DiskStorage.open(dir);
    expect(again.initialState()!.hardState).toEqual({ term: 7, vote: 'b' });
    await again.close();
  });

  it('a damaged hardstate or snapshot file is refused, naming it', async () => {
    await writeFile(join(dir, 'hardstate'), 'garbage!!');
    await expect(DiskStorage.open(dir)).rejects.toThrow(new RegExp(`${join(dir, 'hardstate')}: checksum`));
    await rm(join(dir, 'hardstate'));
    const s = await DiskStorage.open(dir);
    await s.save({ hardState: { term: 1, vote: null }, snapshot: snap(3, 1), entries: [] });
    await s.close();
    await writeFile(join(dir, 'snapshot'), 'garbage!!');
    await expect(DiskStorage.open(dir)).rejects.toBeInstanceOf(CorruptWalError);
    await expect(DiskStorage.open(dir)).rejects.toThrow(new RegExp(`${join(dir, 'snapshot')}: checksum`));
  });
});
