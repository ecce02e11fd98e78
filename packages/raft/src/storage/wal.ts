// A segmented write-ahead log. Each record is [u32 length][u32 crc32][msgpack payload]; a
// payload is a Raft entry, the hard state (term, vote), a snapshot marker (index, term: the
// log was replaced by an installed snapshot, earlier records are void), a segment header or
// a seal. Segments are opened O_DSYNC: a batch of records is written whole (short writes
// continued) and is durable when the write returns, before append() resolves (group commit).
// One system call per batch instead of a write and an fdatasync: one trip through libuv's
// thread pool, where each trip is a wake-up a busy scheduler can delay.
//
// Segments: <seq>.wal, seq consecutive. A new segment is written as <seq>.wal.tmp with a
// header (its seq and the current hard state, so deleting old segments never loses the
// vote), fsynced, renamed into place, the directory fsynced; only then is the previous
// segment sealed (a seal record says "segment seq+1 exists"). So a segment on disk always
// starts with a valid header, and a missing newest segment shows as a sealed last one.
//
// Recovery refuses (CorruptWalError, naming file and offset) everything a crash cannot
// explain: a missing or headerless segment, a gap in the sequence, a bad record followed by
// a valid one, a bad record in a sealed segment. Only a torn tail is cut: of the last
// segment, or of the previous one while the last holds nothing but its header (a crash while
// sealing).
//
// Fail-stop: a failed write or fsync breaks the WAL (StorageFailedError, every later call
// rejects). Only a full disk is not fatal: the partial write is truncated away and the batch
// refused with StorageFullError; a later append may succeed once space returns.

import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decode, encode } from '../codec.js';
import type { Entry, HardState } from '../types.js';
import { CorruptWalError, StorageFailedError, StorageFullError } from './errors.js';
import { errorCode, nodeFileSystem, writeAll, type AppendFile, type FileSystem } from './fs.js';

export { CorruptWalError } from './errors.js';

export interface WalOptions {
  /** Rotate to a new segment once the current one reaches this size. */
  segmentBytes?: number;
  /** Records larger than this are rejected on write and treated as garbage on read. */
  maxRecordBytes?: number;
  /** The file system (default: the real one). */
  fs?: FileSystem;
}

/** What a WAL holds, in write order. */
export type WalRecord =
  | { kind: 'entry'; entry: Entry }
  | { kind: 'hardState'; hardState: HardState }
  /** The log was replaced by a snapshot at (index, term): records before this one are void. */
  | { kind: 'snapshot'; index: number; term: number };

interface Segment {
  seq: number;
  path: string;
  /** Highest entry index written in this segment (0 when none). */
  maxIndex: number;
  bytes: number;
}

const HEADER = 8;
const SEGMENT_RE = /^(\d{16})\.wal$/;

