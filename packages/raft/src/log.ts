// The in-memory Raft log of one node: a snapshot followed by entries. Tracks which
// entries are not yet durable (unstable), the commit index and the applied index.

import { EntryColumns } from './log-columns.js';
import type { ConfState, Entry, Snapshot } from './types.js';

/** Bytes of the entries kept behind a snapshot, whatever their number. */
export const TRAILING_MAX_BYTES = 16 * 1024 * 1024;

export class RaftLog {
  snapshot: Snapshot;
  committed: number;
  applied: number;
  /** Entries with index > stableIndex still have to be handed to storage (written, or being written). */
  stableIndex: number;
  /** A snapshot received from the leader that still has to be persisted and restored. */
  pendingSnapshot: Snapshot | null = null;
  /**
   * The entries after the snapshot, preceded by trailing entries at or below its index that
   * are kept after compaction so that a follower slightly behind still gets entries instead of
   * a whole snapshot (Consul's TrailingLogs; in memory only). Contiguous; when not empty it
   * reaches at least the snapshot's index.
   */
  private cols: EntryColumns;

  constructor(snapshot: Snapshot, entries: Entry[]) {
    this.snapshot = snapshot;
    this.cols = new EntryColumns(snapshot.meta.index + 1);
    for (const e of entries) {
      if (e.index <= snapshot.meta.index) continue;
      if (e.index !== this.cols.lastIndex() + 1) throw new Error(`log gap at ${e.index}`);
      this.cols.push(e);
    }
    this.committed = snapshot.meta.index;
    this.applied = snapshot.meta.index;
    this.stableIndex = this.lastIndex();
  }

  /** The first index whose entry is still available (retained or after the snapshot). */
  firstIndex(): number {
    return Math.min(this.cols.firstIndex(), this.snapshot.meta.index + 1);
  }

  lastIndex(): number {
    return Math.max(this.cols.lastIndex(), this.snapshot.meta.index);
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** The term of the entry at index, or undefined if compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapshot.meta.index) return this.snapshot.meta.term;
    return this.cols.has(index) ? this.cols.term(index) : undefined;
  }

  /** The entry at index (a new object on every call), or undefined if compacted away or beyond the end. */
  entry(index: number): Entry | undefined {
    return this.cols.has(index) ? this.cols.entry(index) : undefined;
  }

  /** The type of the entry at index, without materializing it. */
  entryType(index: number): Entry['type'] | undefined {
    return this.cols.has(index) ? this.cols.type(index) : undefined;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Entries in [lo, hi), lo must not be compacted (retained entries count). */
  slice(lo: number, hi: number): Entry[] {
    if (lo < this.firstIndex()) throw new Error(`slice(${lo}) below first index ${this.firstIndex()}`);
    const end = Math.min(hi, this.lastIndex() + 1);
    const out: Entry[] = [];
    for (let i = lo; i < end; i++) out.push(this.cols.entry(i));
    return out;
  }

  /**
   * Entries from `lo` on, at most `maxCount` and at most `maxBytes` bytes, but always the first
   * one (a command larger than the limit must still replicate).
   */
  sliceBounded(lo: number, maxCount: number, maxBytes: number): Entry[] {
    const hi = Math.min(lo + maxCount, this.lastIndex() + 1);
    let end = lo;
    for (let bytes = 0; end < hi; end++) {
      bytes += this.entryBytes(end);
      if (bytes > maxBytes && end > lo) break;
    }
    return this.slice(lo, end);
  }

  /** `entryBytes` of the kept entry at index, without materializing it. */
  entryBytes(index: number): number {
    return this.cols.size(index);
  }

  /** `entryBytes` of the kept entries in [lo, hi). */
  bytes(lo: number, hi: number): number {
    let n = 0;
    for (let i = lo; i < hi; i++) n += this.cols.size(i);
    return n;
  }

  /** Raft paper 5.4.1: is a candidate's log at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const t = this.lastTerm();
    return lastTerm > t || (lastTerm === t && lastIndex >= this.lastIndex());
  }

  /** AppendEntries receiver rules; returns the last new index, or null when prev does not match. */
  maybeAppend(prevIndex: number, prevTerm: number, committed: number, ents: Entry[]): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + ents.length;
    for (const e of ents) {
      if (e.index <= this.snapshot.meta.index) continue;
      const t = this.term(e.index);
      if (t === e.term) continue;
      if (e.index <= this.committed) throw new Error(`conflict with committed entry ${e.index}`);
      this.append(ents.slice(ents.indexOf(e)));
      break;
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Appends entries (their bytes are copied), replacing any existing suffix from the first one's index. */
  append(ents: Entry[]): void {
    if (ents.length === 0) return;
    const first = ents[0].index;
    if (first > this.lastIndex() + 1 || first <= this.snapshot.meta.index) throw new Error(`append at ${first} out of range`);
    this.cols.truncateFrom(first);
    for (const e of ents) this.cols.push(e);
    this.stableIndex = Math.min(this.stableIndex, first - 1);
  }

  commitTo(index: number): void {
    if (index > this.committed) {
      if (index > this.lastIndex()) throw new Error(`commit ${index} beyond last ${this.lastIndex()}`);
      this.committed = index;
    }
  }

  unstableEntries(): Entry[] {
    return this.stableIndex >= this.lastIndex() ? [] : this.slice(this.stableIndex + 1, this.lastIndex() + 1);
  }

  /** Committed entries not yet applied (none while a received snapshot is pending). */
  nextCommitted(maxCount: number): Entry[] {
    if (this.pendingSnapshot !== null || this.applied >= this.committed) return [];
    return this.slice(this.applied + 1, Math.min(this.committed, this.applied + maxCount) + 1);
  }

  stableTo(index: number, term: number): void {
    if (this.term(index) === term && index > this.stableIndex) this.stableIndex = index;
  }

  appliedTo(index: number): void {
    if (index > this.committed) throw new Error(`applied ${index} beyond commit ${this.committed}`);
    if (index > this.applied) this.applied = index;
  }

  /** Installs a leader's snapshot that does not match our log: everything is replaced. */
  restore(snap: Snapshot): void {
    this.snapshot = snap;
    this.cols = new EntryColumns(snap.meta.index + 1);
    this.committed = snap.meta.index;
    this.stableIndex = snap.meta.index;
    this.pendingSnapshot = snap;
  }

  /**
   * Moves entries up to the snapshot's index (which must be applied) behind it, keeping the
   * last `trailing` of them, at most TRAILING_MAX_BYTES.
   */
  compact(snap: Snapshot, trailing = 0): void {
    const i = snap.meta.index;
    if (i > this.applied) throw new Error(`compact ${i} beyond applied ${this.applied}`);
    if (i <= this.snapshot.meta.index) return;
    let from = i + 1;
    for (let bytes = 0; from > this.cols.firstIndex() && i + 1 - from < trailing; from--) {
      bytes += this.cols.size(from - 1);
      if (bytes > TRAILING_MAX_BYTES) break;
    }
    this.cols.dropBefore(from);
    this.snapshot = snap;
  }
}

export function confCopy(c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}
