// Sprig's string functions (sprig strings.go and functions.go), with the
// helpers they call from Masterminds/goutils (Abbreviate, Wrap, Initials,
// SwapCase, Uncapitalize, DeleteWhiteSpace) and huandu/xstrings (case styles).
// Lengths and offsets are in bytes, as Go's.

import { randomInt } from 'node:crypto';
import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { trimCutset } from '../consul/helpers.js';
import { goQuote, sprint } from '../engine/fmt.js';
import { int, str, strval } from './convert.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
/** Go's s[a:b] on bytes. */
function byteSlice(s: string, a: number, b?: number): string {
  const buf = bytes(s);
  const end = b ?? buf.length;
  if (a < 0 || end > buf.length || a > end) throw new Error(`runtime error: slice bounds out of range [${a}:${end}]`);
  return buf.subarray(a, end).toString('utf8');
}
const byteLen = (s: string) => Buffer.byteLength(s, 'utf8');

/** unicode.IsSpace. */
export function isSpace(c: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(c);
}

/** goutils.AbbreviateFull (errors are swallowed by Sprig: the result is then ""). */
function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  if (s === '') return '';
  if (maxWidth < 4) return '';
  const len = byteLen(s);
  if (len <= maxWidth) return s;
  let off = Math.min(offset, len);
  if (len - off < maxWidth - 3) off = len - (maxWidth - 3);
  if (off <= 4) return byteSlice(s, 0, maxWidth - 3) + '...';
  if (maxWidth < 7) return '';
  if (off + maxWidth - 3 < len) return '...' + abbreviateFull(byteSlice(s, off), 0, maxWidth - 3);
  return '...' + byteSlice(s, len - (maxWidth - 3));
}

/** goutils.WrapCustom: wrap at spaces; long words break only when asked. Works on bytes like Go. */
function wrapCustom(s: string, width: number, newline: string, wrapLong: boolean): string {
  if (s === '') return '';
  const nl = newline === '' ? '\n' : newline;
  const w = Math.max(width, 1);
  const b = bytes(s);
  const sub = (x: number, y: number) => b.subarray(x, y).toString('utf8');
  let offset = 0;
  let out = '';
  while (b.length - offset > w) {
    if (b[offset] === 0x20) {
      offset++;
      continue;
    }
    const at = b.subarray(offset, w + offset + 1).lastIndexOf(0x20);
    if (at >= 0) {
      out += sub(offset, offset + at) + nl;
      offset += at + 1;
    } else if (wrapLong) {
      out += sub(offset, offset + w) + nl;
      offset += w;
    } else {
      const next = b.indexOf(0x20, offset + w);
      if (next >= 0) {
        out += sub(offset, next) + nl;
        offset = next + 1;
      } else {
        out += sub(offset, b.length);
        offset = b.length;
      }
    }
  }
  return out + sub(offset, b.length);
}

const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
const isLower = (c: string) => c !== c.toUpperCase() && c === c.toLowerCase();

/** goutils.SwapCase: upper to lower; lower to title after a space, else upper. */
function swapCase(s: string): string {
  let ws = true;
  let out = '';
  for (const c of s) {
    if (isUpper(c)) {
      out += c.toLowerCase();
      ws = false;
    } else if (isLower(c)) {
      out += c.toUpperCase();
      ws = false;
    } else {
      out += c;
      ws = isSpace(c);
    }
  }
  return out;
}

/** goutils.Initials: the first byte of each whitespace-separated word. */
function initials(s: string): string {
  let gap = true;
  const out: number[] = [];
  for (const ch of bytes(s)) {
    if (isSpace(String.fromCharCode(ch))) gap = true;
    else if (gap) {
      out.push(ch);
      gap = false;
    }
  }
  return Buffer.from(out).toString('latin1');
}

/** strings.Title: upper-case the first letter of each word (words start after a non-letter, non-digit, non-_). */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const c of s) {
    const sep = !/[\p{L}\p{N}_]/u.test(prev);
    out += sep ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}

/** huandu/xstrings' word split for snake/kebab/camel case: runs of upper, lower, digits; "HTTPServer" is HTTP + Server. */
function words(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split(/[^\p{L}\p{N}]+/u)) {
    const m = part.match(/\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|\p{L}+/gu);
    if (m) out.push(...m);
  }
  return out;
}
const delimited = (s: string, sep: string) => words(s).map((w) => w.toLowerCase()).join(sep);
/** xstrings.ToPascalCase: words joined with their first letter upper-cased; leading and trailing "_"/"-"/" " stay, an inner run loses one. */
function pascal(s: string): string {
  const conn = (c: string | undefined) => c === '_' || c === '-' || c === ' ';
  const cs = [...s];
  let i = 0;
  let out = '';
  while (i < cs.length && conn(cs[i])) out += cs[i++];
  let cap = true;
  while (i < cs.length) {
    if (conn(cs[i])) {
      let j = i;
      while (j < cs.length && conn(cs[j])) j++;
      out += cs.slice(j === cs.length ? i : i + 1, j).join('');
      cap = true;
      i = j;
      continue;
    }
    out += cap ? cs[i]!.toUpperCase() : cs[i];
    cap = false;
    i++;
  }
  return out;
}

function shuffle(s: string): string {
  const cs = [...s];
  for (let i = cs.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [cs[i], cs[j]] = [cs[j]!, cs[i]!];
  }
  return cs.join('');
}

/** strings.Split (n < 0) / SplitN; an empty separator splits after each UTF-8 sequence. */
export function goSplitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const cs = [...s];
    if (n < 0 || n >= cs.length) return cs;
    return [...cs.slice(0, n - 1), cs.slice(n - 1).join('')];
  }
  const parts = s.split(sep);
  if (n < 0 || n >= parts.length) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

