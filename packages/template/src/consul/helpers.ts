// consul-template's helper functions (template/funcs.go): collections,
// strings, JSON/YAML/TOML, hashes, math, time, files. Argument order follows
// consul-template so the pipe forms work: `{{ .Tags | join "," }}`,
// `{{ 5 | subtract 1 }}`, `{{ tree "app" | explode | mergeMap $defaults }}`.

import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { goQuote } from '../engine/fmt.js';
import { GoFloat, goFloat, GoInt, GoUint, isPlainObject, kindOf, mapKeys, numberValue, typeName } from '../engine/values.js';
import { CatalogSnippet, HealthService, KeyPair } from './data.js';
import { regexpMatch, regexpReplaceAll } from '../sprig/regex.js';
import { formatGoTime } from './gotime.js';
import { explode, explodeMap, mergeMap } from './maps.js';
import type { Scratch } from './scratch.js';
import { goArithmetic, goExtreme, intDivide, intModulo } from './gomath.js';
import { encodeTOML } from './toml.js';
import { writeToFile } from './writefile.js';
import { goTrimSpace, parseYAML, toYAML } from './yaml.js';

/** `in`: is v an element of list l (same kind), or a substring of string l. */
function inList(l: unknown, v: unknown): boolean {
  if (Array.isArray(l)) {
    const kv = kindOf(v);
    return l.some((e) => {
      const ke = kindOf(e);
      if (ke === 'string') return kv === 'string' && e === v;
      if (ke === 'int' || ke === 'uint' || ke === 'float') return ke === kv && numberValue(e) === numberValue(v);
      return false;
    });
  }
  if (typeof l === 'string') return typeof v === 'string' && l.includes(v);
  return false;
}

function containsSome(retTrue: boolean, invert: boolean) {
  return (v: unknown, l: unknown): boolean => {
    const needles = Array.isArray(v) ? v : [];
    for (const x of needles) if (inList(l, x) !== invert) return !retTrue;
    return retTrue;
  };
}

/** funcs.go loop's to64: any integer kind exactly (a uint64 converted to int64), a string through parseInt. */
function toInt64Arg(v: unknown): bigint {
  if ((typeof v === 'number' && Number.isSafeInteger(v)) || typeof v === 'bigint' || v instanceof GoInt) return BigInt(numberValue(v)!);
  if (v instanceof GoUint) return BigInt.asIntN(64, v.value);
  if (typeof v === 'string') return parseInt64(v);
  throw new Error(`loop: bad argument type: ${typeName(v)}`);
}

