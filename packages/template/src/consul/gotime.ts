// Go's time layouts ("2006-01-02T15:04:05Z07:00"): formatting for `timestamp` and time values,
// and parsing for Sprig's toDate (Go src/time/format.go). Times carry a zone as Go's do: UTC,
// a fixed offset, or the process's local zone (Go's time.Local).

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TOKENS = [
  'January', 'Monday', '2006', 'Z07:00', '-07:00', 'Z0700', '-0700', 'Z07', '-07', 'Jan', 'Mon', 'MST',
  '.000000000', '.000000', '.000', '.999999999', '.999999', '.999',
  '01', '02', '_2', '15', '03', '04', '05', '06', 'PM', 'pm', '1', '2', '3', '4', '5',
];

/** A time's zone: a name and an offset east of UTC in seconds. */
export interface Zone {
  name: string;
  offset: number;
}
export const UTC: Zone = { name: 'UTC', offset: 0 };
/** Go's time.Local: this process's zone (TZ), looked up per instant. */
export const LOCAL = 'Local';
export type Location = Zone | typeof LOCAL;

/** Intl's short name of the local zone at an instant, in a locale. */
function intlZoneName(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZoneName: 'short' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/**
 * The local zone at an instant. Its name as tzdata abbreviates it where Intl knows it (en-US
 * has "EST", en-GB "CET"); a zone tzdata names by number prints as "+03" or "+0530", as in Go.
 */
export function localZone(ms: number): Zone {
  const offset = -new Date(ms).getTimezoneOffset() * 60;
  if (offset === 0) return UTC;
  let name = intlZoneName(ms, 'en-US');
  if (/^GMT[+-]/.test(name)) name = intlZoneName(ms, 'en-GB');
  if (/^(GMT|UTC)[+-]/.test(name)) name = offset % 3600 === 0 ? offsetText(offset, '', false) : offsetText(offset, '');
  return { name, offset };
}

const zoneAt = (loc: Location, ms: number): Zone => (loc === LOCAL ? localZone(ms) : loc);
const p2 = (n: number) => String(n).padStart(2, '0');

/** An offset as ±hh[sep]mm (or ±hh alone), Go's -07:00 / -0700 / -07 forms. */
function offsetText(offset: number, sep: string, minutes = true): string {
  const m = Math.abs(offset) / 60;
  return `${offset < 0 ? '-' : '+'}${p2(Math.floor(m / 60))}${minutes ? sep + p2(m % 60) : ''}`;
}

/** Formats a time with a Go layout, in a zone (UTC unless given); `subMilli`: its nanoseconds below the millisecond. */
export function formatGoTime(instant: Date, layout: string, zone: Zone = UTC, subMilli = 0): string {
  const d = new Date(instant.getTime() + zone.offset * 1000);
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const tok = TOKENS.find((t) => layout.startsWith(t, i));
    if (!tok) {
      out += layout[i++];
      continue;
    }
    i += tok.length;
    const h = d.getUTCHours();
    const ms = d.getUTCMilliseconds();
    switch (tok) {
      case 'January': out += MONTHS[d.getUTCMonth()]; break;
      case 'Jan': out += MONTHS[d.getUTCMonth()]!.slice(0, 3); break;
      case 'Monday': out += DAYS[d.getUTCDay()]; break;
      case 'Mon': out += DAYS[d.getUTCDay()]!.slice(0, 3); break;
      case '2006': out += String(d.getUTCFullYear()).padStart(4, '0'); break;
      case '06': out += p2(d.getUTCFullYear() % 100); break;
      case '01': out += p2(d.getUTCMonth() + 1); break;
      case '1': out += String(d.getUTCMonth() + 1); break;
      case '02': out += p2(d.getUTCDate()); break;
      case '_2': out += String(d.getUTCDate()).padStart(2, ' '); break;
      case '2': out += String(d.getUTCDate()); break;
      case '15': out += p2(h); break;
      case '03': out += p2(h % 12 === 0 ? 12 : h % 12); break;
      case '3': out += String(h % 12 === 0 ? 12 : h % 12); break;
      case '04': out += p2(d.getUTCMinutes()); break;
      case '4': out += String(d.getUTCMinutes()); break;
      case '05': out += p2(d.getUTCSeconds()); break;
      case '5': out += String(d.getUTCSeconds()); break;
      case 'PM': out += h >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += h >= 12 ? 'pm' : 'am'; break;
      // A zone without a name prints as its offset.
      case 'MST': out += zone.name || offsetText(zone.offset, ''); break;
      case 'Z07:00': out += zone.offset === 0 ? 'Z' : offsetText(zone.offset, ':'); break;
      case 'Z0700': out += zone.offset === 0 ? 'Z' : offsetText(zone.offset, ''); break;
      case 'Z07': out += zone.offset === 0 ? 'Z' : offsetText(zone.offset, '', false); break;
      case '-07:00': out += offsetText(zone.offset, ':'); break;
      case '-0700': out += offsetText(zone.offset, ''); break;
      case '-07': out += offsetText(zone.offset, '', false); break;
      default: {
        // .000...: that many digits of the nanoseconds (truncated, as Go); .999...: the same
        // without trailing zeros, nothing when they are all zeros.
        const digits = String(ms * 1_000_000 + subMilli).padStart(9, '0').slice(0, tok.length - 1);
        if (tok[1] === '0') out += '.' + digits;
        else if (/[1-9]/.test(digits)) out += '.' + digits.replace(/0+$/, '');
      }
    }
  }
  return out;
}

