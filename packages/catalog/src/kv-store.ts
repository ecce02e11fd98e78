/**
 * The KV table: entries in key order plus tombstones (the index at which a key was
 * deleted), so that a prefix's index never goes backwards when keys under it are deleted.
 * A journal (`begin`/`commit`/`rollback`) makes a transaction all-or-nothing.
 * `view()` keeps the entries of one moment readable while later writes go on (copy-on-write:
 * a write saves the entry it replaces for each open view), so a snapshot can be written out
 * in slices without copying the table first.
 */
import { SortedKeys, type FrozenKeys } from './sorted-keys.js';
import { SetIndex } from './set-index.js';
import type { KVFlags } from './types.js';

/** A stored KV entry; `Session` is "" when no lock is held. */
export interface KVRecord {
  Key: string;
  Flags: KVFlags;
  Value: string | null;
  LockIndex: number;
  Session: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** The entries at the moment `KVStore.view()` was called, until `close()`. */
export interface KVView {
  /** Keys in order. */
  readonly keys: FrozenKeys;
  get(key: string): KVRecord;
  /** Stops saving replaced entries for this view. */
  close(): void;
}

interface JournalEntry {
  entry: KVRecord | undefined;
  tombstone: number | undefined;
}

export class KVStore {
  private entries = new Map<string, KVRecord>();
  /** Per open view: key -> the entry it held when the view opened (saved before its first change). */
  private readonly views = new Set<Map<string, KVRecord | undefined>>();
  private readonly order = new SortedKeys();
  /** Session ID -> the keys whose lock it holds (Consul's session index on kvs). */
  private readonly bySession = new SetIndex();
  private readonly tombstones = new Map<string, number>();
  private readonly tombstoneOrder = new SortedKeys();
  /** Max index of any write to the kvs table / tombstones table. */
  kvsIndex = 0;
  tombstonesIndex = 0;
  /** Keys changed since the last `drainChanged` (for watch notification). */
  private changed = new Set<string>();
  private journal: Map<string, JournalEntry> | undefined;
  private journalIndexes: [number, number] | undefined;
  /** Keys changed before the transaction began (in the same apply, e.g. a Batch). */
  private journalChanged: Set<string> | undefined;

  get(key: string): KVRecord | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries under `prefix`, in key order. */
  *list(prefix: string): IterableIterator<KVRecord> {
    for (const k of this.order.withPrefix(prefix)) yield this.entries.get(k)!;
  }

  /** All entries, in key order. */
  all(): IterableIterator<KVRecord> {
    return this.list('');
  }

  /** The entries whose lock `session` holds, in key order. */
  heldBy(session: string): KVRecord[] {
    return this.bySession.get(session).sort().map((k) => this.entries.get(k)!);
  }

  /** Max of ModifyIndex under `prefix` and tombstones under it (0 when none). */
  prefixIndex(prefix: string): number {
    let max = 0;
    for (const e of this.list(prefix)) if (e.ModifyIndex > max) max = e.ModifyIndex;
    for (const k of this.tombstoneOrder.withPrefix(prefix)) {
      const t = this.tombstones.get(k)!;
      if (t > max) max = t;
    }
    return max;
  }

  /** Writes an entry at `index` (the caller computed every field). */
  put(entry: KVRecord, index: number): void {
    this.remember(entry.Key);
    this.setEntry(entry.Key, entry);
    if (this.tombstones.has(entry.Key)) {
      this.tombstones.delete(entry.Key);
      this.tombstoneOrder.delete(entry.Key);
    }
    this.kvsIndex = Math.max(this.kvsIndex, index);
    this.changed.add(entry.Key);
  }

  /** Deletes a key at `index`, leaving a tombstone. Returns whether it existed. */
  delete(key: string, index: number): boolean {
    if (!this.entries.has(key)) return false;
    this.remember(key);
    this.deleteEntry(key);
    this.tombstones.set(key, index);
    this.tombstoneOrder.add(key);
    this.kvsIndex = Math.max(this.kvsIndex, index);
    this.tombstonesIndex = Math.max(this.tombstonesIndex, index);
    this.changed.add(key);
    return true;
  }

