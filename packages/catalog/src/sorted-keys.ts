/**
 * A sorted set of strings (code-unit order, like Go's byte order for ASCII keys) with prefix
 * ranges: the ordered index behind KV `recurse`, `keys` and tombstones.
 *
 * Kept as a list of sorted blocks of at most BLOCK_MAX keys (a B-tree of height two): an insert
 * or delete moves at most BLOCK_MAX entries. One sorted array moved half the table on each new
 * key: 33-100 µs per insert at 100,000-200,000 keys, which put every write's cost in proportion
 * to the size of the KV store (Consul's radix tree costs the length of the key).
 *
 * `frozen()` hands out the keys of one moment without copying them (a snapshot of 200,000
 * keys flattened into one array held the event loop for 20 ms): the blocks it shares are never
 * changed in place again, a block is copied before its next change instead.
 */
const BLOCK_MAX = 1024;

/** The keys of one moment, in order. */
export interface FrozenKeys extends Iterable<string> {
  readonly size: number;
}

export class SortedKeys {
  /** Non-empty sorted blocks; every key of a block sorts before every key of the next. */
  private blocks: string[][] = [];
  private count = 0;
  /** Blocks shared with a `frozen()` copy: copied before they change. */
  private readonly shared = new WeakSet<string[]>();

  /** `blockMax`: tests use small blocks to split and empty them often. */
  constructor(private readonly blockMax = BLOCK_MAX) {}

  get size(): number {
    return this.count;
  }

  /** The first block whose last key is >= `key` (blocks.length when none). */
  private blockOf(key: string): number {
    const blocks = this.blocks;
    return firstNotBefore(blocks.length, (i) => blocks[i]!.at(-1)! < key);
  }

  has(key: string): boolean {
    const b = this.blocks[this.blockOf(key)];
    return b !== undefined && b[lowerBound(b, key)] === key;
  }

  add(key: string): void {
    if (this.blocks.length === 0) {
      this.blocks.push([key]);
      this.count = 1;
      return;
    }
    // A key after every other one goes to the end of the last block.
    const bi = Math.min(this.blockOf(key), this.blocks.length - 1);
    const current = this.blocks[bi]!;
    const i = lowerBound(current, key);
    if (current[i] === key) return;
    const b = this.writable(bi);
    b.splice(i, 0, key);
    this.count++;
    if (b.length > this.blockMax) this.blocks.splice(bi + 1, 0, b.splice(b.length >> 1));
  }

  delete(key: string): void {
    const bi = this.blockOf(key);
    const current = this.blocks[bi];
    if (current === undefined) return;
    const i = lowerBound(current, key);
    if (current[i] !== key) return;
    const b = this.writable(bi);
    b.splice(i, 1);
    this.count--;
    if (b.length === 0) this.blocks.splice(bi, 1);
  }

  /** Keys starting with `prefix`, in order ("" = all). */
  *withPrefix(prefix: string): IterableIterator<string> {
    for (let bi = this.blockOf(prefix); bi < this.blocks.length; bi++) {
      const b = this.blocks[bi]!;
      for (let i = lowerBound(b, prefix); i < b.length; i++) {
        const k = b[i]!;
        if (!k.startsWith(prefix)) return;
        yield k;
      }
    }
  }

  /** The keys now, unaffected by later changes: O(number of blocks). */
  frozen(): FrozenKeys {
    const blocks = this.blocks.slice();
    for (const b of blocks) this.shared.add(b);
    return {
      size: this.count,
      *[Symbol.iterator]() {
        for (const b of blocks) yield* b;
      },
    };
  }

  /** Every key, in order, in a new array. */
  all(): string[] {
    return this.blocks.flat();
  }

  /** Block `bi`, ready to change: a copy takes its place when a frozen copy shares it. */
  private writable(bi: number): string[] {
    const b = this.blocks[bi]!;
    if (!this.shared.has(b)) return b;
    const copy = b.slice();
    this.blocks[bi] = copy;
    return copy;
  }

  clear(): void {
    this.blocks = [];
    this.count = 0;
  }
}

/** First position in sorted `keys` whose key is >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  return firstNotBefore(keys.length, (i) => keys[i]! < key);
}

/** Binary search: the first i in [0, n) for which `before(i)` is false (n when none); `before` is true then false. */
function firstNotBefore(n: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
