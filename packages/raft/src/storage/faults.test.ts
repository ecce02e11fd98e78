// Storage under disk faults, on the in-memory file system: a crash at every write and fsync
// point (unsynced bytes lost, torn tails, reverted directory entries), short writes, a full
// disk, EIO on fsync, flipped bits, zero-length and deleted segments.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../rand.js';
import type { Entry, HardState, Snapshot } from '../types.js';
import { DiskStorage, type PersistBatch } from './disk.js';
import { CorruptWalError, StorageFailedError, StorageFullError } from './errors.js';
import { MemoryFileSystem, SimulatedCrashError } from './memory-fs.js';

const DIR = '/data/raft';
const WAL = `${DIR}/wal`;
const seg = (n: number) => `${WAL}/${String(n).padStart(16, '0')}.wal`;
const ent = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: `c${index}@${term}:${'x'.repeat(20)}` });
const snap = (index: number, term: number): Snapshot => ({ meta: { index, term, conf: { voters: ['a', 'b', 'c'], learners: [] } }, data: new Uint8Array([index, term]) });
const range = (from: number, to: number, term: number) => Array.from({ length: to - from + 1 }, (_, i) => ent(from + i, term));

/** What a node has been told is durable: the log by index (term) and the hard state. */
interface Model {
  terms: Map<number, number>;
  snapIndex: number;
  hs: HardState;
}

type Step = { batch: PersistBatch } | { local: Snapshot };

// Bootstrap, a vote, entries, a local snapshot, a conflicting suffix, segment rotations, a
// snapshot installed over a diverged log (the issue-10 bug), entries after it, a new term.
const STEPS: Step[] = [
  { batch: { hardState: { term: 1, vote: null }, snapshot: null, entries: range(1, 3, 1) } },
  { batch: { hardState: { term: 2, vote: 'a' }, snapshot: null, entries: [] } },
  { batch: { hardState: null, snapshot: null, entries: range(4, 8, 2) } },
  { local: snap(5, 2) },
  { batch: { hardState: { term: 3, vote: null }, snapshot: null, entries: range(7, 15, 3) } },
  { batch: { hardState: { term: 4, vote: 'b' }, snapshot: snap(12, 4), entries: [] } },
  { batch: { hardState: null, snapshot: null, entries: range(13, 14, 4) } },
  { batch: { hardState: { term: 5, vote: 'c' }, snapshot: null, entries: range(15, 18, 5) } },
  { local: snap(16, 5) },
  { batch: { hardState: null, snapshot: null, entries: range(19, 22, 5) } },
  { batch: { hardState: null, snapshot: null, entries: range(23, 30, 5) } },
  { batch: { hardState: null, snapshot: null, entries: range(31, 38, 5) } },
];

function applyStep(m: Model, s: Step): Model {
  const terms = new Map(m.terms);
  let { snapIndex, hs } = m;
  if ('local' in s) return { terms, snapIndex, hs };
  const b = s.batch;
  if (b.hardState) hs = b.hardState;
  if (b.snapshot) {
    terms.clear();
    snapIndex = b.snapshot.meta.index;
    terms.set(snapIndex, b.snapshot.meta.term);
  }
  for (const e of b.entries) {
    for (const i of [...terms.keys()]) if (i >= e.index) terms.delete(i);
    terms.set(e.index, e.term);
  }
  return { terms, snapIndex, hs };
}

async function runSteps(fs: MemoryFileSystem, acked: (i: number) => void): Promise<void> {
  const s = await DiskStorage.open(DIR, { fs, segmentBytes: 300 });
  for (let i = 0; i < STEPS.length; i++) {
    const st = STEPS[i];
    if ('local' in st) await s.saveSnapshot(st.local);
    else await s.save(st.batch);
    acked(i);
  }
  await s.close();
}

/**
 * Recovered state must hold every acknowledged entry and the acknowledged hard state; an entry
 * may instead come from the batch in flight at the crash (`next`), which may overwrite a suffix.
 */
async function expectHolds(fs: MemoryFileSystem, m: Model, what: string, next: Model = m): Promise<void> {
  const s = await DiskStorage.open(DIR, { fs, segmentBytes: 300 });
  const st = s.initialState();
  await s.close();
  if (m.hs.term === 0) return;
  expect(st, what).not.toBeNull();
  const sm = st!.snapshot.meta;
  const term = (i: number) => (i === sm.index ? sm.term : i < sm.index ? 'covered' : st!.entries[i - sm.index - 1]?.term);
  for (const [i, t] of m.terms) {
    const got = term(i);
    // An index under the recovered snapshot is covered by it (a local snapshot of this log).
    if (got === 'covered' || got === t) continue;
    // Only the batch in flight may have replaced (or, torn, cut off) an acknowledged entry.
    expect(next.terms.get(i), `${what}: entry ${i} is ${got}`).not.toBe(t);
    if (got !== undefined) expect(got, `${what}: entry ${i}`).toBe(next.terms.get(i));
  }
  expect(st!.hardState.term, `${what}: term`).toBeGreaterThanOrEqual(m.hs.term);
  if (st!.hardState.term === m.hs.term && m.hs.vote !== null) expect(st!.hardState.vote, `${what}: vote`).toBe(m.hs.vote);
}

