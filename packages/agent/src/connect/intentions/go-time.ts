/**
 * A time as Go's time.Time MarshalJSON writes it (RFC 3339 with the fraction's trailing zeros
 * dropped, UTC as `Z`): the legacy intention times are chosen by the leader in this form and
 * travel in the Raft command.
 */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.670Z
  const [whole, frac] = iso.slice(0, -1).split('.');
  const trimmed = (frac ?? '').replace(/0+$/, '');
  return `${whole}${trimmed ? `.${trimmed}` : ''}Z`;
}

export function goTimeNow(): string {
  return goTime(Date.now());
}
