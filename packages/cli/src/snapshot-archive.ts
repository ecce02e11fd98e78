/**
 * Verifies a snapshot archive the way `consul snapshot save` does before keeping it:
 * it must gunzip and untar, and when it carries a SHA256SUMS file (Consul's format:
 * meta.json, state.bin, SHA256SUMS) every listed file must match its hash.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

export interface TarEntry {
  name: string;
  data: Buffer;
}

export class ArchiveError extends Error {}

export function untar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => header.subarray(start, start + len).toString('latin1').replace(/\0.*$/s, '');
    const sizeText = field(124, 12).trim();
    if (!/^[0-7]+$/.test(sizeText)) throw new ArchiveError('invalid tar header');
    const size = parseInt(sizeText, 8);
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const type = field(156, 1);
    const start = off + 512;
    if (start + size > tar.length) throw new ArchiveError('unexpected EOF');
    if (type === '' || type === '0') entries.push({ name, data: tar.subarray(start, start + size) });
    off = start + Math.ceil(size / 512) * 512;
  }
  return entries;
}

export function verifySnapshot(archive: Uint8Array): void {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive);
  } catch (err) {
    throw new ArchiveError(`gzip: ${(err as Error).message}`);
  }
  const entries = untar(tar);
  const sums = entries.find((e) => e.name === 'SHA256SUMS');
  if (!sums) return;
  for (const line of sums.data.toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (!m) continue;
    const entry = entries.find((e) => e.name === m[2]);
    if (!entry) throw new ArchiveError(`file missing: ${m[2]}`);
    const actual = createHash('sha256').update(entry.data).digest('hex');
    if (actual !== m[1]) throw new ArchiveError(`sha256 hash mismatch for ${m[2]}`);
  }
}
