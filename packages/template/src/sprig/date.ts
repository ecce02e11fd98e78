// Sprig's hermetic date functions (sprig date.go): ago, duration, durationRound,
// mustDateModify, toDate, mustToDate and unixEpoch, over GoTime values (what
// consul-template's time values are here). dateModify is not hermetic, so not here.

import { parseDuration } from '@proconsul/api';
import type { FuncMap } from '../engine/exec.js';
import { GoTime, parseGoTime } from '../consul/gotime.js';
import { str } from './convert.js';

/** time.Duration.String() of a whole number of nanoseconds (as a bigint). */
export function goDurationString(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  const sign = neg ? '-' : '';
  const frac = (v: bigint, digits: number) => {
    const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
    return s === '' ? '' : `.${s}`;
  };
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${u / 1000n}${frac(u % 1000n, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${u / 1_000_000n}${frac(u % 1_000_000n, 6)}ms`;
  const h = u / 3_600_000_000_000n;
  u -= h * 3_600_000_000_000n;
  const m = u / 60_000_000_000n;
  u -= m * 60_000_000_000n;
  const s = `${u / 1_000_000_000n}${frac(u % 1_000_000_000n, 9)}s`;
  if (h > 0n) return `${sign}${h}h${m}m${s}`;
  if (m > 0n) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}

/** time.ParseDuration in nanoseconds; 0 when it does not parse (Sprig drops the error). */
function nanos(text: string): bigint {
  try {
    return BigInt(Math.round(parseDuration(text) * 1e6));
  } catch {
    return 0n;
  }
}

function durationMs(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

function asTime(v: unknown, fn: string): GoTime {
  if (v instanceof GoTime) return v;
  throw new Error(`wrong type for value; expected time.Time; got ${v === null ? '<nil>' : typeof v} (${fn})`);
}

/** Duration.Round(time.Second): halves away from zero. */
function roundSecond(ns: bigint): bigint {
  const s = 1_000_000_000n;
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  const r = ((u + s / 2n) / s) * s;
  return neg ? -r : r;
}

export function dateFuncs(now: () => Date): FuncMap {
  const since = (t: GoTime) => BigInt(now().getTime() - t.UnixMilli()) * 1_000_000n;
  return {
    ago: (v: unknown) => {
      // Go's int (seconds since the epoch) or a time.Time; anything else is "now".
      const t = v instanceof GoTime ? v : typeof v === 'number' && Number.isInteger(v) ? new GoTime(new Date(v * 1000)) : new GoTime(now());
      return goDurationString(roundSecond(since(t)));
    },
    // Seconds as a string or an integer.
    duration: (v: unknown) => {
      let n = 0n;
      if (typeof v === 'string') n = /^[+-]?\d+$/.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n ? BigInt(v) : 0n;
      else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
      return goDurationString(BigInt.asIntN(64, n * 1_000_000_000n));
    },
    durationRound: (v: unknown) => {
      let d = 0n;
      if (typeof v === 'string') d = nanos(v);
      else if (typeof v === 'number' && Number.isInteger(v)) d = BigInt(v);
      else if (v instanceof GoTime) d = since(v);
      const u = d < 0n ? -d : d;
      const units: [bigint, string][] = [
        [3_600_000_000_000n * 24n * 365n, 'y'], [3_600_000_000_000n * 24n * 30n, 'mo'], [3_600_000_000_000n * 24n, 'd'],
        [3_600_000_000_000n, 'h'], [60_000_000_000n, 'm'], [1_000_000_000n, 's'],
      ];
      for (const [size, name] of units) if (u > size) return `${u / size}${name}`;
      return '0s';
    },
    // time.ParseInLocation(layout, value, time.Local); toDate gives the zero time on an error.
    toDate: (layout: unknown, value: unknown) => {
      const [l, v] = [str(layout), str(value)];
      try {
        return parseGoTime(l, v);
      } catch {
        return GoTime.zero();
      }
    },
    mustToDate: (layout: unknown, value: unknown) => parseGoTime(str(layout), str(value)),
    ...Object.fromEntries(['mustDateModify', 'must_date_modify'].map((name) => [name, (d: unknown, t: unknown) => {
      const time = asTime(t, name);
      const ms = durationMs(str(d));
      if (ms === undefined) throw new Error(`time: invalid duration ${JSON.stringify(str(d))}`);
      return time.addMilli(ms);
    }])),
    unixEpoch: (t: unknown) => String(asTime(t, 'unixEpoch').Unix()),
  };
}
