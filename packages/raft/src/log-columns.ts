// The entries of the in-memory log, kept as columns: index order, terms, types and sizes in
// typed arrays, commands that are bytes copied into large shared chunks. A kept entry is then
// no heap object of its own: an object and a byte view per entry were a third of what a
// follower kept per write, and every young-generation collection copied them once more.
// Entries are materialized (a new object, its bytes a view of a chunk) when read.

import { entryBytes } from './entry-size.js';
import type { Entry, EntryType } from './types.js';

/** Bytes of one chunk; a command of more than a quarter of it is kept as it came. */
export const CHUNK_BYTES = 256 * 1024;

const TYPES: EntryType[] = ['normal', 'conf', 'noop'];
const TYPE_CODE: Record<EntryType, number> = { normal: 0, conf: 1, noop: 2 };
/** A `lengths` value: the entry's data is in `others` (not bytes, or bytes kept as they came). */
const OTHER = -1;

export class EntryColumns {
  /** Index of the entry in slot `head`. */
  private first: number;
  private head = 0;
  private count = 0;
  private terms: Float64Array;
  private types: Uint8Array;
  private sizes: Float64Array;
  /** Where an entry's bytes start, counted over all chunks ever allocated (never reused). */
  private positions: Float64Array;
  private lengths: Int32Array;
  /** Data that is not in a chunk, by index (ascending insertion order). */
  private others = new Map<number, unknown>();
  /** chunks[k] holds positions [(chunk0 + k) * CHUNK_BYTES, ...). */
  private chunks: Uint8Array[] = [];
  private chunk0 = 0;
  /** Position of the next byte written. Never moves back: a view handed out stays valid. */
  private fill = 0;

  constructor(first: number, capacity = 1024) {
    this.first = first;
    this.terms = new Float64Array(capacity);
    this.types = new Uint8Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.positions = new Float64Array(capacity);
    this.lengths = new Int32Array(capacity);
  }

  /** Index of the first entry kept (one past the end when there are none). */
  firstIndex(): number {
    return this.first;
  }

  /** Index of the last entry kept (firstIndex() - 1 when there are none). */
  lastIndex(): number {
    return this.first + this.count - 1;
  }

  /** Chunks held: their bytes are the log's memory besides the columns. */
  chunkCount(): number {
    return this.chunks.length;
  }

  has(index: number): boolean {
    return index >= this.first && index < this.first + this.count;
  }

  term(index: number): number {
    return this.terms[this.slot(index)];
  }

  type(index: number): EntryType {
    return TYPES[this.types[this.slot(index)]];
  }

  /** `entryBytes` of the entry, computed once when it was appended. */
  size(index: number): number {
    return this.sizes[this.slot(index)];
  }

  /** A new Entry object for the entry at index; bytes are a view of the chunk they are in. */
  entry(index: number): Entry {
    const s = this.slot(index);
    const len = this.lengths[s];
    let data: unknown;
    if (len === OTHER) data = this.others.get(index);
    else {
      const pos = this.positions[s];
      const k = Math.floor(pos / CHUNK_BYTES);
      const at = pos - k * CHUNK_BYTES;
      data = this.chunks[k - this.chunk0].subarray(at, at + len);
    }
    return { index, term: this.terms[s], type: TYPES[this.types[s]], data };
  }

  /** Appends `e`, which must have index lastIndex() + 1; its bytes are copied. */
  push(e: Entry): void {
    if (e.index !== this.first + this.count) throw new Error(`log columns: push ${e.index} after ${this.lastIndex()}`);
    if (this.head + this.count === this.terms.length) this.makeRoom();
    const s = this.head + this.count;
    this.terms[s] = e.term;
    this.types[s] = TYPE_CODE[e.type];
    this.sizes[s] = entryBytes(e);
    const d = e.data;
    if (d instanceof Uint8Array && d.length <= CHUNK_BYTES / 4) {
      if ((this.fill % CHUNK_BYTES) + d.length > CHUNK_BYTES) this.fill = Math.ceil(this.fill / CHUNK_BYTES) * CHUNK_BYTES;
      const k = Math.floor(this.fill / CHUNK_BYTES);
      while (this.chunk0 + this.chunks.length <= k) this.chunks.push(new Uint8Array(CHUNK_BYTES));
      this.chunks[k - this.chunk0].set(d, this.fill - k * CHUNK_BYTES);
      this.positions[s] = this.fill;
      this.lengths[s] = d.length;
      this.fill += d.length;
    } else {
      this.positions[s] = this.fill;
      this.lengths[s] = OTHER;
      this.others.set(e.index, d);
    }
    this.count++;
  }

  /** Drops the entries at index and after. */
  truncateFrom(index: number): void {
    if (index >= this.first + this.count) return;
    if (index < this.first) index = this.first;
    this.count = index - this.first;
    for (const i of this.others.keys()) if (i >= index) this.others.delete(i);
  }

  /** Drops the entries before index (at most all of them) and the chunks only they used. */
  dropBefore(index: number): void {
    const n = Math.min(index - this.first, this.count);
    if (n <= 0) return;
    this.head += n;
    this.count -= n;
    this.first += n;
    for (const i of this.others.keys()) {
      if (i >= this.first) break;
      this.others.delete(i);
    }
    const lowest = Math.floor((this.count > 0 ? this.positions[this.head] : this.fill) / CHUNK_BYTES);
    while (this.chunk0 < lowest && this.chunks.length > 0) {
      this.chunks.shift();
      this.chunk0++;
    }
  }

  private slot(index: number): number {
    if (!this.has(index)) throw new Error(`log columns: no entry ${index} in ${this.first}..${this.lastIndex()}`);
    return this.head + index - this.first;
  }

  /** Moves the kept slots to the front, or doubles the columns when they are half full. */
  private makeRoom(): void {
    const cap = this.terms.length;
    const size = this.count < cap / 2 ? cap : cap * 2;
    const move = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = size === cap ? a : make(size);
      if (b === a) a.copyWithin(0, this.head, this.head + this.count);
      else b.set(a.subarray(this.head, this.head + this.count));
      return b;
    };
    this.terms = move(this.terms, (n) => new Float64Array(n));
    this.types = move(this.types, (n) => new Uint8Array(n));
    this.sizes = move(this.sizes, (n) => new Float64Array(n));
    this.positions = move(this.positions, (n) => new Float64Array(n));
    this.lengths = move(this.lengths, (n) => new Int32Array(n));
    this.head = 0;
  }
}
