import { constants } from 'node:fs';
import { mkdtemp, readFile, readdir, readlink, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry } from '../types.js';
import { CorruptWalError, Wal, type WalOptions } from './wal.js';

const ent = (index: number, term = 1, data: unknown = `cmd-${index}`): Entry => ({ index, term, type: 'normal', data });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-wal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens a WAL and returns its entry records (the tests here are about entries). */
async function openWal(d: string, opts: WalOptions = {}): Promise<{ wal: Wal; entries: Entry[] }> {
  const { wal, records } = await Wal.open(d, opts);
  return { wal, entries: records.flatMap((r) => (r.kind === 'entry' ? [r.entry] : [])) };
}

async function writeWal(d: string, batches: Entry[][], segmentBytes?: number): Promise<Wal> {
  const { wal } = await openWal(d, { segmentBytes });
  for (const b of batches) await wal.append(b.map((entry) => ({ kind: 'entry' as const, entry })));
  return wal;
}

async function segFiles(d: string): Promise<string[]> {
  return (await readdir(d)).filter((n) => n.endsWith('.wal')).sort();
}

/** The open(2) flags of this process's descriptor for `path`, from /proc (Linux). */
async function openFlags(path: string): Promise<number | null> {
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target !== path) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
    return parseInt(/^flags:\s+([0-7]+)/m.exec(info)![1], 8);
  }
  return null;
}

describe('Wal', () => {
  it('writes segments O_DSYNC: a batch is durable when its one write returns', async () => {
    const wal = await writeWal(dir, [[ent(1)]]);
    const segment = join(dir, (await segFiles(dir))[0]);
    const flags = await openFlags(segment);
    expect(flags).not.toBeNull();
    expect(flags! & constants.O_DSYNC).toBe(constants.O_DSYNC);
    expect(flags! & constants.O_APPEND).toBe(constants.O_APPEND);
    await wal.close();
  });

  it('recovers every appended record with one fsync per batch', async () => {
    const wal = await writeWal(dir, [[ent(1), ent(2)], [ent(3)], [ent(4), ent(5), ent(6)]]);
    expect(wal.fsyncs).toBe(3);
    await wal.close();
    const { wal: w2, entries } = await openWal(dir);
    expect(entries).toEqual([ent(1), ent(2), ent(3), ent(4), ent(5), ent(6)]);
    await w2.close();
  });

  it('rotates segments and deletes whole segments covered by a snapshot', async () => {
    const batches = Array.from({ length: 20 }, (_, i) => [ent(i + 1, 1, 'x'.repeat(100))]);
    const wal = await writeWal(dir, batches, 300);
    expect(wal.segmentCount()).toBeGreaterThan(3);
    const before = wal.segmentCount();
    await wal.truncatePrefix(10);
    expect(wal.segmentCount()).toBeLessThan(before);
    await wal.close();
    const { wal: w2, entries } = await openWal(dir, { segmentBytes: 300 });
    // Everything after the snapshot index survives; only whole old segments went away.
    expect(entries.filter((e) => e.index > 10).map((e) => e.index)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(entries[0].index).toBeLessThanOrEqual(11);
    expect(await segFiles(dir)).toHaveLength(w2.segmentCount());
    await w2.close();
  });

  it('cut at every byte offset of the last records: recovers exactly the whole records, then appends again', async () => {
    const records = [ent(1), ent(2, 1, { k: 'a', v: 'hello' }), ent(3, 2, 'third'), ent(4, 2, 'fourth record')];
    const wal = await writeWal(dir, [records.slice(0, 2), [records[2]], [records[3]]]);
    await wal.close();
    const [seg] = await segFiles(dir);
    const full = await readFile(join(dir, seg));
    // Byte offsets where each record ends.
    const ends: number[] = [];
    for (let off = 0; off < full.length; ) {
      off += 8 + full.readUInt32LE(off);
      ends.push(off);
    }
    const startOfLastTwo = ends[ends.length - 3];
    for (let cut = startOfLastTwo; cut < full.length; cut++) {
      const d = join(dir, `cut-${cut}`);
      const { wal: w0 } = await openWal(d);
      await w0.close();
      await writeFile(join(d, seg), full.subarray(0, cut));
      const { wal: w, entries } = await openWal(d);
      const whole = ends.filter((e) => e <= cut).length - 1; // the first record is the segment header
      expect(entries).toEqual(records.slice(0, whole));
      await w.append([{ kind: 'entry', entry: ent(whole + 1, 3, 'after-recovery') }]);
      await w.close();
      const again = await openWal(d);
      expect(again.entries).toEqual([...records.slice(0, whole), ent(whole + 1, 3, 'after-recovery')]);
      await again.wal.close();
    }
  });

  it('flipped bytes: a bad last record is cut off, a bad earlier one is reported, never returned', async () => {
    const records = [ent(1), ent(2, 1, 'two'), ent(3, 2, 'three'), ent(4, 2, 'four')];
    const wal = await writeWal(dir, [records]);
    await wal.close();
    const [seg] = await segFiles(dir);
    const full = await readFile(join(dir, seg));
    const ends: number[] = [];
    for (let off = 0; off < full.length; ) {
      off += 8 + full.readUInt32LE(off);
      ends.push(off);
    }
    let corrupt = 0;
    let truncated = 0;
    for (let pos = ends[ends.length - 3]; pos < full.length; pos++) {
      const d = join(dir, `flip-${pos}`);
      const { wal: w0 } = await openWal(d);
      await w0.close();
      const bad = Buffer.from(full);
      bad[pos] ^= 0x5a;
      await writeFile(join(d, seg), bad);
      const recordNo = ends.findIndex((e) => e > pos) - 1; // which entry the flip hit (after the header)
      try {
        const { wal: w, entries } = await openWal(d);
        await w.close();
        // Only the last record may be dropped as a torn tail; nothing altered comes back.
        expect(recordNo).toBe(records.length - 1);
        expect(entries).toEqual(records.slice(0, recordNo));
        truncated++;
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptWalError);
        expect(recordNo).toBeLessThan(records.length - 1);
        corrupt++;
      }
    }
    expect(corrupt).toBeGreaterThan(0);
    expect(truncated).toBeGreaterThan(0);
  });

  it('corruption in a sealed (older) segment is reported', async () => {
    const batches = Array.from({ length: 6 }, (_, i) => [ent(i + 1, 1, 'y'.repeat(50))]);
    const wal = await writeWal(dir, batches, 100);
    await wal.close();
    const segs = await segFiles(dir);
    expect(segs.length).toBeGreaterThan(1);
    const first = join(dir, segs[0]);
    const buf = await readFile(first);
    await truncate(first, buf.length - 3);
    await expect(openWal(dir)).rejects.toBeInstanceOf(CorruptWalError);
  });
});
