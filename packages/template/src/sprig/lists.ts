// Sprig's list functions (sprig list.go). Each has a must* twin that returns
// the error; the plain one panics, which the template reports the same way.

import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { deepEqual, goKind, int, isEmpty, isList, strval, toInt64 } from './convert.js';

type ListOp = (list: unknown[], ...rest: any[]) => unknown;

/** A list function: `what` names it in "Cannot <what> on type <kind>". */
function listFunc(what: string, op: ListOp, arity: 1 | 2): ((...a: unknown[]) => unknown) {
  const check = (list: unknown) => {
    if (list === null || list === undefined) throw new Error('runtime error: invalid memory address or nil pointer dereference');
    if (!isList(list)) throw new Error(`Cannot ${what} type ${goKind(list)}`);
    return list;
  };
  return arity === 1 ? (list: unknown) => op(check(list)) : (list: unknown, v: unknown) => op(check(list), v);
}

/** sprig's strslice: a list's non-nil elements as strings; nil is an empty list; anything else one string. */
export function strslice(v: unknown): string[] {
  if (isList(v)) return v.filter((e) => e !== null && e !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

const has = (needle: unknown, list: unknown[]) => list.some((e) => deepEqual(needle, e));

function chunk(size: number, list: unknown[]): unknown[][] {
  // sprig's arithmetic: size 0 panics in Go (integer divide by zero on Mod of floats gives NaN there).
  if (size <= 0) throw new Error('runtime error: makeslice: len out of range');
  const out: unknown[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function slice(list: unknown[], ...indices: unknown[]): unknown {
  if (list.length === 0) return null;
  const start = indices.length > 0 ? Number(toInt64(indices[0])) : 0;
  const end = indices.length > 1 ? Number(toInt64(indices[1])) : list.length;
  if (start < 0 || end > list.length || start > end) throw new Error(`reflect: slice index out of range`);
  return list.slice(start, end);
}

const ops: Record<string, [string, ListOp, 1 | 2]> = {
  Push: ['push on', (l, v) => [...l, v], 2],
  Prepend: ['prepend on', (l, v) => [v, ...l], 2],
  First: ['find first on', (l) => (l.length === 0 ? null : l[0]), 1],
  Last: ['find last on', (l) => (l.length === 0 ? null : l[l.length - 1]), 1],
  Rest: ['find rest on', (l) => l.slice(1), 1],
  Initial: ['find initial on', (l) => l.slice(0, -1), 1],
  Reverse: ['find reverse on', (l) => [...l].reverse(), 1],
  Compact: ['compact on', (l) => l.filter((e) => !isEmpty(e)), 1],
  Uniq: ['find uniq on', (l) => l.reduce<unknown[]>((acc, e) => (has(e, acc) ? acc : [...acc, e]), []), 1],
};

const funcs: FuncMap = {
  list: variadic((...v: unknown[]) => v),
  tuple: variadic((...v: unknown[]) => v),
  sortAlpha: (v: unknown) => (isList(v) ? strslice(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))) : [strval(v)]),
  toStrings: (v: unknown) => strslice(v),
  join: (sep: unknown, v: unknown) => {
    if (typeof sep !== 'string') throw new Error(`wrong type for value; expected string; got ${goKind(sep)}`);
    return strslice(v).join(sep);
  },
  chunk: (size: unknown, list: unknown) => listFunc('chunk', (l) => chunk(int(size), l), 1)(list),
  mustChunk: (size: unknown, list: unknown) => listFunc('chunk', (l) => chunk(int(size), l), 1)(list),
  without: variadic((list: unknown, ...omit: unknown[]) => listFunc('find without on', (l) => l.filter((e) => !has(e, omit)), 1)(list)),
  mustWithout: variadic((list: unknown, ...omit: unknown[]) => listFunc('find without on', (l) => l.filter((e) => !has(e, omit)), 1)(list)),
  has: (needle: unknown, hay: unknown) => (hay === null || hay === undefined ? false : listFunc('find has on', (l) => has(needle, l), 1)(hay)),
  mustHas: (needle: unknown, hay: unknown) => (hay === null || hay === undefined ? false : listFunc('find has on', (l) => has(needle, l), 1)(hay)),
  slice: variadic((list: unknown, ...ix: unknown[]) => {
    if (!isList(list)) throw new Error(`list should be type of slice or array but ${goKind(list)}`);
    return slice(list, ...ix);
  }),
  mustSlice: variadic((list: unknown, ...ix: unknown[]) => {
    if (!isList(list)) throw new Error(`list should be type of slice or array but ${goKind(list)}`);
    return slice(list, ...ix);
  }),
  concat: variadic((...lists: unknown[]) => {
    const out: unknown[] = [];
    for (const l of lists) {
      if (!isList(l)) throw new Error(`Cannot concat type ${goKind(l)} as list`);
      out.push(...l);
    }
    return out;
  }),
};
for (const [name, [what, op, arity]] of Object.entries(ops)) {
  const lower = name[0]!.toLowerCase() + name.slice(1);
  funcs[lower] = listFunc(what, op, arity);
  funcs[`must${name}`] = listFunc(what, op, arity);
}
funcs.append = funcs.push!;
funcs.mustAppend = funcs.mustPush!;

export const listFuncs: FuncMap = funcs;
