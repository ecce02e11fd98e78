// Durable storage of one Raft node in a data directory:
//   <dir>/wal/        the segmented write-ahead log: entries, hard state (term, vote) and
//                     snapshot markers, in write order (wal.ts)
//   <dir>/snapshot    the newest snapshot: metadata and state machine bytes (temp file +
//                     fsync + rename + directory fsync, with a checksum)
// The caller persists each Ready with save() before sending its messages: hard state, a
// received snapshot's marker and new entries go to the WAL in one write and one fdatasync.
//
// An older layout kept term and vote in <dir>/hardstate; it is read once, moved into the
// WAL and removed.

import { join } from 'node:path';
import { decode, encode } from '../codec.js';
import { emptySnapshot, type RaftInitialState } from '../raft.js';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../types.js';
import { CorruptWalError, StorageFailedError, StorageFullError } from './errors.js';
import { errorCode, nodeFileSystem, type FileSystem } from './fs.js';
import { atomicWrite, readSealed, removeIfExists } from './files.js';
import { Wal, type WalOptions, type WalRecord } from './wal.js';

export interface PersistBatch {
  hardState: HardState | null;
  snapshot: Snapshot | null;
  entries: Entry[];
}

export class DiskStorage {
  /** Snapshot file writes, one at a time (a local snapshot may be written while the log moves on). */
  private snapshotWrites: Promise<void> = Promise.resolve();
  private snapshotIndex: number;

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly wal: Wal,
    private state: RaftInitialState | null,
  ) {
    this.snapshotIndex = state?.snapshot.meta.index ?? 0;
  }

  /** Opens the data directory, recovering the WAL (truncating a torn tail, refusing corruption). */
  static async open(dir: string, opts: WalOptions = {}): Promise<DiskStorage> {
    const fs = opts.fs ?? nodeFileSystem;
    await fs.mkdir(dir);
    await removeIfExists(fs, join(dir, 'hardstate.tmp'));
    await removeIfExists(fs, join(dir, 'snapshot.tmp'));
    const legacyHs = await readSealed(fs, join(dir, 'hardstate'));
    const snapshot = await readSnapshotFile(join(dir, 'snapshot'), fs);
    const { wal, records } = await Wal.open(join(dir, 'wal'), { ...opts, fs });
    let hardState: HardState | null = null;
    for (const r of records) if (r.kind === 'hardState') hardState = r.hardState;
    if (legacyHs !== null) {
      // Move the old hard state file into the WAL (unless the WAL already has a newer one).
      if (hardState === null || hardState.term === 0) hardState = decode(legacyHs) as HardState;
      await wal.append([{ kind: 'hardState', hardState }]);
      await fs.unlink(join(dir, 'hardstate'));
      await fs.fsyncDir(dir);
    }
    const entries = replay(records, snapshot, join(dir, 'wal'));
    // Fresh until a term is durable: a bootstrap writes its entries, then its hard state, so a
    // crash in between (or a torn bootstrap write) is never taken for a partial configuration.
    // Any other entry reaches the WAL after (or with, behind) a hard state of term >= 1.
    if ((hardState === null || hardState.term === 0) && snapshot === null) return new DiskStorage(fs, dir, wal, null);
    const snap = snapshot ?? emptySnapshot({ voters: [], learners: [] });
    // Without a hard state record (a crash while bootstrapping) start no lower than the log's term.
    const lastTerm = entries.length > 0 ? entries[entries.length - 1].term : snap.meta.term;
    hardState ??= { term: lastTerm, vote: null };
    return new DiskStorage(fs, dir, wal, { hardState, snapshot: snap, entries });
  }

  /** The recovered state, or null for a fresh directory (the caller bootstraps or joins). */
  initialState(): RaftInitialState | null {
    return this.state;
  }

  /**
   * Writes the initial state of a fresh directory: entries, then the hard state. Until its
   * term is durable the directory reads as fresh, so a crash never leaves part of a founding
   * configuration (a voter alone in it would elect itself).
   */
  async saveInitial(init: RaftInitialState): Promise<void> {
    await this.save({ hardState: null, snapshot: null, entries: init.entries });
    await this.save({ hardState: init.hardState, snapshot: null, entries: [] });
    this.state = init;
  }

  /** The failure that made this storage fail-stop, if any. */
  failure(): StorageFailedError | null {
    return this.wal.broken;
  }

  /**
   * Persists one Ready: a received snapshot's file first, then hard state, the snapshot's
   * marker and entries in one WAL write and one fdatasync.
   */
  async save(b: PersistBatch): Promise<void> {
    const recs: WalRecord[] = [];
    if (b.hardState) recs.push({ kind: 'hardState', hardState: b.hardState });
    if (b.snapshot) {
      const s = b.snapshot;
      try {
        await this.writeSnapshot(s);
      } catch (e) {
        if (e instanceof StorageFullError) throw e;
        // The Ready cannot be persisted: stop acknowledging (as for a WAL failure).
        this.wal.broken ??= e instanceof StorageFailedError ? e : new StorageFailedError(join(this.dir, 'snapshot'), 'write', e);
        throw this.wal.broken;
      }
      recs.push({ kind: 'snapshot', index: s.meta.index, term: s.meta.term });
    }
    for (const e of b.entries) recs.push({ kind: 'entry', entry: e });
    await this.wal.append(recs);
    if (b.snapshot) await this.wal.truncatePrefix(b.snapshot.meta.index);
  }

  /**
   * Makes a locally taken snapshot durable, then deletes WAL segments it covers. The log is
   * unchanged by it (no marker): entries after it stay in the WAL. A failure leaves the
   * previous snapshot and the whole WAL in place, so the caller may log it and retry later.
   */
  async saveSnapshot(snap: Snapshot): Promise<void> {
    if (this.wal.broken) throw this.wal.broken;
    if (!(await this.writeSnapshot(snap))) return;
    await this.wal.truncatePrefix(snap.meta.index);
  }

  async close(): Promise<void> {
    await this.snapshotWrites.catch(() => {});
    await this.wal.close();
  }

  /** Writes the snapshot file unless a newer one is already there; false when skipped. */
  private writeSnapshot(snap: Snapshot): Promise<boolean> {
    const run = this.snapshotWrites.then(async () => {
      if (snap.meta.index <= this.snapshotIndex && this.snapshotIndex > 0) return false;
      try {
        await atomicWrite(this.fs, this.dir, 'snapshot', encodeSnapshot(snap));
      } catch (e) {
        await removeIfExists(this.fs, join(this.dir, 'snapshot.tmp')).catch(() => {});
        if (errorCode(e) === 'ENOSPC') throw new StorageFullError(join(this.dir, 'snapshot'));
        throw new StorageFailedError(join(this.dir, 'snapshot'), 'write', e);
      }
      this.snapshotIndex = snap.meta.index;
      return true;
    });
    this.snapshotWrites = run.then(
      () => {},
      () => {},
    );
    return run;
  }
}

