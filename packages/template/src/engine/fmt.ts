// The parts of Go's fmt package that templates use: Sprint, Sprintln, Sprintf
// with the common verbs, flags, width and precision, and fmt's `%!verb(type=value)`
// markers for mismatched arguments.

import { kindOf, mapKeys, mapGet, numberValue, typeName } from './values.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** %+v: field names in structs (the plus flag does not reach numbers). */
  plusV?: boolean;
  /** Print a struct pointer as the struct it points to. */
  indirect?: boolean;
  width?: number;
  prec?: number;
  verb: string;
}

const PLAIN: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, verb: 'v' };

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, PLAIN);
  });
  return out;
}

/** How an action prints its value: Go dereferences a pointer first (printableValue). */
export function printAction(v: unknown): string {
  return formatValue(v, { ...PLAIN, indirect: true });
}

export function sprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a, PLAIN)).join(' ') + '\n';
}

export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, verb: '' };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    if (format[i] === '*') {
      i++;
      const w = intFromArg(args[argi++]);
      if (w !== undefined) {
        spec.width = Math.abs(w);
        if (w < 0) spec.minus = true;
      } else out += '%!(BADWIDTH)';
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = intFromArg(args[argi++]);
        if (p !== undefined && p >= 0) spec.prec = p;
        else out += '%!(BADPREC)';
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    spec.verb = verb;
    if (verb === 'v' && spec.plus) {
      spec.plus = false;
      spec.plusV = true;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    // %T: the Go type's name (fmt's printArg handles it before the value).
    if (verb === 'T') out += pad(typeName(args[argi++]), spec);
    else out += formatValue(args[argi++], spec);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${typeName(a)}=${formatValue(a, PLAIN)}`).join(', ') + ')';
  }
  return out;
}

function badVerb(v: unknown, spec: Spec): string {
  if (v === null || v === undefined) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${typeName(v)}=${formatValue(v, PLAIN)})`;
}

/**
 * fmt's intFromArg for a `*` width or precision: a value of any integer kind (int, int64,
 * uint64) taken exactly, refused when it does not fit an int or is over 1e6 in magnitude
 * (print.go tooLarge); anything else is refused too.
 */
function intFromArg(a: unknown): number | undefined {
  const k = kindOf(a);
  if (k !== 'int' && k !== 'uint') return undefined;
  const n = BigInt(numberValue(a)!);
  return n > TOO_LARGE || n < -TOO_LARGE ? undefined : Number(n);
}
const TOO_LARGE = 1_000_000n;

function pad(s: string, spec: Spec, numeric = false): string {
  if (spec.width === undefined) return s;
  const n = [...s].length;
  if (n >= spec.width) return s;
  const fill = spec.width - n;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero) {
    if (numeric && /^[+\- ]/.test(s)) return s[0] + '0'.repeat(fill) + s.slice(1);
    return '0'.repeat(fill) + s;
  }
  return ' '.repeat(fill) + s;
}

export function formatValue(v: unknown, spec: Spec): string {
  switch (kindOf(v)) {
    case 'invalid': case 'nil':
      return spec.verb === 'v' ? pad('<nil>', { ...spec, zero: false }) : badVerb(v, spec);
    case 'bool':
      return spec.verb === 'v' || spec.verb === 't' ? pad(String(v), spec) : badVerb(v, spec);
    case 'int':
      return formatInt(numberValue(v)!, spec, v);
    case 'uint':
      return formatInt(numberValue(v)!, spec, v);
    case 'float':
      return formatFloat(Number(numberValue(v)), spec, v);
    case 'string':
      return formatString(v as string, spec);
    case 'slice': {
      const arr = v instanceof Uint8Array ? [...v] : (v as unknown[]);
      if (v instanceof Uint8Array && (spec.verb === 's' || spec.verb === 'q' || spec.verb === 'x')) {
        return formatString(Buffer.from(v).toString('utf8'), spec);
      }
      return '[' + arr.map((e) => formatValue(e, spec)).join(' ') + ']';
    }
    case 'map': {
      const m = v as Map<unknown, unknown> | Record<string, unknown>;
      return 'map[' + mapKeys(m).map((k) => `${formatValue(k, spec)}:${formatValue(mapGet(m, k).value, spec)}`).join(' ') + ']';
    }
    case 'func':
      return spec.verb === 'v' || spec.verb === 'p' ? '0xc000000000' : badVerb(v, spec);
    case 'struct': {
      const o = v as object;
      if (typeof (o as { String?: unknown }).String === 'function' && (spec.verb === 'v' || spec.verb === 's')) {
        return pad(String((o as { String: () => unknown }).String()), spec);
      }
      if (o instanceof Error && (spec.verb === 'v' || spec.verb === 's')) return pad(o.message, spec);
      const fields = Object.keys(o)
        .filter((k) => typeof (o as Record<string, unknown>)[k] !== 'function')
        .map((k) => (spec.plusV ? `${k}:` : '') + formatValue((o as Record<string, unknown>)[k], { ...spec, indirect: false }));
      // A pointer to a struct prints as &{...}, except where the template
      // dereferences it first (an action's value).
      const ptr = !spec.indirect && typeName(o).startsWith('*');
      return pad((ptr ? '&{' : '{') + fields.join(' ') + '}', spec);
    }
  }
}