function models(): Model[] {
  const out: Model[] = [{ terms: new Map(), snapIndex: 0, hs: { term: 0, vote: null } }];
  for (const s of STEPS) out.push(applyStep(out[out.length - 1], s));
  return out;
}

describe('storage on a crashing disk', () => {
  it('a crash at every write, fsync, rename and unlink loses nothing acknowledged (torn tails, reverted directory entries)', async () => {
    const ms = models();
    const full = new MemoryFileSystem();
    await runSteps(full, () => {});
    const total = full.ops;
    expect(total).toBeGreaterThan(40);
    let crashes = 0;
    for (const tearSeed of [1, 2, 3]) {
      for (let k = 0; k < total; k++) {
        const fs = new MemoryFileSystem({ random: seededRandom(k * 31 + tearSeed) });
        fs.faults.crashAfterOps = k;
        let done = -1;
        try {
          await runSteps(fs, (i) => (done = i));
        } catch (e) {
          // A crash inside a write or fsync also breaks the WAL (fail-stop) before it stops.
          const root = e instanceof StorageFailedError ? e.cause : e;
          if (!(root instanceof SimulatedCrashError)) throw e;
          crashes++;
        }
        fs.crash();
        const next = ms[Math.min(done + 2, ms.length - 1)];
        await expectHolds(fs, ms[done + 1], `crash after op ${k} (tear seed ${tearSeed})`, next);
        // And it recovers again after a second crash right after recovery.
        fs.crash();
        await expectHolds(fs, ms[done + 1], `second crash after op ${k}`, next);
      }
    }
    expect(crashes).toBe(3 * total);
  });

  it('short writes are continued, never taken for whole ones', async () => {
    const fs = new MemoryFileSystem({ random: seededRandom(5) });
    fs.faults.shortWriteRate = 0.7;
    await runSteps(fs, () => {});
    fs.faults.shortWriteRate = 0;
    fs.crash();
    await expectHolds(fs, models()[STEPS.length], 'short writes');
  });

  it('a full disk refuses the batch, keeps everything acknowledged and resumes when space returns', async () => {
    const fs = new MemoryFileSystem();
    const s = await DiskStorage.open(DIR, { fs, segmentBytes: 4096 });
    await s.save({ hardState: { term: 1, vote: null }, snapshot: null, entries: range(1, 5, 1) });
    fs.faults.capacityBytes = fs.usedBytes() + 70; // room for a part of the next batch only
    await expect(s.save({ hardState: null, snapshot: null, entries: range(6, 10, 1) })).rejects.toBeInstanceOf(StorageFullError);
    await expect(s.save({ hardState: null, snapshot: null, entries: range(6, 10, 1) })).rejects.toThrow(/no space left writing \/data\/raft\/wal\/0+1\.wal/);
    expect(s.failure()).toBeNull();
    fs.faults.capacityBytes = Infinity;
    await s.save({ hardState: null, snapshot: null, entries: range(6, 10, 1) });
    await s.close();
    fs.crash();
    const st = (await DiskStorage.open(DIR, { fs })).initialState()!;
    expect(st.entries).toEqual(range(1, 10, 1));
  });

  it('EIO from a WAL write (O_DSYNC: the write is the sync) is fail-stop: the error names the file, every later append is refused', async () => {
    const fs = new MemoryFileSystem();
    const s = await DiskStorage.open(DIR, { fs });
    await s.save({ hardState: { term: 1, vote: null }, snapshot: null, entries: range(1, 3, 1) });
    fs.faults.syncFails = (p) => p.endsWith('.wal');
    const err = await s.save({ hardState: null, snapshot: null, entries: range(4, 5, 1) }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(StorageFailedError);
    expect((err as Error).message).toBe(`raft storage failed: write ${seg(1)}: EIO: write ${seg(1)}`);
    fs.faults.syncFails = () => false;
    // Never retry an fsync and carry on.
    await expect(s.save({ hardState: null, snapshot: null, entries: range(4, 5, 1) })).rejects.toBe(err);
    await expect(s.saveSnapshot(snap(2, 1))).rejects.toBe(err);
    expect(s.failure()).toBe(err);
    fs.crash();
    const st = (await DiskStorage.open(DIR, { fs })).initialState()!;
    expect(st.entries.slice(0, 3)).toEqual(range(1, 3, 1));
  });

  it('a failed snapshot write leaves the old snapshot and the whole log (the caller retries later)', async () => {
    const fs = new MemoryFileSystem();
    const s = await DiskStorage.open(DIR, { fs, segmentBytes: 200 });
    await s.save({ hardState: { term: 1, vote: null }, snapshot: null, entries: range(1, 12, 1) });
    fs.faults.syncFails = (p) => p.endsWith('snapshot.tmp');
    await expect(s.saveSnapshot(snap(10, 1))).rejects.toThrow(/snapshot/);
    expect(s.failure()).toBeNull();
    fs.faults.syncFails = () => false;
    await s.save({ hardState: null, snapshot: null, entries: range(13, 13, 1) });
    await s.saveSnapshot(snap(11, 1));
    await s.close();
    const st = (await DiskStorage.open(DIR, { fs })).initialState()!;
    expect(st.snapshot.meta.index).toBe(11);
    expect(st.entries).toEqual(range(12, 13, 1));
  });
});

describe('storage refuses damage a crash cannot explain', () => {
  async function written(): Promise<MemoryFileSystem> {
    const fs = new MemoryFileSystem();
    await runSteps(fs, () => {});
    return fs;
  }
  async function segments(fs: MemoryFileSystem): Promise<string[]> {
    return (await fs.readdir(WAL)).filter((n) => n.endsWith('.wal')).map((n) => `${WAL}/${n}`);
  }

  it('a flipped bit in a sealed segment: refused, naming file and offset', async () => {
    const fs = await written();
    const segs = await segments(fs);
    expect(segs.length).toBeGreaterThan(2);
    const off = (await fs.readFile(segs[0])).length >> 1;
    fs.flipBit(segs[0], off, 3);
    await expect(DiskStorage.open(DIR, { fs })).rejects.toThrow(CorruptWalError);
    await expect(DiskStorage.open(DIR, { fs })).rejects.toThrow(new RegExp(`${segs[0]}: bad record at offset \\d+`));
  });

  it('a flipped bit in the last segment before a valid record: refused; in every byte of it', async () => {
    const fs = await written();
    const segs = await segments(fs);
    const last = segs[segs.length - 1];
    const bytes = await fs.readFile(last);
    // Every byte but those of the final record (which a torn write could explain).
    const lastRecord = lastRecordOffset(bytes);
    for (let off = 0; off < lastRecord; off++) {
      fs.flipBit(last, off, off % 8);
      await expect(DiskStorage.open(DIR, { fs }), `byte ${off}`).rejects.toThrow(CorruptWalError);
      fs.flipBit(last, off, off % 8);
    }
    await expectHolds(fs, models()[STEPS.length], 'restored');
  });

  it('a zero-length newest segment: refused', async () => {
    const fs = await written();
    const segs = await segments(fs);
    fs.chop(segs[segs.length - 1], 0);
    await expect(DiskStorage.open(DIR, { fs })).rejects.toThrow(new RegExp(`${segs[segs.length - 1]}: no valid segment header`));
  });

  it('a deleted newest segment: refused (the previous one is sealed)', async () => {
    const fs = await written();
    const segs = await segments(fs);
    fs.remove(segs[segs.length - 1]);
    await expect(DiskStorage.open(DIR, { fs })).rejects.toThrow(new RegExp(`${segs[segs.length - 1]}: newest segment missing`));
  });

  it('a crash before the previous segment was sealed: the next open seals it, so losing the newest is still caught', async () => {
    const fs = new MemoryFileSystem();
    const s = await DiskStorage.open(DIR, { fs, segmentBytes: 150 });
    await s.save({ hardState: { term: 1, vote: null }, snapshot: null, entries: range(1, 4, 1) });
    // The next save rotates: new segment (temp create, O_DSYNC header write, rename, dir fsync), then the seal.
    fs.faults.crashAfterOps = 4; // the 5th operation: appending the seal
    await expect(s.save({ hardState: null, snapshot: null, entries: range(5, 6, 1) })).rejects.toThrow();
    fs.crash();
    const segs = await segments(fs);
    expect(segs).toHaveLength(2);
    const r = await DiskStorage.open(DIR, { fs, segmentBytes: 150 });
    expect(r.initialState()!.entries).toEqual(range(1, 4, 1));
    await r.save({ hardState: null, snapshot: null, entries: range(5, 5, 1) });
    await r.close();
    fs.remove(segs[1]);
    await expect(DiskStorage.open(DIR, { fs })).rejects.toThrow(/newest segment missing/);
  });

  it('a deleted middle segment: refused', async () => {
    const fs = await written();
    const segs = await segments(fs);
    fs.remove(segs[1]);
    await expect(DiskStorage.open(DIR, { fs })).rejects.toThrow(new RegExp(`${segs[1]}: segment missing`));
  });

  it('a deleted oldest segment still needed after the snapshot: refused', async () => {
    const fs = await written();
    const segs = await segments(fs);
    fs.remove(segs[0]);
    await expect(DiskStorage.open(DIR, { fs })).rejects.toThrow(CorruptWalError);
  });
});

function lastRecordOffset(buf: Uint8Array): number {
  const b = Buffer.from(buf);
  let off = 0;
  let last = 0;
  while (off < b.length) {
    last = off;
    off += 8 + b.readUInt32LE(off);
  }
  return last;
}