export class Wal {
  /** fdatasync calls made by append (for the benchmark's fsyncs-per-commit figure). */
  fsyncs = 0;
  /** Set by the first failed write or fsync: the WAL refuses everything after it. */
  broken: StorageFailedError | null = null;
  private segments: Segment[];
  private file: AppendFile;
  private hardState: HardState;
  private readonly segmentBytes: number;
  private readonly maxRecordBytes: number;

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    segments: Segment[],
    file: AppendFile,
    hardState: HardState,
    opts: WalOptions,
  ) {
    this.segments = segments;
    this.file = file;
    this.hardState = hardState;
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.maxRecordBytes = opts.maxRecordBytes ?? 64 * 1024 * 1024;
  }

  /** Opens (creating if needed) the WAL in `dir` and returns every record in write order. */
  static async open(dir: string, opts: WalOptions = {}): Promise<{ wal: Wal; records: WalRecord[] }> {
    const fs = opts.fs ?? nodeFileSystem;
    const maxRecordBytes = opts.maxRecordBytes ?? 64 * 1024 * 1024;
    await fs.mkdir(dir);
    const names = await fs.readdir(dir);
    // A segment still being created when the machine stopped held nothing acknowledged.
    const tmps = names.filter((n) => n.endsWith('.wal.tmp'));
    for (const t of tmps) await fs.unlink(join(dir, t));
    if (tmps.length > 0) await fs.fsyncDir(dir);
    const segNames = names.filter((n) => SEGMENT_RE.test(n)).sort();
    const parsed: { seg: Segment; records: Raw[]; sealed: boolean }[] = [];
    for (let i = 0; i < segNames.length; i++) {
      const seq = Number(SEGMENT_RE.exec(segNames[i])![1]);
      const path = join(dir, segNames[i]);
      if (i > 0 && seq !== parsed[i - 1].seg.seq + 1) {
        throw new CorruptWalError(`${join(dir, segmentName(parsed[i - 1].seg.seq + 1))}: segment missing (next is ${segNames[i]})`);
      }
      const buf = Buffer.from(await fs.readFile(path));
      const { records, end, bad } = parseRecords(buf, maxRecordBytes);
      const headed = records.length > 0 && records[0].k === 'head';
      if (headed && records[0].seq !== seq) throw new CorruptWalError(`${path}: header at offset 0 names segment ${records[0].seq}`);
      // Segments written before headers existed hold only entries and precede headed ones.
      const legacy = !headed && records.length > 0 && records[0].k === 'entry' && (i === 0 || !parsed[i - 1].records.some((r) => r.k === 'head'));
      if (!headed && !legacy) throw new CorruptWalError(`${path}: no valid segment header at offset 0 (${buf.length} bytes)`);
      let sealed = false;
      for (let j = 0; j < records.length; j++) {
        if (records[j].k === 'seal') {
          if (j !== records.length - 1 || bad) throw new CorruptWalError(`${path}: records after the seal at offset ${records[j].off}`);
          sealed = true;
        } else if (records[j].k === 'head' && j > 0) throw new CorruptWalError(`${path}: a second segment header at offset ${records[j].off}`);
      }
      parsed.push({ seg: { seq, path, maxIndex: 0, bytes: end }, records, sealed });
      if (bad) {
        if (validRecordAfter(buf, end, maxRecordBytes)) throw new CorruptWalError(`${path}: bad record at offset ${end} followed by valid records`);
        const isLast = i === segNames.length - 1;
        // A crash while sealing: the next segment exists but holds only its header.
        const tornSeal = i === segNames.length - 2 && !sealed && (await headerOnly(fs, join(dir, segNames[i + 1]), maxRecordBytes));
        if (!isLast && !tornSeal) throw new CorruptWalError(`${path}: bad record at offset ${end} in a sealed segment`);
        // A torn tail from a crash during the last write: never acknowledged, cut it off.
        const f = await fs.openAppend(path);
        try {
          await f.truncate(end);
          await f.datasync();
        } finally {
          await f.close();
        }
      }
    }
    const last = parsed[parsed.length - 1];
    if (last?.sealed) throw new CorruptWalError(`${join(dir, segmentName(last.seg.seq + 1))}: newest segment missing (${last.seg.path} is sealed)`);

    const records: WalRecord[] = [];
    let hardState: HardState = { term: 0, vote: null };
    for (const p of parsed) {
      for (const r of p.records) {
        if (r.k === 'entry') {
          records.push({ kind: 'entry', entry: r.entry });
          if (r.entry.index > p.seg.maxIndex) p.seg.maxIndex = r.entry.index;
        } else if (r.k === 'hs' || (r.k === 'head' && r.hs)) {
          hardState = r.hs!;
          records.push({ kind: 'hardState', hardState });
        } else if (r.k === 'snap') records.push({ kind: 'snapshot', index: r.index!, term: r.term! });
      }
    }
    const segments = parsed.map((p) => p.seg);
    if (segments.length === 0) {
      const seg = await createSegment(fs, dir, 1, hardState);
      segments.push(seg.seg);
      return { wal: new Wal(fs, dir, segments, seg.file, hardState, opts), records };
    }
    // A crash between starting a segment and sealing the previous one: seal it now, so that
    // losing the newest segment later is still detected.
    const prev = parsed[parsed.length - 2];
    if (prev && !prev.sealed) {
      const f = await fs.openAppend(prev.seg.path);
      try {
        await writeAll(f, frame(encode({ k: 'seal' }), maxRecordBytes, 'seal'));
        await f.datasync();
      } finally {
        await f.close();
      }
    }
    const file = await fs.openAppend(last.seg.path, { dsync: true });
    const wal = new Wal(fs, dir, segments, file, hardState, opts);
    // A segment from before headers existed gets no new records: start a headed one.
    if (!last.records.some((r) => r.k === 'head')) await wal.rotate();
    return { wal, records };
  }

  /** Appends records durably: one O_DSYNC write (more only if the kernel writes short). */
  async append(records: WalRecord[]): Promise<void> {
    if (this.broken) throw this.broken;
    if (records.length === 0) return;
    let cur = this.segments[this.segments.length - 1];
    if (cur.bytes >= this.segmentBytes) cur = await this.rotate();
    const bufs: Buffer[] = [];
    let maxIndex = cur.maxIndex;
    let hardState = this.hardState;
    for (const r of records) {
      if (r.kind === 'entry') {
        bufs.push(frame(encode(r.entry), this.maxRecordBytes, `entry ${r.entry.index}`));
        if (r.entry.index > maxIndex) maxIndex = r.entry.index;
      } else if (r.kind === 'hardState') {
        bufs.push(frame(encode({ k: 'hs', hs: r.hardState }), this.maxRecordBytes, 'hard state'));
        hardState = r.hardState;
      } else bufs.push(frame(encode({ k: 'snap', index: r.index, term: r.term }), this.maxRecordBytes, 'snapshot marker'));
    }
    const buf = bufs.length === 1 ? bufs[0] : Buffer.concat(bufs);
    await this.write(cur, buf);
    this.fsyncs++;
    cur.bytes += buf.length;
    cur.maxIndex = maxIndex;
    this.hardState = hardState;
  }

  /**
   * Deletes old segments that only hold entries at or below `index` (covered by a durable
   * snapshot). The segment being written is never deleted.
   */
  async truncatePrefix(index: number): Promise<void> {
    if (this.broken) throw this.broken;
    let n = 0;
    while (n < this.segments.length - 1 && this.segments[n].maxIndex <= index) n++;
    if (n === 0) return;
    const dead = this.segments.splice(0, n);
    for (const s of dead) {
      try {
        await this.fs.unlink(s.path);
      } catch (e) {
        throw this.fail(s.path, 'unlink', e);
      }
    }
    await this.syncDir();
  }

  segmentCount(): number {
    return this.segments.length;
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  /** Starts segment seq+1 (header, fsync, rename, directory fsync), then seals the current one. */
  private async rotate(): Promise<Segment> {
    const cur = this.segments[this.segments.length - 1];
    let next: { seg: Segment; file: AppendFile };
    try {
      next = await createSegment(this.fs, this.dir, cur.seq + 1, this.hardState);
    } catch (e) {
      if (errorCode(e) === 'ENOSPC') {
        // Nothing but a temp file was written: drop it and refuse this batch.
        await this.fs.unlink(join(this.dir, `${segmentName(cur.seq + 1)}.tmp`)).catch(() => {});
        throw new StorageFullError(join(this.dir, segmentName(cur.seq + 1)));
      }
      throw this.fail(join(this.dir, segmentName(cur.seq + 1)), 'create', e);
    }
    this.fsyncs += 2;
    const seal = frame(encode({ k: 'seal' }), this.maxRecordBytes, 'seal');
    try {
      await writeAll(this.file, seal);
    } catch (e) {
      if (errorCode(e) !== 'ENOSPC') throw this.fail(cur.path, 'write', e);
      // Undo: the old segment stays the newest (unsealed), the new one goes.
      try {
        await this.file.truncate(cur.bytes);
        await next.file.close();
        await this.fs.unlink(next.seg.path);
        await this.fs.fsyncDir(this.dir);
      } catch (e2) {
        throw this.fail(next.seg.path, 'undo after ENOSPC', e2);
      }
      throw new StorageFullError(cur.path);
    }
    this.fsyncs++;
    cur.bytes += seal.length;
    await this.file.close().catch(() => {});
    this.file = next.file;
    this.segments.push(next.seg);
    return next.seg;
  }

  /**
   * Writes a whole batch, durable on return (O_DSYNC); a full disk undoes the partial write,
   * anything else is fatal (never retried: the kernel may have dropped pages it failed to write).
   */
  private async write(cur: Segment, buf: Buffer): Promise<void> {
    try {
      await writeAll(this.file, buf);
    } catch (e) {
      if (errorCode(e) !== 'ENOSPC') throw this.fail(cur.path, 'write', e);
      try {
        await this.file.truncate(cur.bytes);
      } catch (e2) {
        throw this.fail(cur.path, 'truncate after ENOSPC', e2);
      }
      throw new StorageFullError(cur.path);
    }
  }

  private async syncDir(): Promise<void> {
    try {
      await this.fs.fsyncDir(this.dir);
    } catch (e) {
      // Never retry an fsync: the kernel may have dropped the dirty pages it failed to write.
      throw this.fail(this.dir, 'fsync', e);
    }
  }

  private fail(path: string, op: string, e: unknown): StorageFailedError {
    if (e instanceof StorageFailedError) return e;
    this.broken ??= new StorageFailedError(path, op, e);
    return this.broken;
  }
}

