// Snapshot archives of GET/PUT /v1/snapshot, laid out as Consul's: a gzipped tar of
// meta.json, state.bin and SHA256SUMS (sha256sum format). state.bin is the catalog's own
// snapshot (v8 serialization), so archives move between Proconsul servers, not to Consul.
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readTar, writeTar } from './tar.js';

/** raft.SnapshotMeta's fields that Consul's tools print. */
export interface SnapshotMeta {
  Version: number;
  ID: string;
  Index: number;
  Term: number;
  Size: number;
}

/** A damaged or foreign archive; the message is Consul's (snapshot/archive.go). */
export class ArchiveError extends Error {}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** `term` is the Raft term of the entry at `index` (raft.SnapshotMeta). */
export function buildArchive(state: unknown, index: number, term: number, nowMs: number): Buffer {
  const stateBin = serialize(state);
  const meta: SnapshotMeta = { Version: 1, ID: `${term}-${index}-${nowMs}`, Index: index, Term: term, Size: stateBin.length };
  const metaJson = Buffer.from(JSON.stringify(meta));
  const sums = Buffer.from(`${sha256(metaJson)}  meta.json\n${sha256(stateBin)}  state.bin\n`);
  return gzipSync(writeTar([
    { name: 'meta.json', data: metaJson },
    { name: 'state.bin', data: stateBin },
    { name: 'SHA256SUMS', data: sums },
  ]));
}

/**
 * Unpacks an archive and checks it as Consul's snapshot.Verify does: only the three files,
 * and SHA256SUMS must list meta.json and state.bin with their hashes and nothing else.
 * The state stays encoded.
 */
export function openArchive(gz: Uint8Array): { meta: SnapshotMeta; stateBin: Buffer } {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz);
  } catch (err) {
    throw new ArchiveError(`failed to decompress snapshot: ${(err as Error).message}`);
  }
  const fail = (why: string): never => {
    throw new ArchiveError(`failed to read snapshot file: ${why}`);
  };
  let files: Map<string, Buffer>;
  try {
    files = readTar(tar);
  } catch (err) {
    return fail(`failed reading snapshot: ${(err as Error).message}`);
  }
  for (const name of files.keys()) {
    if (name !== 'meta.json' && name !== 'state.bin' && name !== 'SHA256SUMS' && name !== 'SHA256SUMS.sealed') fail(`unexpected file ${JSON.stringify(name)} in snapshot`);
  }
  const metaJson = files.get('meta.json') ?? Buffer.alloc(0);
  const stateBin = files.get('state.bin') ?? Buffer.alloc(0);
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(metaJson.toString('utf8')) as SnapshotMeta;
  } catch (err) {
    return fail(`failed to decode snapshot metadata: ${(err as Error).message}`);
  }
  const hashes = new Map([['meta.json', sha256(metaJson)], ['state.bin', sha256(stateBin)]]);
  const seen = new Set<string>();
  const integrity = (why: string): never => fail(`failed checking integrity of snapshot: ${why}`);
  for (const line of (files.get('SHA256SUMS') ?? Buffer.alloc(0)).toString('utf8').split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) {2}(\S+)/.exec(line);
    if (!m) integrity(`malformed SHA256SUMS line ${JSON.stringify(line)}`);
    const [, sum, name] = m!;
    const want = hashes.get(name!);
    if (want === undefined) integrity(`list missing hash for ${JSON.stringify(name)}`);
    if (want !== sum) integrity(`hash check failed for ${JSON.stringify(name)}`);
    seen.add(name!);
  }
  for (const name of hashes.keys()) if (!seen.has(name)) integrity(`file missing for ${JSON.stringify(name)}`);
  return { meta, stateBin };
}

/** An archive's state.bin decoded. */
export function decodeState(stateBin: Buffer): unknown {
  try {
    return deserialize(stateBin) as unknown;
  } catch (err) {
    throw new ArchiveError(`failed to decode snapshot state: ${(err as Error).message}`);
  }
}

/** openArchive, and the state decoded. */
export function readArchive(gz: Uint8Array): { meta: SnapshotMeta; state: unknown } {
  const { meta, stateBin } = openArchive(gz);
  return { meta, state: decodeState(stateBin) };
}
