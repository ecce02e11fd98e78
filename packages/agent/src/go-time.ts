/**
 * A time as Go's time.Time MarshalJSON writes it in UTC (RFC 3339, the fraction's trailing zeros
 * dropped, `Z`): certificate validity, ACL replication status and legacy intention times.
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