/** An integer's verbs; `orig` is the Go value (int, int64 or uint64) that a bad verb names. */
function formatInt(int: number | bigint, spec: Spec, orig: unknown): string {
  let digits: string;
  const n = Number(int);
  const neg = int < 0;
  const a = neg ? -int : int; // a bigint (Go's int64) keeps all its digits
  switch (spec.verb) {
    case 'v': case 'd': digits = a.toString(10); break;
    case 'b': digits = a.toString(2); break;
    case 'o': case 'O': digits = a.toString(8); break;
    case 'x': digits = a.toString(16); break;
    case 'X': digits = a.toString(16).toUpperCase(); break;
    case 'c': return pad(String.fromCodePoint(n), spec);
    case 'q': return pad(quoteRune(n), spec);
    case 'U': {
      const u = 'U+' + a.toString(16).toUpperCase().padStart(4, '0');
      return pad(spec.sharp ? `${u} '${String.fromCodePoint(n)}'` : u, spec);
    }
    // An int is never a float (a whole float64 is a GoFloat): %!f(int=3) as in Go.
    default:
      return badVerb(orig, spec);
  }
  if (spec.prec !== undefined) {
    digits = digits.padStart(spec.prec, '0');
    if (spec.prec === 0 && n === 0) digits = '';
  }
  if (spec.sharp) {
    if (spec.verb === 'x') digits = '0x' + digits;
    else if (spec.verb === 'X') digits = '0X' + digits;
    else if (spec.verb === 'o' && digits[0] !== '0') digits = '0' + digits;
    else if (spec.verb === 'b') digits = '0b' + digits;
  }
  if (spec.verb === 'O') digits = '0o' + digits;
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + digits, spec.prec !== undefined ? { ...spec, zero: false } : spec, true);
}

/** The exact decimal expansion of a finite |x| > 0: digits (no leading zeros) and decimal point position. */
function exactDecimal(x: number): { digits: string; dp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  const lead = /^0*/.exec(digits)![0].length;
  return { digits: digits.slice(lead), dp: dp - lead };
}

/** Rounds a digit string to n digits, half to even (as strconv does on the exact value). */
function roundDigits(d: { digits: string; dp: number }, n: number): { digits: string; dp: number } {
  const { digits, dp } = d;
  if (n < 0) return { digits: '0', dp: 1 };
  if (digits.length <= n) return { digits: digits.replace(/0+$/, '') || '0', dp };
  const rest = digits.slice(n);
  let keep = digits.slice(0, n);
  const up = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || (keep.length > 0 && Number(keep[keep.length - 1]) % 2 === 1)));
  let newDp = dp;
  if (up) {
    const v = (BigInt(keep || '0') + 1n).toString();
    if (v.length > keep.length) newDp++;
    keep = v;
  }
  keep = keep.replace(/0+$/, '');
  if (keep === '') return { digits: '0', dp: 1 };
  return { digits: keep, dp: newDp };
}

/** Decimal digits of |x| (no trailing zeros) and the decimal point position, shortest or to `prec` significant digits. */
function decimal(x: number, prec?: number): { digits: string; dp: number } {
  if (x === 0) return { digits: '0', dp: 1 };
  if (prec === undefined) {
    const [mant, exp] = Math.abs(x).toExponential().split('e') as [string, string];
    return { digits: mant.replace('.', '').replace(/0+$/, '') || '0', dp: Number(exp) + 1 };
  }
  return roundDigits(exactDecimal(x), prec);
}

/** %f: |x| with exactly `decimals` digits after the point. */
function toFixedGo(x: number, decimals: number): string {
  if (x === 0) return fmtF('0', 1, decimals);
  const exact = exactDecimal(x);
  const r = roundDigits(exact, exact.dp + decimals);
  return fmtF(r.digits, r.dp, decimals);
}