/**
 * Rebuilds the log from WAL records in write order. Only records after the newest snapshot
 * marker count (an installed snapshot replaced everything before). Within them, an entry at
 * index i replaces any at >= i (the leader overwrote a conflicting suffix). The result
 * continues `snapshot` (the snapshot file): when the log holds the snapshot's index with
 * another term it is a log the snapshot replaced (an install that crashed before its marker
 * was written) and is dropped; a gap after the snapshot is a lost segment and refused.
 */
export function replay(records: WalRecord[], snapshot: Snapshot | null, where = 'wal'): Entry[] {
  let from = 0;
  let marker: { index: number; term: number } | null = null;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.kind === 'snapshot') {
      marker = r;
      from = i + 1;
    }
  }
  const s = snapshot?.meta ?? { index: 0, term: 0 };
  if (marker !== null && (snapshot === null || s.index < marker.index)) {
    throw new CorruptWalError(`${where}: a snapshot marker at index ${marker.index} but the snapshot file is ${snapshot ? `at ${s.index}` : 'missing'}`);
  }
  let log: Entry[] = [];
  for (let i = from; i < records.length; i++) {
    const r = records[i];
    if (r.kind !== 'entry') continue;
    const e = r.entry;
    if (marker !== null && e.index <= marker.index) continue;
    if (log.length === 0) {
      log.push(e);
      continue;
    }
    const first = log[0].index;
    const last = first + log.length - 1;
    // A gap or a jump back before the log: a snapshot installed by an older version (no marker).
    if (e.index > last + 1 || e.index < first) log = [e];
    else {
      log.length = e.index - first;
      log.push(e);
    }
  }
  if (log.length === 0) return [];
  const first = log[0].index;
  const last = first + log.length - 1;
  if (last <= s.index) return [];
  if (first > s.index + 1) throw new CorruptWalError(`${where}: entries ${s.index + 1}..${first - 1} are missing after the snapshot at ${s.index}`);
  if (first <= s.index) {
    const at = log[s.index - first];
    // Entries after a snapshot only count if they continue it (log matching on the snapshot entry).
    if (s.index > 0 && at.term !== s.term) return [];
    return log.slice(s.index - first + 1);
  }
  // first === s.index + 1: terms never decrease along a log, so an older term cannot continue it.
  return log[0].term >= s.term ? log : [];
}

/**
 * The snapshot file of a data directory as DiskStorage wrote it (`<dir>/snapshot`), for tools
 * that look into a stopped server's state; null when there is none. A failed checksum or
 * undecodable contents is CorruptWalError.
 */
export async function readSnapshotFile(path: string, fs: FileSystem = nodeFileSystem): Promise<Snapshot | null> {
  const bytes = await readSealed(fs, path);
  if (bytes === null) return null;
  let s: { meta?: SnapshotMeta; data?: Uint8Array };
  try {
    s = decode(bytes) as typeof s;
  } catch (e) {
    throw new CorruptWalError(`${path}: undecodable snapshot (${(e as Error).message})`);
  }
  if (typeof s?.meta?.index !== 'number' || typeof s.meta.term !== 'number' || !(s.data instanceof Uint8Array)) throw new CorruptWalError(`${path}: not a Raft snapshot`);
  return { meta: s.meta, data: new Uint8Array(s.data) };
}

/**
 * The msgpack encoding of `{ meta, data }` as pieces: the map up to `data`'s bin header, the
 * header (bin 32), then `data` itself, which is neither copied nor scanned.
 */
export function encodeSnapshot(snap: Snapshot): Uint8Array[] {
  const head = encode({ meta: snap.meta, data: new Uint8Array(0) });
  // An empty byte array ends the map as bin 8 of length 0 (c4 00).
  if (head[head.length - 2] !== 0xc4 || head[head.length - 1] !== 0) throw new Error('unexpected msgpack encoding of an empty bin');
  const bin = Buffer.alloc(5);
  bin[0] = 0xc6;
  bin.writeUInt32BE(snap.data.length, 1);
  return [head.subarray(0, head.length - 2), bin, snap.data];
}
