// Decoding a JSON body the way Consul's Go decoder does: keys match struct fields without
// regard to case, unknown keys are refused, and a value of the wrong type is an error naming
// the struct field. Null leaves a field unset. Messages are Go's, prefixed by the caller.
import { badRequest } from './http-error.js';

export type FieldType =
  | 'string'
  | 'int'
  | 'uint64'
  | 'bool'
  | 'strings'
  | 'stringMap'
  | 'any'
  /** A struct whose fields this agent does not use (Connect, Proxy): an object, kept as given. */
  | { opaque: string }
  | StructSchema
  | { arrayOf: FieldType }
  | { mapOf: FieldType };

export interface StructSchema {
  /** Go type name for messages, e.g. "structs.RegisterRequest". */
  name: string;
  fields: Record<string, FieldType>;
}

export class DecodeError extends Error {}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function goType(t: FieldType): string {
  if (typeof t === 'string') {
    return { string: 'string', int: 'int', uint64: 'uint64', bool: 'bool', strings: '[]string', stringMap: 'map[string]string', any: 'interface {}' }[t];
  }
  if ('opaque' in t) return t.opaque;
  if ('arrayOf' in t) return `[]${goType(t.arrayOf)}`;
  if ('mapOf' in t) return `map[string]${goType(t.mapOf)}`;
  return t.name;
}

function mismatch(v: unknown, field: string, t: FieldType): DecodeError {
  return new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${goType(t)}`);
}

function decodeValue(v: unknown, t: FieldType, field: string): unknown {
  if (v === null) return undefined;
  if (t === 'any') return v;
  if (t === 'string') {
    if (typeof v !== 'string') throw mismatch(v, field, t);
    return v;
  }
  if (t === 'bool') {
    if (typeof v !== 'boolean') throw mismatch(v, field, t);
    return v;
  }
  if (t === 'int' || t === 'uint64') {
    if (typeof v !== 'number') throw mismatch(v, field, t);
    if (!Number.isInteger(v) || (t === 'uint64' && v < 0)) {
      throw new DecodeError(`json: cannot unmarshal number ${v} into Go struct field ${field} of type ${goType(t)}`);
    }
    return v;
  }
  if (t === 'strings') {
    if (!Array.isArray(v)) throw mismatch(v, field, t);
    return v.map((x) => {
      if (typeof x !== 'string') throw mismatch(x, field, 'string');
      return x;
    });
  }
  if (t === 'stringMap') {
    if (typeof v !== 'object' || Array.isArray(v)) throw mismatch(v, field, t);
    for (const x of Object.values(v as object)) if (typeof x !== 'string') throw mismatch(x, field, 'string');
    return { ...(v as Record<string, string>) };
  }
  if ('opaque' in t) {
    if (typeof v !== 'object' || Array.isArray(v)) throw mismatch(v, field, t);
    return v;
  }
  if ('arrayOf' in t) {
    if (!Array.isArray(v)) throw mismatch(v, field, t);
    return v.map((x) => decodeValue(x, t.arrayOf, field));
  }
  if ('mapOf' in t) {
    if (typeof v !== 'object' || Array.isArray(v)) throw mismatch(v, field, t);
    return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, decodeValue(x, t.mapOf, field)]));
  }
  return decodeStruct(v, t, field);
}

/** Decodes an object against `schema`; throws DecodeError with Go's wording. */
export function decodeStruct(raw: unknown, schema: StructSchema, field = schema.name): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DecodeError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type ${schema.name}`);
  }
  const byLower = new Map(Object.keys(schema.fields).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const canonical = byLower.get(key.toLowerCase());
    if (!canonical) throw new DecodeError(`json: unknown field "${key}"`);
    const decoded = decodeValue(value, schema.fields[canonical]!, `${schema.name.split('.').pop()}.${canonical}`);
    if (decoded !== undefined) out[canonical] = decoded;
  }
  return out;
}

/**
 * decodeStruct with Consul's HTTP wording: 400 `Request decode failed: <err>`; `reword` rewrites
 * the decode error first, as some of Consul's handlers do.
 */
export function decodeBodyAs(raw: unknown, schema: StructSchema, reword: (message: string) => string = (m) => m): Record<string, unknown> {
  try {
    return decodeStruct(raw, schema);
  } catch (err) {
    if (err instanceof DecodeError) throw badRequest(`Request decode failed: ${reword(err.message)}`);
    throw err;
  }
}
