// A server's own Raft snapshot file (`<data-dir>/raft/snapshot`), read for `proconsul snapshot
// inspect` as Consul's inspects the raw `raft/snapshots/<id>/state.bin` of a server. The file is
// sealed (length, CRC-32, then the msgpack of `{ meta, data }`: DiskStorage), and `data` is the
// catalog's Raft snapshot (catalog-fsm.ts). Raft and the catalog load only when such a file is read.
import { stat } from 'node:fs/promises';
import type { SnapshotMeta } from './archive.js';

/** Whether `file` is framed as a sealed file: its first word is the length of what follows. */
export function looksLikeRaftSnapshot(file: Buffer): boolean {
  return file.length >= 8 && file.readUInt32LE(0) === file.length - 8;
}

/**
 * The snapshot at `path` with its state decoded. Consul's raw files have a meta.json beside
 * them; ours keep the index and term inside, so the meta is made here: ID as Consul's
 * (`term-index-milliseconds`, the file's time), Size the state's bytes.
 */
export async function readRaftSnapshot(path: string): Promise<{ meta: SnapshotMeta; state: unknown }> {
  const [{ readSnapshotFile }, { decodeSnapshot }] = await Promise.all([import('@proconsul/raft'), import('../raft/catalog-fsm.js')]);
  const snap = await readSnapshotFile(path);
  if (snap === null) throw new Error(`open ${path}: no such file or directory`);
  const { mtimeMs } = await stat(path);
  const { index, term } = snap.meta;
  const meta: SnapshotMeta = { Version: 1, ID: `${term}-${index}-${Math.floor(mtimeMs)}`, Index: index, Term: term, Size: snap.data.length };
  return { meta, state: decodeSnapshot(snap.data) };
}