function segmentName(seq: number): string {
  return `${String(seq).padStart(16, '0')}.wal`;
}

/** Writes a new segment with its header under a temp name and renames it into place durably (O_DSYNC from the start). */
async function createSegment(fs: FileSystem, dir: string, seq: number, hs: HardState): Promise<{ seg: Segment; file: AppendFile }> {
  const path = join(dir, segmentName(seq));
  const head = frame(encode({ k: 'head', seq, hs }), Infinity, 'header');
  const file = await fs.openAppend(`${path}.tmp`, { dsync: true });
  try {
    await writeAll(file, head);
    await fs.rename(`${path}.tmp`, path);
    await fs.fsyncDir(dir);
  } catch (e) {
    await file.close().catch(() => {});
    throw e;
  }
  return { seg: { seq, path, maxIndex: 0, bytes: head.length }, file };
}

async function headerOnly(fs: FileSystem, path: string, maxRecordBytes: number): Promise<boolean> {
  const { records, bad } = parseRecords(Buffer.from(await fs.readFile(path)), maxRecordBytes);
  return !bad && records.length === 1 && records[0].k === 'head';
}

function frame(payload: Buffer, maxRecordBytes: number, what: string): Buffer {
  if (payload.length > maxRecordBytes) throw new Error(`wal: ${what} is ${payload.length} bytes, over the limit`);
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER);
  return out;
}

