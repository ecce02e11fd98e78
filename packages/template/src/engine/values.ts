// How JavaScript values stand in for Go values:
//   undefined          -> an invalid reflect.Value ("<no value>")
//   null               -> nil
//   boolean, string    -> bool, string
//   number             -> int when integral, float64 otherwise
//   bigint             -> int64
//   GoInt              -> an int beyond 2^53 (a literal, sprig_int), exact
//   GoUint             -> uint64 (consul-template's parseUint)
//   GoFloat            -> a whole float64 (`2.0`, `1e3`): a whole number would be an int
//   Array              -> slice
//   Map / plain object -> map (ranged and printed in sorted key order)
//   class instance     -> struct (fields and methods; a missing field is an error)

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'uint' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

/** Go's uint64: 0 to 2^64-1, exact. */
export class GoUint {
  static goTypeName = 'uint64';
  constructor(readonly value: bigint) {}
}

/** Go's int (64 bits) where a number would round: beyond 2^53. Only made by goInt. */
export class GoInt {
  static goTypeName = 'int';
  constructor(readonly value: bigint) {}
}

/** A Go int result: a plain number within 2^53, else exact as a GoInt. */
export function goInt(n: bigint): number | GoInt {
  return n >= -(2n ** 53n - 1n) && n <= 2n ** 53n - 1n ? Number(n) : new GoInt(n);
}

/** A float64 with a whole value, which a plain number would make an int. Only made by goFloat. */
export class GoFloat {
  static goTypeName = 'float64';
  constructor(readonly value: number) {}
}

/** A Go float64 result: a plain number unless it is whole (then a GoFloat, so it stays a float64). */
export function goFloat(n: number): number | GoFloat {
  return Number.isSafeInteger(n) || Object.is(n, -0) ? new GoFloat(n) : n;
}

/** The value of a number of any kind (int, int64, uint64, float64); undefined for anything else. */
export function numberValue(v: unknown): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof GoUint || v instanceof GoFloat || v instanceof GoInt) return v.value;
  return undefined;
}

export function kindOf(v: unknown): Kind {
  if (v === undefined) return 'invalid';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'number': return Number.isSafeInteger(v) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'string': return 'string';
    case 'function': return 'func';
  }
  if (v instanceof GoUint) return 'uint';
  if (v instanceof GoInt) return 'int';
  if (v instanceof GoFloat) return 'float';
  if (Array.isArray(v) || v instanceof Uint8Array) return 'slice';
  if (v instanceof Map || isPlainObject(v)) return 'map';
  return 'struct';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Go's type name, as fmt prints it in `%!d(string=x)`. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return '<nil>';
    case 'bool': return 'bool';
    // A bigint is Go's int64 (Sprig's and consul-template's integer math), a number Go's int.
    case 'int': return typeof v === 'bigint' ? 'int64' : 'int';
    case 'uint': return 'uint64';
    case 'float': return 'float64';
    case 'string': return 'string';
    case 'slice': return '[]interface {}';
    case 'map': return 'map[string]interface {}';
    case 'func': return 'func';
    case 'struct': {
      const ctor = (v as object).constructor as { goTypeName?: string; name?: string };
      return ctor.goTypeName ?? `*${ctor.name ?? 'struct'}`;
    }
  }
}

/** Sorted keys of a map value (Go sorts numbers numerically, strings by bytes). */
export function mapKeys(m: Map<unknown, unknown> | Record<string, unknown>): unknown[] {
  const keys = m instanceof Map ? [...m.keys()] : Object.keys(m);
  return keys.sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const sa = String(a);
    const sb = String(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
}

export function mapGet(m: Map<unknown, unknown> | Record<string, unknown>, key: unknown): { found: boolean; value: unknown } {
  if (m instanceof Map) return { found: m.has(key), value: m.get(key) };
  const k = String(key);
  return Object.prototype.hasOwnProperty.call(m, k) ? { found: true, value: m[k] } : { found: false, value: undefined };
}

export function length(v: unknown): number | undefined {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof Map) return v.size;
  if (isPlainObject(v)) return Object.keys(v).length;
  return undefined;
}

/** Go's template truth: the zero value and empty collections are false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return false;
    case 'bool': return v as boolean;
    case 'int': case 'uint': case 'float': return Number(numberValue(v)) !== 0;
    case 'string': case 'slice': case 'map': return length(v)! > 0;
    case 'func': case 'struct': return true;
  }
}

/** Struct fields are own or prototype properties of a class instance (not Object's: `.constructor` is no field). */
export function structField(v: object, name: string): { found: boolean; value: unknown } {
  if (name in v && !(name in Object.prototype)) return { found: true, value: (v as Record<string, unknown>)[name] };
  return { found: false, value: undefined };
}