const indexed = (parts: string[]) => Object.fromEntries(parts.map((p, i) => [`_${i}`, p]));

/** strings.TrimSpace. */
export function trimSpace(s: string): string {
  const cs = [...s];
  let a = 0;
  let b = cs.length;
  while (a < b && isSpace(cs[a]!)) a++;
  while (b > a && isSpace(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(Math.max(n, 0));
  return pad + s.split('\n').join('\n' + pad);
}

export const stringFuncs: FuncMap = {
  hello: () => 'Hello!',
  abbrev: (w: unknown, s: unknown) => (int(w) < 4 ? str(s) : abbreviateFull(str(s), 0, int(w))),
  abbrevboth: (l: unknown, r: unknown, s: unknown) => {
    const left = int(l);
    const right = int(r);
    return right < 4 || (left > 0 && right < 7) ? str(s) : abbreviateFull(str(s), left, right);
  },
  trunc: (c: unknown, s: unknown) => {
    const n = int(c);
    const t = str(s);
    const len = byteLen(t);
    if (n < 0 && len + n > 0) return byteSlice(t, len + n);
    if (n >= 0 && len > n) return byteSlice(t, 0, n);
    return t;
  },
  trim: (s: unknown) => trimSpace(str(s)),
  upper: (s: unknown) => str(s).toUpperCase(),
  lower: (s: unknown) => str(s).toLowerCase(),
  title: (s: unknown) => title(str(s)),
  // goutils.Uncapitalize: lower-case the first letter of each whitespace-separated word.
  untitle: (s: unknown) => {
    let next = true;
    return [...str(s)].map((c) => {
      if (isSpace(c)) next = true;
      else if (next) {
        next = false;
        return c.toLowerCase();
      }
      return c;
    }).join('');
  },
  substr: (a: unknown, b: unknown, s: unknown) => {
    const start = int(a);
    const end = int(b);
    const t = str(s);
    if (start < 0) return byteSlice(t, 0, end);
    if (end < 0 || end > byteLen(t)) return byteSlice(t, start);
    return byteSlice(t, start, end);
  },
  repeat: (c: unknown, s: unknown) => {
    const n = int(c);
    if (n < 0) throw new Error('strings: negative Repeat count');
    if (n * byteLen(str(s)) > 64 * 1024 * 1024) throw new Error('strings: Repeat output length overflow');
    return str(s).repeat(n);
  },
  trimall: (a: unknown, b: unknown) => trimCutset(str(b), str(a)),
  trimAll: (a: unknown, b: unknown) => trimCutset(str(b), str(a)),
  trimSuffix: (a: unknown, b: unknown) => (str(a) !== '' && str(b).endsWith(str(a)) ? str(b).slice(0, -str(a).length) : str(b)),
  trimPrefix: (a: unknown, b: unknown) => (str(b).startsWith(str(a)) ? str(b).slice(str(a).length) : str(b)),
  // goutils.DeleteWhiteSpace looks at single bytes: multi-byte spaces stay.
  nospace: (s: unknown) => [...str(s)].filter((c) => !(c.charCodeAt(0) < 0x80 && isSpace(c)) && c !== '\u0085' && c !== '\u00a0').join(''),
  initials: (s: unknown) => initials(str(s)),
  swapcase: (s: unknown) => swapCase(str(s)),
  shuffle: (s: unknown) => shuffle(str(s)),
  snakecase: (s: unknown) => delimited(str(s), '_'),
  camelcase: (s: unknown) => pascal(str(s)),
  kebabcase: (s: unknown) => delimited(str(s), '-'),
  wrap: (l: unknown, s: unknown) => wrapCustom(str(s), int(l), '', false),
  wrapWith: (l: unknown, sep: unknown, s: unknown) => wrapCustom(str(s), int(l), str(sep), true),
  contains: (sub: unknown, s: unknown) => str(s).includes(str(sub)),
  hasPrefix: (p: unknown, s: unknown) => str(s).startsWith(str(p)),
  hasSuffix: (p: unknown, s: unknown) => str(s).endsWith(str(p)),
  quote: variadic((...vs: unknown[]) => vs.filter((v) => v !== null && v !== undefined).map((v) => goQuote(strval(v))).join(' ')),
  squote: variadic((...vs: unknown[]) => vs.filter((v) => v !== null && v !== undefined).map((v) => `'${sprint([v])}'`).join(' ')),
  cat: variadic((...vs: unknown[]) => vs.filter((v) => v !== null && v !== undefined).map((v) => sprint([v])).join(' ')),
  indent: (n: unknown, s: unknown) => indent(int(n), str(s)),
  nindent: (n: unknown, s: unknown) => '\n' + indent(int(n), str(s)),
  replace: (o: unknown, n: unknown, s: unknown) => {
    if (str(o) === '') return [...str(s)].map((c) => str(n) + c).join('') + str(n);
    return str(s).split(str(o)).join(str(n));
  },
  plural: (one: unknown, many: unknown, c: unknown) => (int(c) === 1 ? str(one) : str(many)),
  toString: (v: unknown) => strval(v),
  split: (sep: unknown, s: unknown) => indexed(goSplitN(str(s), str(sep), -1)),
  splitList: (sep: unknown, s: unknown) => goSplitN(str(s), str(sep), -1),
  splitn: (sep: unknown, n: unknown, s: unknown) => indexed(goSplitN(str(s), str(sep), int(n))),
  fail: (msg: unknown) => {
    throw new Error(str(msg));
  },
};