/** A decoded record and its byte offset. */
interface Raw {
  k: 'entry' | 'hs' | 'snap' | 'head' | 'seal';
  off: number;
  entry: Entry;
  hs?: HardState;
  index?: number;
  term?: number;
  seq?: number;
}

/** Parses records until the end or the first bad one; `end` is where valid data stops. */
function parseRecords(buf: Buffer, maxRecordBytes: number): { records: Raw[]; end: number; bad: boolean } {
  const records: Raw[] = [];
  let off = 0;
  while (off < buf.length) {
    const r = recordAt(buf, off, maxRecordBytes);
    if (r === null) return { records, end: off, bad: true };
    records.push(r.raw);
    off = r.next;
  }
  return { records, end: off, bad: false };
}

function recordAt(buf: Buffer, off: number, maxRecordBytes: number): { raw: Raw; next: number } | null {
  if (off + HEADER > buf.length) return null;
  const len = buf.readUInt32LE(off);
  if (len === 0 || len > maxRecordBytes || off + HEADER + len > buf.length) return null;
  const payload = buf.subarray(off + HEADER, off + HEADER + len);
  if (crc32(payload) !== buf.readUInt32LE(off + 4)) return null;
  let v: unknown;
  try {
    v = decode(payload);
  } catch {
    return null;
  }
  const raw = classify(v, off);
  return raw === null ? null : { raw, next: off + HEADER + len };
}

function classify(v: unknown, off: number): Raw | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const none = undefined as unknown as Entry;
  switch (o.k) {
    case 'hs':
      return isHardState(o.hs) ? { k: 'hs', off, entry: none, hs: o.hs } : null;
    case 'head':
      return Number.isInteger(o.seq) && isHardState(o.hs) ? { k: 'head', off, entry: none, seq: o.seq as number, hs: o.hs } : null;
    case 'snap':
      return Number.isInteger(o.index) && Number.isInteger(o.term) ? { k: 'snap', off, entry: none, index: o.index as number, term: o.term as number } : null;
    case 'seal':
      return { k: 'seal', off, entry: none };
    case undefined:
      return isEntry(o) ? { k: 'entry', off, entry: o } : null;
    default:
      return null;
  }
}

/** Is there any valid record starting after `from`? (Distinguishes corruption from a torn tail.) */
function validRecordAfter(buf: Buffer, from: number, maxRecordBytes: number): boolean {
  for (let off = from + 1; off + HEADER < buf.length; off++) {
    if (recordAt(buf, off, maxRecordBytes) !== null) return true;
  }
  return false;
}

function isHardState(v: unknown): v is HardState {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return Number.isInteger(h.term) && (h.vote === null || typeof h.vote === 'string');
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
