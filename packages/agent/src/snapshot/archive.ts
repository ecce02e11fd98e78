// Snapshot archives of GET/PUT /v1/snapshot, laid out as Consul's: a gzipped tar of
// meta.json, state.bin and SHA256SUMS (sha256sum format). state.bin is the catalog's own
// snapshot (v8 serialization), so archives move between Proconsul servers, not to Consul.
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readTar, writeTar } from './tar.js';

export interface SnapshotMeta {
  Version: number;
  ID: string;
  Index: number;
  Term: number;
  Size: number;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function buildArchive(state: unknown, index: number, nowMs: number): Buffer {
  const stateBin = serialize(state);
  const meta: SnapshotMeta = { Version: 1, ID: `1-${index}-${nowMs}`, Index: index, Term: 1, Size: stateBin.length };
  const metaJson = Buffer.from(JSON.stringify(meta));
  const sums = Buffer.from(`${sha256(metaJson)}  meta.json\n${sha256(stateBin)}  state.bin\n`);
  return gzipSync(writeTar([
    { name: 'meta.json', data: metaJson },
    { name: 'state.bin', data: stateBin },
    { name: 'SHA256SUMS', data: sums },
  ]));
}

export class ArchiveError extends Error {}

/** Verifies the checksums and returns the state and its metadata. */
export function readArchive(gz: Buffer): { meta: SnapshotMeta; state: unknown } {
  let files: Map<string, Buffer>;
  try {
    files = readTar(gunzipSync(gz));
  } catch (err) {
    throw new ArchiveError(`failed to read snapshot archive: ${(err as Error).message}`);
  }
  const metaJson = files.get('meta.json');
  const stateBin = files.get('state.bin');
  const sums = files.get('SHA256SUMS');
  if (!metaJson || !stateBin || !sums) throw new ArchiveError('snapshot archive is missing meta.json, state.bin or SHA256SUMS');
  const expected = new Map<string, string>();
  for (const line of sums.toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m) expected.set(m[2]!, m[1]!);
  }
  for (const [name, data] of [['meta.json', metaJson], ['state.bin', stateBin]] as const) {
    if (expected.get(name) !== sha256(data)) throw new ArchiveError(`snapshot archive checksum mismatch for ${name}`);
  }
  try {
    return { meta: JSON.parse(metaJson.toString('utf8')) as SnapshotMeta, state: deserialize(stateBin) as unknown };
  } catch (err) {
    throw new ArchiveError(`snapshot archive is not valid: ${(err as Error).message}`);
  }
}