/**
 * A Go time.Time as templates see it (api.LeafCert's ValidAfter/ValidBefore, sprig_toDate's
 * result): prints as time.Time's String(), has Format and Unix, and marshals to JSON as
 * RFC 3339. Consul sends its times in UTC; toDate's may carry an offset or the local zone.
 */
export class GoTime {
  static goTypeName = 'time.Time';
  readonly #date: Date;
  readonly #loc: Location;
  /** The nanoseconds below the millisecond (0-999999), which a Date cannot hold. */
  readonly #subMilli: number;
  constructor(date: Date, loc: Location = UTC, subMilli = 0) {
    this.#date = date;
    this.#loc = loc;
    this.#subMilli = subMilli;
  }
  /** Go's zero time, 0001-01-01 00:00:00 UTC. */
  static zero(): GoTime {
    const zero = new Date(0);
    zero.setUTCFullYear(1, 0, 1); // Date.UTC would read year 1 as 1901
    return new GoTime(zero);
  }
  /** An RFC 3339 text as Consul's JSON carries it; the zero time when empty or unreadable. */
  static parse(text: string | null | undefined): GoTime {
    const ms = text ? Date.parse(text) : NaN;
    if (Number.isNaN(ms)) return GoTime.zero();
    // Date keeps milliseconds; the rest of a nanosecond fraction is kept apart.
    const frac = /T\d\d:\d\d:\d\d\.(\d+)/.exec(text!)?.[1] ?? '';
    return new GoTime(new Date(ms), UTC, Number(frac.padEnd(9, '0').slice(3, 9)));
  }
  /** t.Add(d), in the same zone. */
  addMilli(ms: number): GoTime {
    return new GoTime(new Date(this.#date.getTime() + ms), this.#loc, this.#subMilli);
  }
  String(): string {
    return this.Format('2006-01-02 15:04:05.999999999 -0700 MST');
  }
  Format(layout: string): string {
    return formatGoTime(this.#date, String(layout), zoneAt(this.#loc, this.#date.getTime()), this.#subMilli);
  }
  UnixMilli(): number {
    return this.#date.getTime();
  }
  Unix(): number {
    return Math.floor(this.#date.getTime() / 1000);
  }
  /** json.Marshaler: the JSON text (a quoted RFC 3339 time, as Go's). */
  MarshalJSON(): string {
    return JSON.stringify(this.Format('2006-01-02T15:04:05.999999999Z07:00'));
  }
}

// ---- parsing (time.ParseInLocation)

const quote = (s: string) => JSON.stringify(s);

/** time.ParseError's text. */
class ParseError extends Error {
  constructor(layout: string, value: string, rest: string, elem: string, message = '') {
    super(message ? `parsing time ${quote(value)}${message}` : `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(elem)}`);
  }
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function num(v: string, fixed: boolean): [number, string] | undefined {
  if (!/^\d/.test(v)) return undefined;
  if (!/^\d\d/.test(v)) return fixed ? undefined : [Number(v[0]), v.slice(1)];
  return [Number(v.slice(0, 2)), v.slice(2)];
}

/** Go's lookup of a month or day name: a case-insensitive prefix match. */
function lookup(names: string[], v: string): [number, string] | undefined {
  const i = names.findIndex((n) => v.slice(0, n.length).toLowerCase() === n.toLowerCase());
  return i < 0 ? undefined : [i, v.slice(names[i]!.length)];
}

/** Go's parseTimeZone: UTC, GMT with an hour offset, or 3-5 upper-case letters (4 and 5 ending in T). */
function zoneName(v: string): string | undefined {
  return /^(?:ChST|MeST|UTC|GMT[+-]\d{1,2}(?!\d)|GMT|[A-Z]{3,4}T|[A-Z]{3})/.exec(v)?.[0];
}

const daysIn = (month: number, year: number) => new Date(Date.UTC(2001, month, 0)).getUTCDate() + (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0);

/** A UTC instant of a wall-clock time (years 0-99 kept as such). */
function utcInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

/** time.ParseInLocation(layout, value, loc): Go's parser, to the millisecond. */
export function parseGoTime(layout: string, value: string, loc: Location = LOCAL): GoTime {
  let rest = value;
  let i = 0;
  let year = 0, month = -1, day = -1, hour = 0, min = 0, sec = 0, nsec = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let zname: string | undefined;
  let utc = false;
  // parseNanoseconds: at most 9 digits count.
  const fraction = (digits: string) => Number(digits.slice(0, 9).padEnd(9, '0'));
  while (i < layout.length) {
    // The literal text up to the next token must match (a run of spaces matches any run).
    let j = i;
    while (j < layout.length && !TOKENS.some((t) => layout.startsWith(t, j))) j++;
    const literal = layout.slice(i, j);
    for (let k = 0; k < literal.length;) {
      if (literal[k] === ' ') {
        if (rest.length > 0 && rest[0] !== ' ') throw new ParseError(layout, value, rest, literal);
        while (literal[k] === ' ') k++;
        rest = rest.replace(/^ +/, '');
      } else {
        if (rest[0] !== literal[k]) throw new ParseError(layout, value, rest, literal);
        k++;
        rest = rest.slice(1);
      }
    }
    if (j >= layout.length) break;
    const tok = TOKENS.find((t) => layout.startsWith(t, j))!;
    i = j + tok.length;
    const before = rest;
    const bad = () => new ParseError(layout, value, before, tok);
    const range = (what: string) => new ParseError(layout, value, before, tok, `: ${what} out of range`);
    const take = (r: [number, string] | undefined) => {
      if (!r) throw bad();
      rest = r[1];
      return r[0];
    };
    switch (tok) {
      case '2006':
        if (!/^\d{4}/.test(rest)) throw bad();
        year = Number(rest.slice(0, 4));
        rest = rest.slice(4);
        break;
      case '06': {
        if (!/^\d\d/.test(rest)) throw bad();
        const y = Number(rest.slice(0, 2));
        year = y >= 69 ? 1900 + y : 2000 + y;
        rest = rest.slice(2);
        break;
      }
      case '01': case '1':
        month = take(num(rest, tok === '01'));
        if (month < 1 || month > 12) throw range('month');
        break;
      case 'Jan': month = take(lookup(MONTHS.map((m) => m.slice(0, 3)), rest)) + 1; break;
      case 'January': month = take(lookup(MONTHS, rest)) + 1; break;
      case 'Mon': take(lookup(DAYS.map((d) => d.slice(0, 3)), rest)); break;
      case 'Monday': take(lookup(DAYS, rest)); break;
      case '02': case '_2': case '2':
        if (tok === '_2' && rest[0] === ' ') rest = rest.slice(1);
        day = take(num(rest, tok === '02'));
        break;
      case '15':
        hour = take(num(rest, false));
        if (hour > 23) throw range('hour');
        break;
      case '03': case '3':
        hour = take(num(rest, tok === '03'));
        if (hour > 12) throw range('hour');
        break;
      case '04': case '4':
        min = take(num(rest, tok === '04'));
        if (min > 59) throw range('minute');
        break;
      case '05': case '5': {
        sec = take(num(rest, tok === '05'));
        if (sec > 59) throw range('second');
        // A fraction the layout does not name is still read after the seconds.
        const frac = /^[.,](\d+)/.exec(rest);
        if (frac && !TOKENS.some((t) => t[0] === '.' && layout.startsWith(t, i))) {
          nsec = fraction(frac[1]!);
          rest = rest.slice(frac[0].length);
        }
        break;
      }
      case 'PM': case 'pm': {
        const ampm = rest.slice(0, 2);
        const [am, p] = tok === 'PM' ? ['AM', 'PM'] : ['am', 'pm'];
        if (ampm !== am && ampm !== p) throw bad();
        pm = ampm === p;
        rest = rest.slice(2);
        break;
      }
      case 'Z07:00': case 'Z0700': case 'Z07': case '-07:00': case '-0700': case '-07': {
        if (tok[0] === 'Z' && rest[0] === 'Z') {
          utc = true;
          rest = rest.slice(1);
          break;
        }
        const m = (tok.endsWith(':00') ? /^([+-])(\d\d):(\d\d)/ : tok.endsWith('00') ? /^([+-])(\d\d)(\d\d)/ : /^([+-])(\d\d)()/).exec(rest);
        if (!m) throw bad();
        offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] || 0) * 60);
        rest = rest.slice(m[0].length);
        break;
      }
      case 'MST': {
        const z = zoneName(rest);
        if (!z) throw bad();
        zname = z;
        rest = rest.slice(z.length);
        break;
      }
      case '.000': case '.000000': case '.000000000': {
        const n = tok.length - 1;
        const m = new RegExp(`^[.,](\\d{${n}})`).exec(rest);
        if (!m) throw bad();
        nsec = fraction(m[1]!);
        rest = rest.slice(n + 1);
        break;
      }
      default: {
        // .999...: an optional fraction of any length.
        const m = /^[.,](\d+)/.exec(rest);
        if (m) {
          nsec = fraction(m[1]!);
          rest = rest.slice(m[0].length);
        }
      }
    }
  }
  if (rest !== '') throw new ParseError(layout, value, rest, '', `: extra text: ${quote(rest)}`);
  if (pm === true && hour < 12) hour += 12;
  else if (pm === false && hour === 12) hour = 0;
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) throw new ParseError(layout, value, '', '', ': day out of range');
  const wall = utcInstant(year, month, day, hour, min, sec, Math.floor(nsec / 1_000_000));
  // A time at a UTC instant (milliseconds), in a zone, with the nanoseconds a Date cannot hold.
  const at = (t: number, z: Location = UTC): GoTime => new GoTime(new Date(t), z, nsec % 1_000_000);
  if (utc) return at(wall);
  if (offset !== undefined) {
    const t = wall - offset * 1000;
    // The local zone when it has this offset then, else a fixed zone (named only by an MST element).
    if (loc === LOCAL && localZone(t).offset === offset) return at(t, LOCAL);
    return at(t, { name: zname ?? '', offset });
  }
  if (zname !== undefined) {
    if (zname === 'UTC') return at(wall);
    const local = loc === LOCAL ? localZone(wall) : loc;
    if (local.name === zname) return at(wall - local.offset * 1000, loc);
    // An unknown zone: offset 0, unless it is GMT±h.
    const off = zname.length > 3 && zname.startsWith('GMT') ? Number(zname.slice(3)) * 3600 : 0;
    return at(wall - off * 1000, { name: zname, offset: off });
  }
  if (loc !== LOCAL) return at(wall - loc.offset * 1000, loc);
  // A local wall-clock time: the offset at that instant (one refinement covers a DST change).
  const first = wall - localZone(wall).offset * 1000;
  return at(wall - localZone(first).offset * 1000, LOCAL);
}
