// Sprig's dict functions (sprig dict.go). Dicts are plain objects
// (map[string]interface{}); set/unset change the dict in place, as in Go.
// merge follows dario.cat/mergo: nested maps merge, a dst value that is not
// empty stays unless overwriting (and then an empty src value does not win).

import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { isPlainObject, mapKeys } from '../engine/values.js';
import { type Dict, dict, isEmpty, str, strval } from './convert.js';

const own = (d: Dict, k: string) => Object.hasOwn(d, k);

function put(d: Dict, k: string, v: unknown): void {
  Object.defineProperty(d, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** mergo.Merge / MergeWithOverwrite of map[string]interface{} values. */
function mergeInto(dst: Dict, src: Dict, overwrite: boolean, depth = 0): void {
  if (depth > 100) throw new Error('merge: maps nested too deeply');
  for (const k of Object.keys(src)) {
    const sv = src[k];
    const dv = dst[k];
    if (own(dst, k) && isPlainObject(dv) && isPlainObject(sv)) {
      mergeInto(dv, sv, overwrite, depth + 1);
      continue;
    }
    if (!own(dst, k) || isEmpty(dv) || (overwrite && !isEmpty(sv))) put(dst, k, sv);
  }
}

function merge(overwrite: boolean) {
  return variadic((dst: unknown, ...srcs: unknown[]) => {
    const d = dict(dst);
    for (const s of srcs) mergeInto(d, dict(s), overwrite);
    return d;
  });
}

function deepCopy(v: unknown, depth = 0): unknown {
  if (depth > 1000) throw new Error('deepCopy: value nested too deeply');
  if (Array.isArray(v)) return v.map((e) => deepCopy(e, depth + 1));
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, deepCopy(v[k], depth + 1)]));
  if (v instanceof Map) return new Map([...v].map(([k, e]) => [k, deepCopy(e, depth + 1)]));
  return v;
}

function dig(args: unknown[]): unknown {
  if (args.length < 3) throw new Error('dig needs at least three arguments');
  let d: unknown = args[args.length - 1];
  const def = args[args.length - 2];
  const keys = args.slice(0, -2);
  for (const [i, k] of keys.entries()) {
    if (typeof k !== 'string') throw new Error(`interface conversion: interface {} is ${k === null ? 'nil' : typeof k}, not string`);
    if (!isPlainObject(d)) throw new Error('interface conversion: interface {} is not map[string]interface {}');
    if (!own(d, k)) return def;
    d = d[k];
    if (i === keys.length - 1) return d;
  }
  return d;
}

export const dictFuncs: FuncMap = {
  dict: variadic((...v: unknown[]) => {
    const d: Dict = {};
    for (let i = 0; i < v.length; i += 2) put(d, strval(v[i]), i + 1 < v.length ? v[i + 1] : '');
    return d;
  }),
  get: (d: unknown, k: unknown) => (own(dict(d), str(k)) ? dict(d)[str(k)] : ''),
  set: (d: unknown, k: unknown, v: unknown) => {
    put(dict(d), str(k), v);
    return d;
  },
  unset: (d: unknown, k: unknown) => {
    delete dict(d)[str(k)];
    return d;
  },
  hasKey: (d: unknown, k: unknown) => own(dict(d), str(k)),
  pluck: variadic((k: unknown, ...ds: unknown[]) => ds.map(dict).filter((d) => own(d, str(k))).map((d) => d[str(k)])),
  // Go ranges maps in random order; ours is sorted, which is one of those orders.
  keys: variadic((...ds: unknown[]) => ds.flatMap((d) => mapKeys(dict(d)) as string[])),
  values: (d: unknown) => (mapKeys(dict(d)) as string[]).map((k) => dict(d)[k]),
  pick: variadic((d: unknown, ...ks: unknown[]) => {
    const out: Dict = {};
    for (const k of ks.map(str)) if (own(dict(d), k)) put(out, k, dict(d)[k]);
    return out;
  }),
  omit: variadic((d: unknown, ...ks: unknown[]) => {
    const drop = new Set(ks.map(str));
    const out: Dict = {};
    for (const k of Object.keys(dict(d))) if (!drop.has(k)) put(out, k, dict(d)[k]);
    return out;
  }),
  merge: merge(false),
  mustMerge: merge(false),
  mergeOverwrite: merge(true),
  mustMergeOverwrite: merge(true),
  deepCopy: (v: unknown) => deepCopy(v),
  mustDeepCopy: (v: unknown) => deepCopy(v),
  dig: variadic((...args: unknown[]) => dig(args)),
};
