// How JavaScript values stand in for Go values:
//   undefined          -> an invalid reflect.Value ("<no value>")
//   null               -> nil
//   boolean, string    -> bool, string
//   number             -> int when integral, float64 otherwise
//   Array              -> slice
//   Map / plain object -> map (ranged and printed in sorted key order)
//   class instance     -> struct (fields and methods; a missing field is an error)

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

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
    case 'int': case 'float': return Number(v) !== 0;
    case 'string': case 'slice': case 'map': return length(v)! > 0;
    case 'func': case 'struct': return true;
  }
}

/** Struct fields are own or prototype properties of a class instance (not Object's: `.constructor` is no field). */
export function structField(v: object, name: string): { found: boolean; value: unknown } {
  if (name in v && !(name in Object.prototype)) return { found: true, value: (v as Record<string, unknown>)[name] };
  return { found: false, value: undefined };
}
