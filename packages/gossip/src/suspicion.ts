// Lifeguard suspicion timer (memberlist suspicion.go). A suspicion starts at the maximum timeout
// and shrinks toward the minimum as independent members confirm it:
//   timeout(c) = max(min, max - (max - min) * log(c + 1) / log(k + 1))
// where c is the number of distinct confirmations and k the number expected. Pure: it returns a
// deadline and the caller's clock decides when it has passed.

export class Suspicion {
  private readonly confirmations = new Set<string>();

  /**
   * @param from the member whose suspicion started this (its later messages are not confirmations)
   * @param k confirmations expected (0: use the minimum timeout directly)
   */
  constructor(
    from: string,
    private readonly k: number,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly startMs: number,
  ) {
    this.confirmations.add(from);
  }

  /** Counts a confirmation from a new member; true if it was new (then it is worth re-gossiping). */
  confirm(from: string): boolean {
    if (this.confirmations.size - 1 >= this.k) return false;
    if (this.confirmations.has(from)) return false;
    this.confirmations.add(from);
    return true;
  }

  get confirmationCount(): number {
    return this.confirmations.size - 1;
  }

  timeoutMs(): number {
    return remainingSuspicionTimeout(this.confirmationCount, this.k, this.minMs, this.maxMs);
  }

  deadlineMs(): number {
    return this.startMs + this.timeoutMs();
  }
}

export function remainingSuspicionTimeout(c: number, k: number, minMs: number, maxMs: number): number {
  if (k < 1) return minMs;
  const frac = Math.log(c + 1) / Math.log(k + 1);
  const t = Math.floor(maxMs - frac * (maxMs - minMs));
  return Math.max(minMs, t);
}
