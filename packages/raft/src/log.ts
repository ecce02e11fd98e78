// The in-memory Raft log of one node: a snapshot followed by entries. Tracks which
// entries are not yet durable (unstable), the commit index and the applied index.

import { encode } from './codec.js';
import type { ConfState, Entry, Snapshot } from './types.js';

const sizes = new WeakMap<Entry, number>();

/** Bytes of an entry's encoded command, the unit of every byte bound (memoized per entry). */
export function entryBytes(e: Entry): number {
  const d = e.data;
  if (d === null || d === undefined) return 0;
  // Commands that are bytes already (the agent's): msgpack's bin header plus the bytes, without
  // encoding them again on every node.
  if (d instanceof Uint8Array) return d.length + (d.length < 0x100 ? 2 : d.length < 0x10000 ? 3 : 5);
  let n = sizes.get(e);
  if (n === undefined) {
    n = encode(d).length;
    sizes.set(e, n);
  }
  return n;
}

/**
 * Memory an entry holds besides its command's bytes: its object and the buffer's header and
 * slack (about 270 bytes measured for the agent's KV commands), for bounds on memory.
 */
export const ENTRY_OVERHEAD_BYTES = 256;

/** Bytes of the entries kept behind a snapshot, whatever their number. */
export const TRAILING_MAX_BYTES = 16 * 1024 * 1024;

/** Bytes of a list of entries. */
export function entriesBytes(ents: Entry[]): number {
  let n = 0;
  for (const e of ents) n += entryBytes(e);
  return n;
}

export class RaftLog {
  snapshot: Snapshot;
  entries: Entry[];
  committed: number;
  applied: number;
  /** Entries with index > stableIndex still have to be written to storage. */
  stableIndex: number;
  /** A snapshot received from the leader that still has to be persisted and restored. */
  pendingSnapshot: Snapshot | null = null;
  /**
   * Trailing entries at or below the snapshot index, kept after compaction so that a follower
   * slightly behind still gets entries instead of a whole snapshot (Consul's TrailingLogs).
   * Contiguous, ending at snapshot.meta.index; in memory only.
   */
  retained: Entry[] = [];

  constructor(snapshot: Snapshot, entries: Entry[]) {
    this.snapshot = snapshot;
    this.entries = entries.filter((e) => e.index > snapshot.meta.index);
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].index !== snapshot.meta.index + 1 + i) throw new Error(`log gap at ${this.entries[i].index}`);
    }
    this.committed = snapshot.meta.index;
    this.applied = snapshot.meta.index;
    this.stableIndex = this.lastIndex();
  }

  /** The first index whose entry is still available (retained or after the snapshot). */
  firstIndex(): number {
    return this.retained.length > 0 ? this.retained[0].index : this.snapshot.meta.index + 1;
  }

  lastIndex(): number {
    return this.snapshot.meta.index + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** The term of the entry at index, or undefined if compacted away or beyond the end. */
  term(index: number): number | undefined {
    const s = this.snapshot.meta.index;
    if (index === s) return this.snapshot.meta.term;
    if (index < s) return this.retainedEntry(index)?.term;
    if (index > this.lastIndex()) return undefined;
    return this.entries[index - s - 1].term;
  }

  entry(index: number): Entry | undefined {
    const s = this.snapshot.meta.index;
    if (index <= s) return this.retainedEntry(index);
    if (index > this.lastIndex()) return undefined;
    return this.entries[index - s - 1];
  }

  private retainedEntry(index: number): Entry | undefined {
    if (this.retained.length === 0) return undefined;
    const i = index - this.retained[0].index;
    return i >= 0 && i < this.retained.length ? this.retained[i] : undefined;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Entries in [lo, hi), lo must not be compacted (retained entries count). */
  slice(lo: number, hi: number): Entry[] {
    const s = this.snapshot.meta.index;
    if (lo < this.firstIndex()) throw new Error(`slice(${lo}) below first index ${this.firstIndex()}`);
    if (lo <= s) {
      const r0 = this.retained[0].index;
      const head = this.retained.slice(lo - r0, Math.min(hi, s + 1) - r0);
      return hi > s + 1 ? head.concat(this.entries.slice(0, Math.min(hi, this.lastIndex() + 1) - s - 1)) : head;
    }
    return this.entries.slice(lo - s - 1, Math.min(hi, this.lastIndex() + 1) - s - 1);
  }

  /**
   * Entries from `lo` on, at most `maxCount` and at most `maxBytes` bytes, but always the first
   * one (a command larger than the limit must still replicate).
   */
  sliceBounded(lo: number, maxCount: number, maxBytes: number): Entry[] {
    const ents = this.slice(lo, lo + maxCount);
    let bytes = 0;
    for (let i = 0; i < ents.length; i++) {
      bytes += entryBytes(ents[i]);
      if (bytes > maxBytes && i > 0) return ents.slice(0, i);
    }
    return ents;
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

  /** Appends entries, replacing any existing suffix from the first one's index. */
  append(ents: Entry[]): void {
    if (ents.length === 0) return;
    const first = ents[0].index;
    if (first > this.lastIndex() + 1 || first <= this.snapshot.meta.index) throw new Error(`append at ${first} out of range`);
    this.entries.length = first - this.snapshot.meta.index - 1;
    for (const e of ents) this.entries.push(e);
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
    this.entries = [];
    this.retained = [];
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
    const cut = i - this.snapshot.meta.index;
    const behind = this.retained.concat(this.entries.slice(0, cut));
    let from = behind.length;
    for (let bytes = 0; from > 0 && behind.length - from < trailing; from--) {
      bytes += entryBytes(behind[from - 1]);
      if (bytes > TRAILING_MAX_BYTES) break;
    }
    this.retained = behind.slice(from);
    this.entries = this.entries.slice(cut);
    this.snapshot = snap;
  }
}

export function confCopy(c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}
