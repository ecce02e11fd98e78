/**
 * Tombstone garbage collection, kept by the leader (as Consul's TombstoneGC). Tombstones of
 * deleted KV keys hold prefix indexes up for blocking queries; after `ttlMs` they have done
 * their job and the leader proposes `{Type: 'TombstoneReap', Index}` for the index this
 * returns. Pure: time comes in as `nowMs`. Deadlines are bucketed by `granularityMs` so a
 * burst of deletes costs one reap.
 */

/** Consul's defaults: tombstones live 15 minutes, bucketed by 30 seconds. */
export const TOMBSTONE_TTL_MS = 15 * 60_000;
export const TOMBSTONE_GRANULARITY_MS = 30_000;

export class TombstoneGC {
  /** Bucket deadline (ms) -> highest tombstone index created in it. */
  private readonly buckets = new Map<number, number>();

  constructor(
    private readonly ttlMs = TOMBSTONE_TTL_MS,
    private readonly granularityMs = TOMBSTONE_GRANULARITY_MS,
  ) {}

  /**
   * Records that tombstones up to `index` exist at `nowMs` (call after an apply that moved
   * `catalog.tableIndex('tombstones')`).
   */
  hint(index: number, nowMs: number): void {
    const deadline = Math.ceil((nowMs + this.ttlMs) / this.granularityMs) * this.granularityMs;
    this.buckets.set(deadline, Math.max(this.buckets.get(deadline) ?? 0, index));
  }

  /** The index up to which tombstones may be reaped at `nowMs` (0 = nothing yet); forgets those buckets. */
  expired(nowMs: number): number {
    let max = 0;
    for (const [deadline, index] of [...this.buckets]) {
      if (deadline <= nowMs) {
        max = Math.max(max, index);
        this.buckets.delete(deadline);
      }
    }
    return max;
  }

  /** Forgets everything (on losing leadership; a new leader starts over). */
  reset(): void {
    this.buckets.clear();
  }

  get pending(): number {
    return this.buckets.size;
  }
}
