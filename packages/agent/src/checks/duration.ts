/**
 * Go's time.ParseDuration, in milliseconds: "300ms", "1.5h", "2h45m", "-1m", "0".
 * A JSON number is read as nanoseconds, as Consul's decoder does.
 * Throws Error(`time: invalid duration "<s>"`) like Go.
 */
export function parseGoDuration(value: string | number): number {
  throw new Error(`not implemented ${String(value)}`);
}

/** Go's Duration.String() of a millisecond count: 10000 -> "10s", 90000 -> "1m30s", 500 -> "500ms". */
export function formatGoDuration(ms: number): string {
  throw new Error(`not implemented ${ms}`);
}
