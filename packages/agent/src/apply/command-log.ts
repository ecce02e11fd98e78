// An append-only command log: segments of records `[u32 length][u32 crc32][payload]`.
// A segment is named after the index of its first record. Recovery reads every record,
// verifies each checksum, and truncates a torn tail (a crash in the middle of a write) of the
// last segment; a bad record anywhere else is corruption and stops the agent.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, ftruncateSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { deserialize, serialize } from 'node:v8';

const HEADER_BYTES = 8;
/** One record may not be larger than this: a length beyond it means a torn or corrupt header. */
export const RECORD_BYTES_MAX = 64 * 1024 * 1024;

export interface LogEntry<C> {
  index: number;
  command: C;
}

export function encodeRecord<C>(entry: LogEntry<C>): Buffer {
  const payload = serialize([entry.index, entry.command]);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** Decodes the records of one segment; `validBytes` is where the last good record ends. */
export function decodeSegment<C>(buf: Buffer): { entries: LogEntry<C>[]; validBytes: number } {
  const entries: LogEntry<C>[] = [];
  let off = 0;
  while (off + HEADER_BYTES <= buf.length) {
    const length = buf.readUInt32LE(off);
    const sum = buf.readUInt32LE(off + 4);
    if (length > RECORD_BYTES_MAX || off + HEADER_BYTES + length > buf.length) break;
    const payload = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + length);
    if (crc32(payload) !== sum) break;
    let decoded: unknown;
    try {
      decoded = deserialize(payload);
    } catch {
      break;
    }
    const [index, command] = decoded as [number, C];
    entries.push({ index, command });
    off += HEADER_BYTES + length;
  }
  return { entries, validBytes: off };
}

const SEGMENT_RE = /^log-(\d{20})\.bin$/;

export function segmentName(firstIndex: number): string {
  return `log-${String(firstIndex).padStart(20, '0')}.bin`;
}

export function listSegments(dir: string): { name: string; firstIndex: number }[] {
  return readdirSync(dir)
    .map((name) => ({ name, m: SEGMENT_RE.exec(name) }))
    .filter((s) => s.m !== null)
    .map((s) => ({ name: s.name, firstIndex: Number(s.m![1]) }))
    .sort((a, b) => a.firstIndex - b.firstIndex);
}

export class CorruptLogError extends Error {}

/**
 * Reads every segment in order and returns the entries after `afterIndex`. A torn tail of the
 * last segment is cut off (and the truncation made durable) so appends continue after it.
 */
export function recoverLog<C>(dir: string, afterIndex: number): { entries: LogEntry<C>[]; truncatedBytes: number } {
  const segments = listSegments(dir);
  const entries: LogEntry<C>[] = [];
  let truncatedBytes = 0;
  segments.forEach((seg, i) => {
    const path = join(dir, seg.name);
    const buf = readFileSync(path);
    const { entries: segEntries, validBytes } = decodeSegment<C>(buf);
    if (validBytes < buf.length) {
      if (i !== segments.length - 1) {
        throw new CorruptLogError(`command log segment ${seg.name} is corrupt at byte ${validBytes}`);
      }
      truncatedBytes = buf.length - validBytes;
      const fd = openSync(path, 'r+');
      try {
        ftruncateSync(fd, validBytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    for (const e of segEntries) {
      if (e.index <= afterIndex) continue;
      const expected = entries.length > 0 ? entries[entries.length - 1]!.index + 1 : afterIndex + 1;
      if (e.index !== expected) throw new CorruptLogError(`command log has a gap: expected index ${expected}, found ${e.index}`);
      entries.push(e);
    }
  });
  return { entries, truncatedBytes };
}

/** fsyncs a directory so that a rename or a new file in it is durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function removeSegmentsBefore(dir: string, firstIndexKept: number): void {
  for (const seg of listSegments(dir)) {
    if (seg.firstIndex < firstIndexKept) unlinkSync(join(dir, seg.name));
  }
}

/** The segment being appended to. */
export class SegmentWriter {
  private constructor(private readonly fh: FileHandle) {}

  static async open(path: string): Promise<SegmentWriter> {
    return new SegmentWriter(await open(path, 'a'));
  }

  /** Writes a batch of records and makes them durable before returning (group commit). */
  async appendDurably(records: Buffer[]): Promise<void> {
    await this.fh.write(records.length === 1 ? records[0]! : Buffer.concat(records));
    await this.fh.datasync();
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