function expString(exp: number, upper: boolean): string {
  const s = Math.abs(exp).toString().padStart(2, '0');
  return (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + s;
}

function fmtE(digits: string, dp: number, decimals: number, upper: boolean): string {
  let d = digits;
  if (d.length < decimals + 1) d = d.padEnd(decimals + 1, '0');
  const mant = d[0] + (decimals > 0 ? '.' + d.slice(1, decimals + 1) : '');
  return mant + expString(digits === '0' ? 0 : dp - 1, upper);
}

function fmtF(digits: string, dp: number, decimals: number): string {
  let intPart: string;
  let frac: string;
  if (dp <= 0) {
    intPart = '0';
    frac = '0'.repeat(-dp) + digits;
  } else if (dp >= digits.length) {
    intPart = digits + '0'.repeat(dp - digits.length);
    frac = '';
  } else {
    intPart = digits.slice(0, dp);
    frac = digits.slice(dp);
  }
  frac = frac.padEnd(decimals, '0').slice(0, decimals);
  return decimals > 0 ? `${intPart}.${frac}` : intPart;
}

/** strconv.FormatFloat(x, 'g', prec, 64) without the sign. */
function formatG(x: number, prec: number | undefined, upper: boolean): string {
  const shortest = prec === undefined;
  let p = prec === undefined ? -1 : prec === 0 ? 1 : prec;
  const { digits, dp } = decimal(x, shortest ? undefined : p);
  if (shortest) p = digits.length;
  let eprec = p;
  if (eprec > digits.length && digits.length >= dp) eprec = digits.length;
  if (shortest) eprec = 6;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (p > digits.length) p = digits.length;
    return fmtE(digits, dp, p - 1, upper);
  }
  if (p > dp) p = digits.length;
  return fmtF(digits, dp, Math.max(p - dp, 0));
}

function formatFloat(x: number, spec: Spec, orig: unknown): string {
  if (Number.isNaN(x)) return pad('NaN', { ...spec, zero: false });
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let body: string;
  if (!Number.isFinite(x)) body = 'Inf';
  else {
    switch (spec.verb) {
      case 'v': case 'g': case 'G':
        body = formatG(a, spec.prec, spec.verb === 'G');
        break;
      case 'e': case 'E': {
        const prec = spec.prec ?? 6;
        const { digits, dp } = decimal(a, prec + 1);
        body = fmtE(digits, dp, prec, spec.verb === 'E');
        break;
      }
      case 'f': case 'F':
        body = toFixedGo(a, spec.prec ?? 6);
        break;
      case 'x': case 'X':
        body = hexFloat(a, spec.prec, spec.verb === 'X');
        break;
      default:
        return badVerb(orig, spec);
    }
  }
  // Go keeps the sign of +Inf: fmt.Sprint(math.Inf(1)) is "+Inf".
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : Number.isFinite(x) ? '' : '+';
  return pad(sign + body, Number.isFinite(x) ? spec : { ...spec, zero: false }, true);
}

/** strconv's %x of a finite |x| (ftoa.go fmtX): 0x1.8p+01, the mantissa rounded to `prec` hex digits. */
function hexFloat(a: number, prec: number | undefined, upper: boolean): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = expBits === 0 ? -1022 : expBits - 1023;
  if (expBits !== 0) mant |= 1n << 52n;
  if (mant === 0n) exp = 0;
  // The leading 1 at bit 60, so that the fraction is 15 hex digits.
  mant <<= 8n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec !== undefined && prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  let frac = (mant & ((1n << 60n) - 1n)).toString(16).padStart(15, '0');
  if (prec === undefined || prec < 0) frac = frac.replace(/0+$/, '');
  else frac = frac.slice(0, prec).padEnd(prec, '0');
  const e = Math.abs(exp);
  const out = `0x${mant >> 60n}${frac ? '.' + frac : ''}p${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  return upper ? out.toUpperCase() : out;
}

function formatString(s: string, spec: Spec): string {
  let str = s;
  switch (spec.verb) {
    case 'v': case 's':
      if (spec.prec !== undefined) str = [...str].slice(0, spec.prec).join('');
      return pad(str, spec);
    case 'q':
      if (spec.prec !== undefined) str = [...str].slice(0, spec.prec).join('');
      if (spec.sharp && !str.includes('`') && !/[\x00-\x08\x0a-\x1f\x7f]/.test(str)) return pad('`' + str + '`', spec);
      return pad(goQuote(str, spec.plus), spec);
    case 'x': case 'X': {
      let bytes = [...Buffer.from(str, 'utf8')];
      if (spec.prec !== undefined) bytes = bytes.slice(0, spec.prec);
      let hex = bytes.map((b) => (spec.sharp ? '0x' : '') + b.toString(16).padStart(2, '0')).join(spec.space ? ' ' : '');
      if (spec.verb === 'X') hex = hex.toUpperCase();
      return pad(hex, spec);
    }
    default:
      return badVerb(s, spec);
  }
}

function isPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;
  return !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(String.fromCodePoint(cp)) || cp === 0x20;
}

function escapeRune(cp: number, quote: string, asciiOnly: boolean): string {
  const c = String.fromCodePoint(cp);
  if (c === quote || c === '\\') return '\\' + c;
  if (asciiOnly ? cp < 0x80 && isPrintable(cp) : isPrintable(cp)) return c;
  switch (cp) {
    case 7: return '\\a';
    case 8: return '\\b';
    case 12: return '\\f';
    case 10: return '\\n';
    case 13: return '\\r';
    case 9: return '\\t';
    case 11: return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** strconv.Quote (or QuoteToASCII with asciiOnly). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, '"', asciiOnly);
  return out + '"';
}

function quoteRune(cp: number): string {
  return "'" + escapeRune(cp, "'", false) + "'";
}