  /** Deletes every key under `prefix`; returns how many. */
  deleteTree(prefix: string, index: number): number {
    const keys = [...this.order.withPrefix(prefix)];
    for (const k of keys) this.delete(k, index);
    return keys.length;
  }

  /** Drops tombstones with index <= `upTo` (they no longer hold any index up). */
  reapTombstones(upTo: number, index: number): number {
    let n = 0;
    for (const [k, t] of [...this.tombstones]) {
      if (t <= upTo) {
        this.tombstones.delete(k);
        this.tombstoneOrder.delete(k);
        n++;
      }
    }
    if (n > 0) this.tombstonesIndex = Math.max(this.tombstonesIndex, index);
    return n;
  }

  tombstoneList(): Array<[string, number]> {
    return this.tombstoneOrder.all().map((k) => [k, this.tombstones.get(k)!]);
  }

  /** Starts a transaction: changes until `commit` can be undone by `rollback`. */
  begin(): void {
    this.journal = new Map();
    this.journalIndexes = [this.kvsIndex, this.tombstonesIndex];
    this.journalChanged = new Set(this.changed);
  }

  commit(): void {
    this.journal = undefined;
    this.journalIndexes = undefined;
    this.journalChanged = undefined;
  }

  rollback(): void {
    const journal = this.journal;
    if (!journal) return;
    this.journal = undefined;
    for (const [key, prev] of journal) {
      if (prev.entry) this.setEntry(key, prev.entry);
      else this.deleteEntry(key);
      if (prev.tombstone !== undefined) {
        if (!this.tombstones.has(key)) this.tombstoneOrder.add(key);
        this.tombstones.set(key, prev.tombstone);
      } else if (this.tombstones.has(key)) {
        this.tombstones.delete(key);
        this.tombstoneOrder.delete(key);
      }
    }
    [this.kvsIndex, this.tombstonesIndex] = this.journalIndexes!;
    this.changed = this.journalChanged!;
    this.journalIndexes = undefined;
    this.journalChanged = undefined;
  }

  /** Keys changed since the last call. */
  drainChanged(): string[] {
    const out = [...this.changed];
    this.changed = new Set();
    return out;
  }

  /** Replaces the whole table (snapshot restore). */
  load(entries: KVRecord[], tombstones: Array<[string, number]>, kvsIndex: number, tombstonesIndex: number): void {
    // A new map: open views keep reading the old one, which nothing changes any more.
    this.entries = new Map();
    this.views.clear();
    this.order.clear();
    this.bySession.clear();
    this.tombstones.clear();
    this.tombstoneOrder.clear();
    for (const e of entries) {
      this.entries.set(e.Key, { ...e });
      this.order.add(e.Key);
      this.indexSession(e.Key, '', e.Session);
    }
    for (const [k, t] of tombstones) {
      this.tombstones.set(k, t);
      this.tombstoneOrder.add(k);
    }
    this.kvsIndex = kvsIndex;
    this.tombstonesIndex = tombstonesIndex;
    this.changed = new Set();
  }

  view(): KVView {
    const entries = this.entries;
    const saved = new Map<string, KVRecord | undefined>();
    this.views.add(saved);
    return {
      keys: this.order.frozen(),
      get: (key) => (saved.has(key) ? saved.get(key)! : entries.get(key)!),
      close: () => void this.views.delete(saved),
    };
  }

  private setEntry(key: string, entry: KVRecord): void {
    this.saveForViews(key);
    const old = this.entries.get(key);
    if (!old) this.order.add(key);
    this.entries.set(key, entry);
    this.indexSession(key, old?.Session ?? '', entry.Session);
  }

  private deleteEntry(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.saveForViews(key);
    this.entries.delete(key);
    this.order.delete(key);
    this.indexSession(key, old.Session, '');
  }

  private indexSession(key: string, from: string, to: string): void {
    if (from === to) return;
    if (from !== '') this.bySession.delete(from, key);
    if (to !== '') this.bySession.add(to, key);
  }

  private saveForViews(key: string): void {
    for (const saved of this.views) if (!saved.has(key)) saved.set(key, this.entries.get(key));
  }

  private remember(key: string): void {
    if (this.journal && !this.journal.has(key)) {
      this.journal.set(key, { entry: this.entries.get(key), tombstone: this.tombstones.get(key) });
    }
  }
}
