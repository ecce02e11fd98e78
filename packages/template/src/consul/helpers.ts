// consul-template's helper functions (template/funcs.go): collections,
// strings, JSON, math, time. Argument order follows consul-template so the
// pipe forms work: `{{ .Tags | join "," }}`, `{{ 5 | subtract 1 }}`.

import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { isPlainObject, kindOf, mapKeys, typeName } from '../engine/values.js';
import { CatalogSnippet, HealthService, KeyPair } from './data.js';
import { formatGoTime } from './gotime.js';
import type { Scratch } from './scratch.js';

/** `in`: is v an element of list l (same kind), or a substring of string l. */
function inList(l: unknown, v: unknown): boolean {
  if (Array.isArray(l)) {
    const kv = kindOf(v);
    return l.some((e) => {
      const ke = kindOf(e);
      if (ke === 'string') return kv === 'string' && e === v;
      if (ke === 'int' || ke === 'float') return (kv === 'int' || kv === 'float') && ke === kv && e === v;
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

function toInt(v: unknown, fn: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    if (v === '') return 0;
    if (!/^[+-]?\d+$/.test(v)) throw new Error(`${fn}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  }
  throw new Error(`${fn}: bad argument type: ${typeName(v)}`);
}

function math(name: string, op: (a: number, b: number, ints: boolean) => number, intsOnly = false) {
  // consul-template's math helpers take (b, a) and compute a <op> b.
  return (b: unknown, a: unknown): number => {
    const ka = kindOf(a);
    const kb = kindOf(b);
    const num = (k: string) => k === 'int' || (!intsOnly && k === 'float');
    if (!num(ka)) throw new Error(`${name}: unknown type for ${JSON.stringify(String(a))} (${typeName(a)})`);
    if (!num(kb)) throw new Error(`${name}: unknown type for ${JSON.stringify(String(b))} (${typeName(b)})`);
    return op(a as number, b as number, ka === 'int' && kb === 'int');
  };
}

/** Go's json.Marshal: sorted map keys, struct fields in order, HTML-safe escapes. */
export function goJSON(v: unknown, indent?: string): string {
  const norm = (x: unknown): unknown => {
    if (x === undefined || x === null) return null;
    if (Array.isArray(x)) return x.map(norm);
    if (x instanceof Map) return norm(Object.fromEntries(x));
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const keys = isPlainObject(x) ? (mapKeys(o) as string[]) : Object.keys(o);
      // fromEntries defines own keys: assigning out['__proto__'] would set the prototype.
      return Object.fromEntries(keys.filter((k) => typeof o[k] !== 'function').map((k) => [k, norm(o[k])]));
    }
    if (typeof x === 'number' && !Number.isFinite(x)) throw new Error(`json: unsupported value: ${x}`);
    return x;
  };
  const s = JSON.stringify(norm(v), null, indent) ?? 'null';
  return s.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Go regexp's ReplaceAllString template: $1, ${1}, $name, ${name}, $$. */
function expandGo(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, d: string, braced?: string, bare?: string) => {
    if (d === '$') return '$';
    const name = braced ?? bare ?? '';
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

/** Go RE2 syntax that JavaScript spells differently. */
function goRegex(re: string, flags = ''): RegExp {
  let src = re.replace(/\(\?P</g, '(?<');
  let f = flags;
  const inline = /^\(\?([imsU]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const c of inline[1]!) if ('ims'.includes(c) && !f.includes(c)) f += c;
  }
  src = src.replace(/\\z/g, '$').replace(/\\A/g, '^');
  return new RegExp(src, f + 'u');
}

function toTitle(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
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
    contains: (v: unknown, l: unknown) => inList(l, v),
    containsAll: containsSome(true, false),
    containsAny: containsSome(false, false),
    containsNone: containsSome(true, true),
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
    replaceAll: (f: string, t: string, s: string) => String(s).split(f).join(t),
    regexMatch: (re: string, s: string) => goRegex(re).test(String(s)),
    regexReplaceAll: (re: string, pl: string, s: string) => {
      const r = goRegex(re, 'g');
      return String(s).replace(r, (...args: unknown[]) => {
        const groups = typeof args[args.length - 1] === 'object' ? (args[args.length - 1] as Record<string, string>) : undefined;
        const caps = args.slice(0, groups ? -3 : -2) as string[];
        const m = Object.assign([...caps], { groups, index: 0, input: '' }) as unknown as RegExpExecArray;
        return expandGo(pl, m);
      });
    },
    toJSON: (v: unknown) => goJSON(v),
    toJSONPretty: (v: unknown) => goJSON(v, '  '),
    parseJSON: (s: string) => (s === '' ? {} : JSON.parse(s)),
    toLower: (s: string) => String(s).toLowerCase(),
    toUpper: (s: string) => String(s).toUpperCase(),
    toTitle: (s: string) => toTitle(String(s)),
    trimSpace: (s: string) => String(s).trim(),
    trim: (cutset: string, s: string) => {
      const set = new Set([...cutset]);
      const chars = [...String(s)];
      let a = 0;
      let b = chars.length;
      while (a < b && set.has(chars[a]!)) a++;
      while (b > a && set.has(chars[b - 1]!)) b--;
      return chars.slice(a, b).join('');
    },
    trimPrefix: (p: string, s: string) => (String(s).startsWith(p) ? String(s).slice(p.length) : String(s)),
    trimSuffix: (p: string, s: string) => (p !== '' && String(s).endsWith(p) ? String(s).slice(0, -p.length) : String(s)),
    parseInt: (s: string) => toInt(s, 'parseInt'),
    parseFloat: (s: string) => {
      if (s === '') return 0;
      const f = Number(s);
      if (Number.isNaN(f)) throw new Error(`parseFloat: strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
      return f;
    },
    parseBool: (s: string) => {
      if (s === '') return false;
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
      throw new Error(`parseBool: strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
    },
    base64Encode: (s: string) => Buffer.from(String(s)).toString('base64'),
    base64Decode: (s: string) => Buffer.from(String(s), 'base64').toString('utf8'),
    indent: (n: number, s: string) => {
      if (n < 0) throw new Error('indent value must be a positive integer');
      return String(s).replace(/^(?!$)/gm, ' '.repeat(n)).replace(/\n(?=\n)/g, '\n');
    },
    loop: variadic((...args: unknown[]) => {
      if (args.length < 1 || args.length > 2) throw new Error(`loop: wrong number of arguments, expected 1 or 2, but got ${args.length}`);
      const [start, stop] = args.length === 1 ? [0, toInt(args[0], 'loop')] : [toInt(args[0], 'loop'), toInt(args[1], 'loop')];
      const out: number[] = [];
      for (let i = start; i < stop && out.length < 1_000_000; i++) out.push(i);
      return out;
    }),
    scratch: () => getScratch(),
    add: math('add', (a, b) => a + b),
    subtract: math('subtract', (a, b) => a - b),
    multiply: math('multiply', (a, b) => a * b),
    divide: math('divide', (a, b, ints) => {
      if (ints) {
        if (b === 0) throw new Error('runtime error: integer divide by zero');
        return Math.trunc(a / b);
      }
      return a / b;
    }),
    modulo: math('modulo', (a, b) => {
      if (b === 0) throw new Error('runtime error: integer divide by zero');
      return a % b;
    }, true),
    minimum: math('minimum', (a, b) => Math.min(a, b)),
    maximum: math('maximum', (a, b) => Math.max(a, b)),
    timestamp: variadic((...s: string[]) => {
      if (s.length > 1) throw new Error(`timestamp: wrong number of arguments, expected 0 or 1, but got ${s.length}`);
      const t = now();
      if (s.length === 0) return formatGoTime(t, '2006-01-02T15:04:05Z07:00');
      if (s[0] === 'unix') return String(Math.floor(t.getTime() / 1000));
      return formatGoTime(t, s[0]!);
    }),
  };
}
