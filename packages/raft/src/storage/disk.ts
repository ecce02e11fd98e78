// Durable storage of one Raft node in a data directory:
//   <dir>/hardstate   term and vote (temp file + rename + directory fsync)
//   <dir>/snapshot    the newest snapshot: metadata and state machine bytes (same)
//   <dir>/wal/        the segmented write-ahead log of entries
// The caller persists each Ready with save() before sending its messages.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decode, encode } from '../codec.js';
import { emptySnapshot, type RaftInitialState } from '../raft.js';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../types.js';
import { atomicWrite, readSealed, removeIfExists } from './files.js';
import { Wal, type WalOptions } from './wal.js';

export interface PersistBatch {
  hardState: HardState | null;
  snapshot: Snapshot | null;
  entries: Entry[];
}

export class DiskStorage {
  private constructor(
    private readonly dir: string,
    readonly wal: Wal,
    private state: RaftInitialState | null,
  ) {}

  /** Opens the data directory, recovering the WAL (truncating a torn tail). */
  static async open(dir: string, opts: WalOptions = {}): Promise<DiskStorage> {
    await mkdir(dir, { recursive: true });
    await removeIfExists(join(dir, 'hardstate.tmp'));
    await removeIfExists(join(dir, 'snapshot.tmp'));
    const hsBytes = await readSealed(join(dir, 'hardstate'));
    const snapBytes = await readSealed(join(dir, 'snapshot'));
    const { wal, entries } = await Wal.open(join(dir, 'wal'), opts);
    if (hsBytes === null && snapBytes === null && entries.length === 0) return new DiskStorage(dir, wal, null);
    let snapshot = emptySnapshot({ voters: [], learners: [] });
    if (snapBytes) {
      const s = decode(snapBytes) as { meta: SnapshotMeta; data: Uint8Array };
      snapshot = { meta: s.meta, data: new Uint8Array(s.data) };
    }
    const log = replay(entries, snapshot);
    // Without a hard state file (a crash while bootstrapping) start no lower than the log's term.
    const lastTerm = log.length > 0 ? log[log.length - 1].term : snapshot.meta.term;
    const hardState = hsBytes ? (decode(hsBytes) as HardState) : { term: lastTerm, vote: null };
    return new DiskStorage(dir, wal, { hardState, snapshot, entries: log });
  }

  /** The recovered state, or null for a fresh directory (the caller bootstraps or joins). */
  initialState(): RaftInitialState | null {
    return this.state;
  }

  /** Persists one Ready: hard state, then a received snapshot, then entries (one fsync). */
  async save(b: PersistBatch): Promise<void> {
    if (b.hardState) await atomicWrite(this.dir, 'hardstate', encode(b.hardState));
    if (b.snapshot) await this.saveSnapshot(b.snapshot);
    await this.wal.append(b.entries);
  }

  /**
   * Makes a snapshot durable, then deletes WAL segments it covers. Entries after it stay in
   * the WAL; on recovery, entries that do not continue the snapshot are dropped.
   */
  async saveSnapshot(snap: Snapshot): Promise<void> {
    await atomicWrite(this.dir, 'snapshot', encode({ meta: snap.meta, data: snap.data }));
    await this.wal.truncatePrefix(snap.meta.index);
  }

  async close(): Promise<void> {
    await this.wal.close();
  }
}

/**
 * Rebuilds the log from WAL records in write order: a record at index i replaces any
 * record at >= i (the leader overwrote a conflicting suffix); a gap means a snapshot was
 * installed in between and everything before is superseded.
 */
export function replay(records: Entry[], snapshot: Snapshot): Entry[] {
  let log: Entry[] = [];
  for (const e of records) {
    if (log.length === 0) {
      log.push(e);
      continue;
    }
    const first = log[0].index;
    const last = first + log.length - 1;
    if (e.index > last + 1) log = [e];
    else if (e.index < first) log = [e];
    else {
      log.length = e.index - first;
      log.push(e);
    }
  }
  const s = snapshot.meta;
  if (log.length === 0) return [];
  const first = log[0].index;
  const last = first + log.length - 1;
  if (s.index === 0) return first === 1 ? log : [];
  if (last <= s.index) return [];
  if (first > s.index + 1) return []; // a gap after the snapshot: nothing usable follows
  if (first <= s.index) {
    const at = log[s.index - first];
    // Entries after a snapshot only count if they continue it (log matching on the snapshot entry).
    if (at.term !== s.term) return [];
    return log.slice(s.index - first + 1);
  }
  // first === s.index + 1: only entries of the snapshot's term or later can continue it
  // (older ones are a divergent suffix left behind by a snapshot install).
  return log[0].term >= s.term ? log : [];
}
