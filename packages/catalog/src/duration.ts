/** Go's time.ParseDuration and Duration.String, with milliseconds as the unit on our side. */

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const MAX_DURATION_NS = 9223372036854775807; // Go's int64 nanoseconds

function invalid(s: string): Error {
  return new Error(`time: invalid duration ${JSON.stringify(s)}`);
}

/**
 * Go's time.ParseDuration, in milliseconds: "300ms", "1.5h", "2h45m", "-1m", "0".
 * A JSON number is read as nanoseconds, as Consul's decoder does.
 * Throws Error(`time: invalid duration "<s>"`) and Go's other messages.
 */
export function parseGoDuration(value: string | number): number {
  if (typeof value === 'number') {
    // Past int64 nanoseconds Go's time.Duration(float64) is undefined behaviour; refuse it.
    if (!Number.isFinite(value) || Math.abs(value) > MAX_DURATION_NS) throw invalid(String(value));
    return value / 1e6;
  }
  const orig = value;
  let s = value;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid(orig);
  let totalNs = 0;
  while (s !== '') {
    const number = /^([0-9]*)(\.([0-9]*))?/.exec(s);
    const whole = number?.[1] ?? '';
    const frac = number?.[3] ?? '';
    if (whole === '' && frac === '') throw invalid(orig);
    s = s.slice(number?.[0].length ?? 0);
    const unit = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const scale = UNIT_NS[unit];
    if (scale === undefined) {
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(orig)}`);
    }
    s = s.slice(unit.length);
    totalNs += Number(`${whole === '' ? '0' : whole}.${frac === '' ? '0' : frac}`) * scale;
    if (totalNs > MAX_DURATION_NS) throw invalid(orig);
  }
  const ms = Math.round(totalNs) / 1e6;
  return negative ? -ms : ms;
}

/** parseGoDuration for query strings and bodies: milliseconds, or undefined when `text` is not a duration. */
export function parseGoDurationMs(text: string): number | undefined {
  try {
    return parseGoDuration(text);
  } catch {
    return undefined;
  }
}

/** Formats a fraction `v / 10^digits` without trailing zeros: (1500, 3) -> "1.5". */
function fixed(v: number, digits: number): string {
  const div = 10 ** digits;
  const whole = Math.floor(v / div);
  let frac = String(v % div).padStart(digits, '0').replace(/0+$/, '');
  if (frac !== '') frac = `.${frac}`;
  return `${whole}${frac}`;
}

/** Go's Duration.String() of a millisecond count: 10000 -> "10s", 90000 -> "1m30s", 500 -> "500ms". */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${fixed(ns, 3)}µs`;
  if (ns < 1e9) return `${sign}${fixed(ns, 6)}ms`;
  const hours = Math.floor(ns / 3600e9);
  ns -= hours * 3600e9;
  const minutes = Math.floor(ns / 60e9);
  ns -= minutes * 60e9;
  const seconds = `${fixed(ns, 9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
