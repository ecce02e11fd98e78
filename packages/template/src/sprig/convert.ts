// Go's conversions that Sprig leans on: text/template's argument checks for typed
// parameters, fmt's %v (strval), spf13/cast (toInt64, toFloat64), and reflect's
// emptiness and deep equality (sprig's defaults.go empty, list.go inList).

import { sprint } from '../engine/fmt.js';
import { GoFloat, GoInt, GoUint, isPlainObject, kindOf, length, mapGet, mapKeys, numberValue, typeName } from '../engine/values.js';

/** text/template's check of an argument for a `string` parameter. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) throw new Error('invalid value; expected string');
  throw new Error(`wrong type for value; expected string; got ${typeName(v)}`);
}

/** text/template's check of an argument for an `int` parameter: Go's int, exact on 64 bits. */
export function intArg(v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (v instanceof GoInt) return v.value;
  if (v === null || v === undefined) throw new Error('invalid value; expected int');
  throw new Error(`wrong type for value; expected int; got ${typeName(v)}`);
}

/**
 * An `int` parameter that is a count, width or position: compared with lengths only, where a
 * value beyond 2^53 and its nearest number are both beyond any length and give the same result.
 * A parameter whose value reaches the output (seq, until, randInt) takes intArg.
 */
export function int(v: unknown): number {
  return Number(intArg(v));
}

/** text/template's check of an argument for a `bool` parameter. */
export function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) throw new Error('invalid value; expected bool');
  throw new Error(`wrong type for value; expected bool; got ${typeName(v)}`);
}

/** A `map[string]interface{}` parameter. */
export type Dict = Record<string, unknown>;
export function dict(v: unknown): Dict {
  if (isPlainObject(v)) return v;
  if (v === null || v === undefined) throw new Error('invalid value; expected map[string]interface {}');
  throw new Error(`wrong type for value; expected map[string]interface {}; got ${typeName(v)}`);
}

/** A slice or array in reflect's sense (Sprig's list functions accept any of them). */
export function isList(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

/** reflect.Kind's name, as Sprig's "Cannot ... on type %s" errors and kindOf print it. */
export function goKind(v: unknown): string {
  const k = kindOf(v);
  switch (k) {
    case 'nil': case 'invalid': return 'invalid';
    case 'int': return typeof v === 'bigint' ? 'int64' : 'int';
    case 'uint': return 'uint64';
    case 'float': return 'float64';
    case 'struct': return 'ptr';
    default: return k;
  }
}

/** sprig's strval: strings as they are, Stringers by String(), the rest by fmt's %v. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return sprint([v]);
}

/** Go int64 wrap-around of an integer result; a bigint is Go's int64 here. */
export function int64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}

/** strconv.ParseInt(s, 0, 64) for cast: 0x/0o/0b prefixes, underscores only with a prefix. */
function parseIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  let body = m[2]!;
  if (body.includes('_') && !/^0[xXoObB]?/.test(body)) return undefined;
  body = body.replace(/_/g, '');
  let n: bigint;
  if (/^0[0-7]+$/.test(body)) n = BigInt('0o' + body.slice(1));
  else n = BigInt(body.replace(/^0([OXB])/, (_a, c: string) => '0' + c.toLowerCase()));
  if (m[1] === '-') n = -n;
  if (n < -(2n ** 63n) || n >= 2n ** 63n) return undefined;
  return n;
}

/** spf13/cast's ToInt64: numbers truncate, bools are 0/1, strings parse with base 0 ("8.0" too); the rest is 0. */
export function toInt64(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof GoInt) return v.value;
  if (v instanceof GoUint) return BigInt.asIntN(64, v.value);
  if (v instanceof GoFloat) return BigInt(v.value);
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    // cast trims a ".0..." decimal tail before parsing.
    const s = /^[^.]+\.0*$/.test(v) ? v.slice(0, v.indexOf('.')) : v;
    return parseIntBase0(s) ?? 0n;
  }
  return 0n;
}

/** spf13/cast's ToFloat64: numbers, bools as 0/1, strings by strconv.ParseFloat; the rest is 0. */
export function toFloat64(v: unknown): number {
  const n = numberValue(v);
  if (n !== undefined) return Number(n);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.replace(/_/g, '');
    if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|[iI]nf(inity)?|NaN|0[xX][0-9a-fA-F.]+[pP][+-]?\d+)$/.test(t)) return 0;
    const n = /inf/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t);
    return Number.isNaN(n) && !/NaN/.test(t) ? 0 : n;
  }
  return 0;
}

/** sprig's empty: nil, zero numbers, false, and empty strings, lists and maps; a struct never is. */
export function isEmpty(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return true;
    case 'bool': return v === false;
    case 'int': case 'uint': case 'float': return Number(numberValue(v)) === 0;
    case 'string': case 'slice': case 'map': return length(v) === 0;
    default: return false;
  }
}

/** reflect.DeepEqual over our values (ints and floats are distinct types in Go). */
export function deepEqual(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  switch (ka) {
    case 'slice': {
      const x = a as unknown[];
      const y = b as unknown[];
      return x.length === y.length && x.every((e, i) => deepEqual(e, y[i]));
    }
    case 'map': {
      const x = a as Map<unknown, unknown> | Record<string, unknown>;
      const y = b as Map<unknown, unknown> | Record<string, unknown>;
      const kx = mapKeys(x);
      if (kx.length !== mapKeys(y).length) return false;
      return kx.every((k) => {
        const r = mapGet(y, k);
        return r.found && deepEqual(mapGet(x, k).value, r.value);
      });
    }
    case 'struct': {
      if (a === b) return true;
      if ((a as object).constructor !== (b as object).constructor) return false;
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const keys = Object.keys(x);
      return keys.length === Object.keys(y).length && keys.every((k) => deepEqual(x[k], y[k]));
    }
    case 'uint': case 'float':
      return numberValue(a) === numberValue(b);
    default:
      // Same kind: equal scalars, or both nil.
      return a === b || ka === 'nil';
  }
}
