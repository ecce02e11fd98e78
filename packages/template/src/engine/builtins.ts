// Go text/template's predefined functions (text/template/funcs.go).

import type { FuncMap, TemplateFunc } from './exec.js';
import { variadic } from './exec.js';
import { sprint, sprintf, sprintln } from './fmt.js';
import { isTrue, kindOf, length, mapGet, numberValue, typeName } from './values.js';

function compareKind(v: unknown): 'bool' | 'int' | 'uint' | 'float' | 'string' | 'other' {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'uint' || k === 'float' || k === 'string' ? k : 'other';
}

/** funcs.go: integers compare by value whatever their sign ("int" with "uint"); floats only with floats. */
const integer = (k: string) => k === 'int' || k === 'uint';
const big = (v: unknown) => BigInt(numberValue(v)!);

function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = compareKind(arg1);
  for (const arg of rest) {
    const k2 = compareKind(arg);
    let truth: boolean;
    if (k1 !== k2 && integer(k1) && integer(k2)) {
      truth = big(arg1) === big(arg);
    } else if (k1 !== k2) {
      const nil1 = arg1 === null || arg1 === undefined;
      const nil2 = arg === null || arg === undefined;
      if (!nil1 && !nil2) throw new Error('incompatible types for comparison');
      truth = nil1 && nil2;
    } else if (integer(k1)) {
      truth = big(arg1) === big(arg); // int and int64 compare by value
    } else if (k1 === 'float') {
      truth = Number(numberValue(arg1)) === Number(numberValue(arg));
    } else if (k1 !== 'other') {
      truth = arg1 === arg;
    } else {
      const nil1 = arg1 === null || arg1 === undefined;
      const nil2 = arg === null || arg === undefined;
      if (nil1 || nil2) truth = nil1 === nil2;
      else {
        const k = kindOf(arg);
        if (k === 'slice' || k === 'map' || k === 'func') throw new Error(`non-comparable type ${sprint([arg])}: ${typeName(arg)}`);
        truth = arg1 === arg;
      }
    }
    if (truth) return true;
  }
  return false;
}
eq.variadic = true;

function lt(a: unknown, b: unknown): boolean {
  const k1 = compareKind(a);
  const k2 = compareKind(b);
  if (k1 === 'other' || k2 === 'other') throw new Error('invalid type for comparison');
  if (integer(k1) && integer(k2)) return big(a) < big(b);
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  if (k1 === 'string') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0;
  return Number(numberValue(a)) < Number(numberValue(b));
}

function indexArg(index: unknown, len: number): number {
  if (index === null || index === undefined) throw new Error('cannot index slice/array with nil');
  if (!integer(kindOf(index))) throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  // funcs.go indexArg: the exact int64 (a uint64 converted to it, so 2^63 and over turn negative).
  const n = BigInt(numberValue(index)!);
  const x = kindOf(index) === 'uint' ? BigInt.asIntN(64, n) : n;
  if (x < 0n || x > BigInt(len)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let v = item;
  if (v === undefined || v === null) throw new Error('index of untyped nil');
  for (const ix of indexes) {
    if (v === null || v === undefined) throw new Error('index of nil pointer');
    if (typeof v === 'string') {
      const bytes = Buffer.from(v);
      const x = indexArg(ix, bytes.length);
      if (x === bytes.length) throw new Error(`index out of range: ${x}`);
      v = bytes[x];
    } else if (Array.isArray(v)) {
      const x = indexArg(ix, v.length);
      if (x === v.length) throw new Error(`index out of range: ${x}`);
      v = v[x];
    } else if (kindOf(v) === 'map') {
      if (ix === null || ix === undefined) throw new Error('value is nil; should be of type string');
      if (!(v instanceof Map) && typeof ix !== 'string') throw new Error(`value has type ${typeName(ix)}; should be string`);
      const r = mapGet(v as Map<unknown, unknown> | Record<string, unknown>, ix);
      v = r.found ? r.value : undefined;
    } else {
      throw new Error(`can't index item of type ${typeName(v)}`);
    }
  }
  return v;
}
index.variadic = true;

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let isString = false;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = Buffer.byteLength(item);
    isString = true;
  } else if (Array.isArray(item)) len = item.length;
  else throw new Error(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, len);
  });
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (isString) return Buffer.from(item as string).subarray(idx[0], idx[1]).toString('utf8');
  return (item as unknown[]).slice(idx[0], idx[1]);
}
slice.variadic = true;

function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

export function jsEscapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || /[\p{Cf}\p{Zl}\p{Zp}]/u.test(ch)) {
      out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    } else out += ch;
  }
  return out;
}

export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const and: TemplateFunc = Object.assign((_a: unknown, ..._rest: unknown[]) => undefined, { variadic: true, builtin: 'and' as const });
const or: TemplateFunc = Object.assign((_a: unknown, ..._rest: unknown[]) => undefined, { variadic: true, builtin: 'or' as const });

export const builtins: FuncMap = {
  and,
  or,
  not: (a: unknown) => !isTrue(a),
  eq,
  ne: (a: unknown, b: unknown) => !eq(a, b),
  lt,
  le: (a: unknown, b: unknown) => lt(a, b) || eq(a, b),
  gt: (a: unknown, b: unknown) => !(lt(a, b) || eq(a, b)),
  ge: (a: unknown, b: unknown) => !lt(a, b),
  len: (v: unknown) => {
    if (v === null || v === undefined) throw new Error('len of nil pointer');
    const n = length(v);
    if (n === undefined) throw new Error(`len of type ${typeName(v)}`);
    return n;
  },
  index,
  slice,
  print: variadic((...args: unknown[]) => sprint(args)),
  printf: variadic(function printf(format: unknown, ...args: unknown[]) {
    if (typeof format !== 'string') throw new Error(`wrong type for value; expected string; got ${typeName(format)}`);
    return sprintf(format, args);
  }),
  println: variadic((...args: unknown[]) => sprintln(args)),
  html: variadic((...args: unknown[]) => htmlEscapeString(evalArgs(args))),
  js: variadic((...args: unknown[]) => jsEscapeString(evalArgs(args))),
  urlquery: variadic((...args: unknown[]) => queryEscape(evalArgs(args))),
  call: variadic((fn: unknown, ...args: unknown[]) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  }),
};
