// Data dirs written before the agent ran on Raft kept the catalog in `<data-dir>/catalog/`: a
// snapshot (`snapshot.bin`) and command-log segments (`log-<first index>.bin`, records
// `[u32 length][u32 crc32][v8 [index, command]]`). They are read here, once, into a catalog
// state that the new Raft log starts from. The old files are only read, never changed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { deserialize } from 'node:v8';
import { Catalog, type CatalogSnapshot, type Command } from '@proconsul/catalog';

export const LEGACY_CATALOG_DIR = 'catalog';
const HEADER_BYTES = 8;
const RECORD_BYTES_MAX = 64 * 1024 * 1024;
const SEGMENT_RE = /^log-(\d{20})\.bin$/;

export class LegacyImportError extends Error {
  override name = 'LegacyImportError';
}

/** The catalog state of a legacy `<dir>` (the snapshot plus every logged command after it). */
export function readLegacyCatalog(dir: string, datacenter: string): CatalogSnapshot {
  const catalog = new Catalog({ datacenter });
  const snapPath = join(dir, 'snapshot.bin');
  let index = 0;
  if (existsSync(snapPath)) {
    const snap = deserialize(sealedBody(snapPath, readFileSync(snapPath), 0)) as { index: number; state: CatalogSnapshot };
    catalog.restore(snap.state);
    index = snap.index;
  }
  const segments = readdirSync(dir)
    .filter((n) => SEGMENT_RE.test(n))
    .sort();
  segments.forEach((name, i) => {
    const path = join(dir, name);
    const buf = readFileSync(path);
    let off = 0;
    while (off < buf.length) {
      const record = recordAt(buf, off);
      if (record === null) {
        // Only a torn tail of the newest segment (a crash mid-write, never acknowledged) may end early.
        if (i !== segments.length - 1 || anyRecordAfter(buf, off)) {
          throw new LegacyImportError(`${path}: corrupt record at byte offset ${off}; refusing to import (restore the data dir from a backup or a healthy server)`);
        }
        break;
      }
      const [at, command] = deserialize(record.payload) as [number, Command];
      if (at > index) {
        if (at !== index + 1) throw new LegacyImportError(`${path}: log gap, expected index ${index + 1}, found ${at}`);
        try {
          catalog.apply(at, command);
        } catch {
          // It failed the same way when first applied; its result was an error then too.
        }
        index = at;
      }
      off = record.next;
    }
  });
  return catalog.snapshot();
}

function sealedBody(path: string, buf: Buffer, off: number): Buffer {
  const record = recordAt(buf, off);
  if (record === null || record.next !== buf.length) throw new LegacyImportError(`${path}: corrupt (checksum mismatch)`);
  return record.payload;
}

function recordAt(buf: Buffer, off: number): { payload: Buffer; next: number } | null {
  if (off + HEADER_BYTES > buf.length) return null;
  const length = buf.readUInt32LE(off);
  if (length === 0 || length > RECORD_BYTES_MAX || off + HEADER_BYTES + length > buf.length) return null;
  const payload = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + length);
  if (crc32(payload) !== buf.readUInt32LE(off + 4)) return null;
  return { payload, next: off + HEADER_BYTES + length };
}

function anyRecordAfter(buf: Buffer, from: number): boolean {
  for (let off = from + 1; off + HEADER_BYTES < buf.length; off++) if (recordAt(buf, off) !== null) return true;
  return false;
}