/** Go's json.Marshal: sorted map keys, struct fields in order, HTML-safe escapes (unless escapeHTML is false). */
export function goJSON(v: unknown, indent?: string, escapeHTML = true): string {
  // int64 and uint64 keep all their digits: each goes out as a string with a mark no other
  // string has (random per call), unquoted after.
  const mark = `int-${randomBytes(8).toString('hex')}:`;
  const norm = (x: unknown): unknown => {
    if (x === undefined || x === null) return null;
    if (Array.isArray(x)) return x.map(norm);
    if (x instanceof Map) return norm(Object.fromEntries(x));
    if (x instanceof GoUint || x instanceof GoInt || typeof x === 'bigint') return mark + String(numberValue(x));
    if (x instanceof GoFloat) return x.value;
    // Go's json.Marshaler (a time.Time marshals as its RFC 3339 text).
    if (typeof x === 'object' && typeof (x as { MarshalJSON?: unknown }).MarshalJSON === 'function') return JSON.parse((x as { MarshalJSON: () => string }).MarshalJSON());
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const keys = isPlainObject(x) ? (mapKeys(o) as string[]) : Object.keys(o);
      // fromEntries defines own keys: assigning out['__proto__'] would set the prototype.
      return Object.fromEntries(keys.filter((k) => typeof o[k] !== 'function').map((k) => [k, norm(o[k])]));
    }
    if (typeof x === 'number' && !Number.isFinite(x)) throw new Error(`json: unsupported value: ${x}`);
    return x;
  };
  const s = (JSON.stringify(norm(v), null, indent) ?? 'null').replace(new RegExp(`"${mark}(-?\\d+)"`, 'g'), '$1');
  // Go escapes U+2028 and U+2029 even without HTML escaping.
  return s.replace(escapeHTML ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function toTitle(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

/** strings.Trim: drop the cutset's code points from both ends. */
export function trimCutset(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

/** strconv.ParseInt(s, 10, 64): an int64 (a bigint), exact. */
function parseInt64(s: string): bigint {
  if (s === '') return 0n;
  const fail = (why: string) => new Error(`parseInt: strconv.ParseInt: parsing ${goQuote(String(s))}: ${why}`);
  if (typeof s !== 'string' || !/^[+-]?\d+$/.test(s)) throw fail('invalid syntax');
  const n = BigInt(s);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) throw fail('value out of range');
  return n;
}

/** strconv.ParseUint(s, 10, 64): a uint64, exact. */
function parseUint(s: string): GoUint {
  if (s === '') return new GoUint(0n);
  const fail = (why: string) => new Error(`parseUint: strconv.ParseUint: parsing ${goQuote(String(s))}: ${why}`);
  if (typeof s !== 'string' || !/^\d+$/.test(s)) throw fail('invalid syntax');
  if (BigInt(s) >= 2n ** 64n) throw fail('value out of range');
  return new GoUint(BigInt(s));
}

const B64_URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Go's padded base64 decoding (base64.StdEncoding/URLEncoding.DecodeString):
 * CR and LF are skipped, anything else outside the alphabet or misplaced
 * padding fails with the offset Go reports.
 */
export function goBase64Decode(s: string, alphabet: string): Buffer {
  const src = Buffer.from(s, 'utf8');
  const corrupt = (at: number) => new Error(`illegal base64 data at input byte ${at}`);
  const out: number[] = [];
  const nl = (c: number | undefined) => c === 0x0a || c === 0x0d;
  let si = 0;
  while (si < src.length) {
    const quantum: number[] = [];
    let dlen = 4;
    let trailing: Error | undefined;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        throw corrupt(si - j);
      }
      const c = src[si++]!;
      const d = alphabet.indexOf(String.fromCharCode(c));
      if (c < 0x80 && d >= 0) {
        quantum.push(d);
        continue;
      }
      if (nl(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d || j < 2) throw corrupt(si - 1);
      if (j === 2) {
        // "==": the second "=" must follow, newlines aside.
        while (si < src.length && nl(src[si])) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && nl(src[si])) si++;
      if (si < src.length) trailing = corrupt(si);
      dlen = j;
      break;
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const val = (a << 18) | (b << 12) | (c << 6) | d;
    out.push(...[(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff].slice(0, dlen - 1));
    if (trailing) throw trailing;
  }
  return Buffer.from(out);
}

/** Go's %T of a list a helper refused: []*dependency.CatalogSnippet and the like. */
function sliceTypeName(v: unknown): string {
  const own = Array.isArray(v) ? (v.constructor as { goTypeName?: string }).goTypeName : undefined;
  if (own) return own;
  if (!Array.isArray(v) || v.length === 0) return typeName(v);
  const first = typeName(v[0]);
  return v.every((e) => typeName(e) === first) && kindOf(v[0]) === 'struct' ? `[]${first}` : typeName(v);
}

/** byMeta's group key part for one "name" or "name|int" of its list. */
function metaKeyPart(meta: Record<string, string> | null | undefined, spec: string): string {
  const isInt = spec.endsWith('|int');
  const name = isInt ? spec.slice(0, -'|int'.length) : spec;
  const set = meta && Object.hasOwn(meta, name) ? meta[name] : '';
  let value = set || (isInt ? '0' : `_no_${name}_`);
  if (isInt) {
    if (!/^[+-]?\d+$/.test(value) || BigInt(value) < -(2n ** 63n) || BigInt(value) >= 2n ** 63n) {
      const why = /^[+-]?\d+$/.test(value) ? 'value out of range' : 'invalid syntax';
      throw new Error(`cannot parse ${value} as number : strconv.Atoi: parsing ${goQuote(value)}: ${why}`);
    }
    // fmt's %05d: zero-padded to five characters, sign included.
    const n = BigInt(value);
    const digits = (n < 0n ? -n : n).toString();
    value = n < 0n ? '-' + digits.padStart(4, '0') : digits.padStart(5, '0');
  }
  return value.replace(/[^a-zA-Z0-9_-]/gu, '_');
}

export function helperFuncs(getScratch: () => Scratch, now: () => Date = () => new Date()): FuncMap {
  return {
    // KV folders and tags are any strings: group in Maps (an object would read
    // m['constructor'] as Object's), then hand the template plain objects.
    byKey: (pairs: unknown) => {
      const m = new Map<string, Map<string, KeyPair>>();
      for (const p of (pairs as KeyPair[] | null) ?? []) {
        const parts = p.Key.split('/');
        const top = parts[0]!;
        const key = parts.slice(1).join('/');
        if (key === '') continue;
        const copy = Object.assign(Object.create(Object.getPrototypeOf(p)) as KeyPair, p, { Key: key });
        if (!m.has(top)) m.set(top, new Map());
        m.get(top)!.set(key, copy);
      }
      return Object.fromEntries([...m].map(([top, inner]) => [top, Object.fromEntries(inner)]));
    },
    byTag: (list: unknown) => {
      const m = new Map<string, unknown[]>();
      if (list === null || list === undefined) return {};
      if (!Array.isArray(list)) throw new Error(`byTag: wrong argument type ${typeName(list)}`);
      for (const s of list) {
        if (!(s instanceof HealthService || s instanceof CatalogSnippet)) throw new Error(`byTag: wrong argument type ${typeName(list)}`);
        for (const t of s.Tags) {
          if (!m.has(t)) m.set(t, []);
          m.get(t)!.push(s);
        }
      }
      return Object.fromEntries(m);
    },
    // Ports are ints in Go: a Map keeps them numbers, so range goes 80, 443, 8080.
    byPort: (list: unknown) => {
      const m = new Map<number, unknown[]>();
      if (list === null || list === undefined) return m;
      if (!Array.isArray(list) || !list.every((s) => s instanceof HealthService)) throw new Error(`byPort: wrong argument type ${sliceTypeName(list)}`);
      for (const s of list as HealthService[]) {
        if (!m.has(s.Port)) m.set(s.Port, []);
        m.get(s.Port)!.push(s);
      }
      return m;
    },
    // `byMeta "env,version|int"`: one group per combination of the service meta
    // values, missing ones as "_no_<name>_" (|int: 0, zero-padded to sort).
    byMeta: (meta: string, services: unknown) => {
      if (services !== null && services !== undefined && (!Array.isArray(services) || !services.every((s) => s instanceof HealthService))) {
        throw new Error(`wrong type for value; expected []*dependency.HealthService; got ${sliceTypeName(services)}`);
      }
      const groups = new Map<string, HealthService[]>();
      for (const s of (services as HealthService[] | null) ?? []) {
        const key = String(meta).split(',').map((spec) => metaKeyPart(s.ServiceMeta, spec)).join('_');
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push(s);
      }
      return Object.fromEntries(groups);
    },
    contains: (v: unknown, l: unknown) => inList(l, v),
    containsAll: containsSome(true, true),
    containsAny: containsSome(false, false),
    containsNone: containsSome(true, false),
    containsNotAll: containsSome(false, true),
    in: (l: unknown, v: unknown) => inList(l, v),
    join: (sep: string, a: unknown) => {
      if (!Array.isArray(a)) throw new Error(`wrong type for value; expected []string; got ${typeName(a)}`);
      return a.map(String).join(sep);
    },
    split: (sep: string, s: string) => {
      const t = String(s).trim();
      return t === '' ? [] : t.split(sep);
    },
    // "a:x,b:y" | splitToMap "," ":"  -> map[a:x b:y]; an item without sep2 is skipped.
    splitToMap: (sep1: string, sep2: string, s: string) => {
      const t = String(s).trim();
      const m = new Map<string, string>();
      if (t === '') return {};
      // strings.Split with an empty separator splits into characters.
      for (const item of sep1 === '' ? [...t] : t.split(sep1)) {
        const at = item.indexOf(sep2);
        if (at >= 0) m.set(item.slice(0, at), item.slice(at + sep2.length));
      }
      return Object.fromEntries(m);
    },
    replaceAll: (f: string, t: string, s: string) => String(s).split(f).join(t),
    // Go's regexp (RE2 syntax and matching), as consul-template compiles them.
    regexMatch: (re: string, s: string) => regexpMatch(String(re), String(s)),
    regexReplaceAll: (re: string, pl: string, s: string) => regexpReplaceAll(String(re), String(s), String(pl)),
    toJSON: (v: unknown) => goJSON(v),
    toJSONPretty: (v: unknown) => goJSON(v, '  '),
    toUnescapedJSON: (v: unknown) => goJSON(v, undefined, false),
    toUnescapedJSONPretty: (v: unknown) => goJSON(v, '  ', false),
    // encoding/json into interface{}: every number is a float64.
    parseJSON: (s: string) => (s === '' ? {} : JSON.parse(s, (_k, v: unknown) => (typeof v === 'number' ? goFloat(v) : v))),
    toYAML: (v: unknown) => {
      try {
        return toYAML(v);
      } catch (e) {
        throw new Error(`toYAML: ${(e as Error).message}`);
      }
    },
    parseYAML: (s: string) => parseYAML(String(s)),
    toTOML: (v: unknown) => {
      // Go panics on nil (reflect on the zero Value); the template reports it unwrapped.
      if (v === null || v === undefined) return encodeTOML(v);
      try {
        return goTrimSpace(encodeTOML(v));
      } catch (e) {
        throw new Error(`toTOML: ${(e as Error).message}`);
      }
    },
    explode: (pairs: unknown) => explode(pairs),
    explodeMap: (m: unknown) => explodeMap(m),
    // `$role := tree "x" | explode | mergeMap $base`: $base's values win; the piped map fills the gaps.
    mergeMap: (dst: unknown, src: unknown) => mergeMap(dst, src),
    // ... and with override the piped map's values win.
    mergeMapWithOverride: (dst: unknown, src: unknown) => mergeMap(dst, src, true),
    toLower: (s: string) => String(s).toLowerCase(),
    toUpper: (s: string) => String(s).toUpperCase(),
    toTitle: (s: string) => toTitle(String(s)),
    trimSpace: (s: string) => String(s).trim(),
    trim: (cutset: string, s: string) => trimCutset(String(s), cutset),
    trimPrefix: (p: string, s: string) => (String(s).startsWith(p) ? String(s).slice(p.length) : String(s)),
    trimSuffix: (p: string, s: string) => (p !== '' && String(s).endsWith(p) ? String(s).slice(0, -p.length) : String(s)),
    parseInt: (s: string) => parseInt64(s),
    parseUint: (s: string) => parseUint(s),
    // A float64, whole or not (`{{ parseFloat "2" | printf "%T" }}` is float64).
    parseFloat: (s: string) => {
      if (s === '') return goFloat(0);
      const f = Number(s);
      if (Number.isNaN(f)) throw new Error(`parseFloat: strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
      return goFloat(f);
    },
    parseBool: (s: string) => {
      if (s === '') return false;
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
      throw new Error(`parseBool: strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
    },
    base64Encode: (s: string) => Buffer.from(String(s)).toString('base64'),
    base64Decode: (s: string) => Buffer.from(String(s), 'base64').toString('utf8'),
    base64URLEncode: (s: string) => Buffer.from(String(s)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
    base64URLDecode: (s: string) => {
      try {
        return goBase64Decode(String(s), B64_URL).toString('utf8');
      } catch (e) {
        throw new Error(`base64URLDecode: ${(e as Error).message}`);
      }
    },
    sha256Hex: (s: string) => createHash('sha256').update(String(s)).digest('hex'),
    md5sum: (s: string) => createHash('md5').update(String(s)).digest('hex'),
    hmacSHA256Hex: (message: string, key: string) => createHmac('sha256', String(key)).update(String(message)).digest('hex'),
    writeToFile: variadic(writeToFile),
    indent: (n: number, s: string) => {
      if (n < 0) throw new Error('indent value must be a positive integer');
      return String(s).replace(/^(?!$)/gm, ' '.repeat(n)).replace(/\n(?=\n)/g, '\n');
    },
    loop: variadic((...args: unknown[]) => {
      if (args.length < 1 || args.length > 2) throw new Error(`loop: wrong number of arguments, expected 1 or 2, but got ${args.length}`);
      const [start, stop] = args.length === 1 ? [0n, toInt64Arg(args[0])] : [toInt64Arg(args[0]), toInt64Arg(args[1])];
      const out: bigint[] = []; // consul-template's loop yields int64s
      for (let i = start; i < stop && out.length < 1_000_000; i++) out.push(i);
      return out;
    }),
    scratch: () => getScratch(),
    add: goArithmetic('add', (a, b) => a + b, (a, b) => a + b),
    subtract: goArithmetic('subtract', (a, b) => a - b, (a, b) => a - b),
    multiply: goArithmetic('multiply', (a, b) => a * b, (a, b) => a * b),
    divide: goArithmetic('divide', intDivide, (a, b) => a / b),
    modulo: goArithmetic('modulo', intModulo),
    minimum: goExtreme('minimum', (a, b) => a < b),
    maximum: goExtreme('maximum', (a, b) => a > b),
    timestamp: variadic((...s: string[]) => {
      if (s.length > 1) throw new Error(`timestamp: wrong number of arguments, expected 0 or 1, but got ${s.length}`);
      const t = now();
      if (s.length === 0) return formatGoTime(t, '2006-01-02T15:04:05Z07:00');
      if (s[0] === 'unix') return String(Math.floor(t.getTime() / 1000));
      return formatGoTime(t, s[0]!);
    }),
  };
}
