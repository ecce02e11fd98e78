// Go's time.Format layouts ("2006-01-02T15:04:05Z07:00"), for `timestamp`.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TOKENS = [
  'January', 'Monday', '2006', 'Z07:00', '-07:00', 'Z0700', '-0700', 'Jan', 'Mon', 'MST',
  '.000000000', '.000000', '.000', '.999999999', '.999999', '.999',
  '01', '02', '_2', '15', '03', '04', '05', '06', 'PM', 'pm', '1', '2', '3', '4', '5',
];

const p2 = (n: number) => String(n).padStart(2, '0');

/** Formats a UTC time with a Go layout. */
export function formatGoTime(d: Date, layout: string): string {
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
      case 'MST': out += 'UTC'; break;
      case 'Z07:00': case 'Z0700': out += 'Z'; break;
      case '-07:00': out += '+00:00'; break;
      case '-0700': out += '+0000'; break;
      case '.000': out += '.' + String(ms).padStart(3, '0'); break;
      case '.000000': out += '.' + String(ms).padStart(3, '0') + '000'; break;
      case '.000000000': out += '.' + String(ms).padStart(3, '0') + '000000'; break;
      default: {
        // .999...: fractional seconds without trailing zeros.
        const frac = String(ms).padStart(3, '0').replace(/0+$/, '');
        if (frac) out += '.' + frac;
      }
    }
  }
  return out;
}

/**
 * A Go time.Time as templates see it (api.LeafCert's ValidAfter/ValidBefore): prints as
 * time.Time's String(), has Format and Unix, and marshals to JSON as RFC 3339. Consul sends
 * these times in UTC, so the zone is always UTC here.
 */
export class GoTime {
  static goTypeName = 'time.Time';
  readonly #date: Date;
  constructor(date: Date) {
    this.#date = date;
  }
  /** An RFC 3339 text as Consul's JSON carries it; the zero time when empty or unreadable. */
  static parse(text: string | null | undefined): GoTime {
    const ms = text ? Date.parse(text) : NaN;
    if (!Number.isNaN(ms)) return new GoTime(new Date(ms));
    const zero = new Date(0);
    zero.setUTCFullYear(1, 0, 1); // Go's zero time, 0001-01-01 (Date.UTC would read year 1 as 1901)
    return new GoTime(zero);
  }
  String(): string {
    return formatGoTime(this.#date, '2006-01-02 15:04:05.999999999 -0700 MST');
  }
  Format(layout: string): string {
    return formatGoTime(this.#date, String(layout));
  }
  UnixMilli(): number {
    return this.#date.getTime();
  }
  Unix(): number {
    return Math.floor(this.#date.getTime() / 1000);
  }
  /** json.Marshaler: the JSON text (a quoted RFC 3339 time, as Go's). */
  MarshalJSON(): string {
    return JSON.stringify(formatGoTime(this.#date, '2006-01-02T15:04:05.999999999Z07:00'));
  }
}
