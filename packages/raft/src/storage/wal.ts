// A segmented write-ahead log of Raft entries. Each record is [u32 length][u32 crc32][msgpack entry].
// A batch of records is written with one write and made durable with one fdatasync before
// append() resolves (group commit). Segments rotate at a size; whole old segments are deleted
// after a snapshot covers them (prefix truncation).
//
// Recovery: records are read in order; only the tail of the last segment may be torn (a crash
// during the last write). A bad record there with nothing valid after it is cut off. A bad
// record followed by a valid one, or in an older segment, is corruption of acknowledged data:
// recovery stops with CorruptWalError instead of silently dropping it.

import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decode, encode } from '../codec.js';
import type { Entry } from '../types.js';
import { fsyncDir } from './files.js';

export class CorruptWalError extends Error {
  override name = 'CorruptWalError';
}

export interface WalOptions {
  /** Rotate to a new segment once the current one reaches this size. */
  segmentBytes?: number;
  /** Records larger than this are rejected on write and treated as garbage on read. */
  maxRecordBytes?: number;
}

interface Segment {
  seq: number;
  path: string;
  /** Highest entry index written in this segment (0 when empty). */
  maxIndex: number;
  bytes: number;
}

const HEADER = 8;
const SEGMENT_RE = /^(\d{16})\.wal$/;

export class Wal {
  /** fdatasync calls made by append (for the benchmark's fsyncs-per-commit figure). */
  fsyncs = 0;
  private segments: Segment[];
  private fh: FileHandle;
  private readonly segmentBytes: number;
  private readonly maxRecordBytes: number;

  private constructor(
    private readonly dir: string,
    segments: Segment[],
    fh: FileHandle,
    opts: WalOptions,
  ) {
    this.segments = segments;
    this.fh = fh;
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.maxRecordBytes = opts.maxRecordBytes ?? 64 * 1024 * 1024;
  }

  /** Opens (creating if needed) the WAL in `dir` and returns every record in write order. */
  static async open(dir: string, opts: WalOptions = {}): Promise<{ wal: Wal; entries: Entry[] }> {
    await mkdir(dir, { recursive: true });
    const maxRecordBytes = opts.maxRecordBytes ?? 64 * 1024 * 1024;
    const names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    const segments: Segment[] = [];
    const entries: Entry[] = [];
    for (let i = 0; i < names.length; i++) {
      const path = join(dir, names[i]);
      const isLast = i === names.length - 1;
      const fh = await open(path, 'r+');
      try {
        const buf = await fh.readFile();
        const { records, end, bad } = parseRecords(buf, maxRecordBytes);
        if (bad) {
          if (!isLast) throw new CorruptWalError(`${path}: bad record at offset ${end} in a sealed segment`);
          if (validRecordAfter(buf, end, maxRecordBytes)) {
            throw new CorruptWalError(`${path}: bad record at offset ${end} followed by valid records`);
          }
          // A torn tail from a crash during the last write: never acknowledged, cut it off.
          await fh.truncate(end);
          await fh.sync();
        }
        let maxIndex = 0;
        for (const e of records) {
          entries.push(e);
          if (e.index > maxIndex) maxIndex = e.index;
        }
        segments.push({ seq: Number(SEGMENT_RE.exec(names[i])![1]), path, maxIndex, bytes: end });
      } finally {
        await fh.close();
      }
    }
    if (segments.length === 0) {
      const seg = { seq: 1, path: join(dir, segmentName(1)), maxIndex: 0, bytes: 0 };
      await (await open(seg.path, 'a')).close();
      await fsyncDir(dir);
      segments.push(seg);
    }
    const fh = await open(segments[segments.length - 1].path, 'a');
    return { wal: new Wal(dir, segments, fh, opts), entries };
  }

  /** Appends entries durably: one write, one fdatasync. */
  async append(entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    let cur = this.segments[this.segments.length - 1];
    if (cur.bytes >= this.segmentBytes) cur = await this.rotate();
    const bufs: Buffer[] = [];
    let total = 0;
    let maxIndex = cur.maxIndex;
    for (const e of entries) {
      const payload = encode(e);
      if (payload.length > this.maxRecordBytes) throw new Error(`wal: entry ${e.index} is ${payload.length} bytes, over the limit`);
      const head = Buffer.allocUnsafe(HEADER);
      head.writeUInt32LE(payload.length, 0);
      head.writeUInt32LE(crc32(payload), 4);
      bufs.push(head, payload);
      total += HEADER + payload.length;
      if (e.index > maxIndex) maxIndex = e.index;
    }
    await this.fh.writev(bufs);
    await this.fh.datasync();
    this.fsyncs++;
    cur.bytes += total;
    cur.maxIndex = maxIndex;
  }

  /**
   * Deletes old segments that only hold entries at or below `index` (covered by a durable
   * snapshot). The segment being written is never deleted.
   */
  async truncatePrefix(index: number): Promise<void> {
    let n = 0;
    while (n < this.segments.length - 1 && this.segments[n].maxIndex <= index) n++;
    if (n === 0) return;
    const dead = this.segments.splice(0, n);
    for (const s of dead) await unlink(s.path);
    await fsyncDir(this.dir);
  }

  segmentCount(): number {
    return this.segments.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  private async rotate(): Promise<Segment> {
    await this.fh.close();
    const seq = this.segments[this.segments.length - 1].seq + 1;
    const seg: Segment = { seq, path: join(this.dir, segmentName(seq)), maxIndex: 0, bytes: 0 };
    this.fh = await open(seg.path, 'a');
    // The new file's directory entry must be durable before records in it are acknowledged.
    await fsyncDir(this.dir);
    this.fsyncs++;
    this.segments.push(seg);
    return seg;
  }
}

function segmentName(seq: number): string {
  return `${String(seq).padStart(16, '0')}.wal`;
}

/** Parses records until the end or the first bad one; `end` is where valid data stops. */
function parseRecords(buf: Buffer, maxRecordBytes: number): { records: Entry[]; end: number; bad: boolean } {
  const records: Entry[] = [];
  let off = 0;
  while (off < buf.length) {
    const e = recordAt(buf, off, maxRecordBytes);
    if (e === null) return { records, end: off, bad: true };
    records.push(e.entry);
    off = e.next;
  }
  return { records, end: off, bad: false };
}

function recordAt(buf: Buffer, off: number, maxRecordBytes: number): { entry: Entry; next: number } | null {
  if (off + HEADER > buf.length) return null;
  const len = buf.readUInt32LE(off);
  if (len === 0 || len > maxRecordBytes || off + HEADER + len > buf.length) return null;
  const payload = buf.subarray(off + HEADER, off + HEADER + len);
  if (crc32(payload) !== buf.readUInt32LE(off + 4)) return null;
  let entry: unknown;
  try {
    entry = decode(payload);
  } catch {
    return null;
  }
  if (!isEntry(entry)) return null;
  return { entry, next: off + HEADER + len };
}

/** Is there any valid record starting after `from`? (Distinguishes corruption from a torn tail.) */
function validRecordAfter(buf: Buffer, from: number, maxRecordBytes: number): boolean {
  for (let off = from + 1; off + HEADER < buf.length; off++) {
    if (recordAt(buf, off, maxRecordBytes) !== null) return true;
  }
  return false;
}

function isEntry(v: unknown): v is Entry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    Number.isInteger(e.index) &&
    Number.isInteger(e.term) &&
    (e.type === 'normal' || e.type === 'conf' || e.type === 'noop')
  );
}
