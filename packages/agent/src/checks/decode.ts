/**
 * A small schema-driven decoder for Consul-style JSON objects. Keys match without regard to
 * case or underscores (`TLSSkipVerify`, `tls_skip_verify`, `tlsskipverify`), as Consul's
 * decoders accept both the HTTP API's PascalCase and the config files' snake_case.
 * Unknown keys and wrong types throw DecodeError naming the key path.
 */
import { formatGoDuration, parseGoDuration } from '@proconsul/catalog';

export type FieldType =
  | 'string'
  | 'bool'
  | 'int'
  | 'duration'
  | 'strings'
  | 'stringMap'
  | 'headerMap'
  | 'any'
  /** A struct whose fields this agent does not use (Connect, Proxy): an object, kept as given. */
  | { opaque: string }
  /** A list of free-form objects kept as given (the agent config's `watches`); lists append on merge. */
  | { opaqueArray: string }
  | { object: ObjectSpec }
  | { array: ObjectSpec }
  | { map: ObjectSpec };

export interface FieldSpec {
  /** Output key. */
  name: string;
  type: FieldType;
  /** Other accepted input keys (besides the name itself). */
  aliases?: readonly string[];
}

export interface ObjectSpec {
  /** Go struct name, used in type error messages like Go's encoding/json. */
  struct: string;
  fields: readonly FieldSpec[];
}

export type DecodeProblem = 'unknown-key' | 'type';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    message: string,
    /** Key path in config-file style, e.g. `services[0].check.interval`. */
    readonly path: string,
    readonly problem: DecodeProblem,
  ) {
    super(message);
  }
}

/** The matching form of a key: lower case, no underscores or dashes. */
export function foldKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

const GO_TYPE: Record<string, string> = {
  string: 'string',
  bool: 'bool',
  int: 'int',
  duration: 'time.Duration',
  strings: '[]string',
  stringMap: 'map[string]string',
  headerMap: 'map[string][]string',
};

function typeError(value: unknown, type: FieldType, struct: string, field: string, path: string): DecodeError {
  const goType =
    typeof type === 'string' ? GO_TYPE[type] ?? 'interface {}'
    : 'opaque' in type ? type.opaque
    : 'opaqueArray' in type ? type.opaqueArray
    : 'object' in type ? type.object.struct
    : 'array' in type ? `[]${type.array.struct}`
    : `map[string]${type.map.struct}`;
  const kind = jsonKind(value);
  const shown = kind === 'number' ? `number ${String(value)}` : kind;
  return new DecodeError(
    `json: cannot unmarshal ${shown} into Go struct field ${struct}.${field} of type ${goType}`,
    path,
    'type',
  );
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeValue(value: unknown, field: FieldSpec, struct: string, path: string): unknown {
  const { type } = field;
  const fail = (): DecodeError => typeError(value, type, struct, field.name, path);
  if (typeof type === 'object') {
    if ('opaque' in type) {
      if (!isPlainObject(value)) throw fail();
      return value;
    }
    if ('opaqueArray' in type) {
      if (!Array.isArray(value) || !value.every(isPlainObject)) throw fail();
      return value.map((v) => ({ ...v }));
    }
    if ('object' in type) {
      if (!isPlainObject(value)) throw fail();
      return decodeObject(value, type.object, path);
    }
    if ('array' in type) {
      if (!Array.isArray(value)) throw fail();
      return value.map((item, i) => {
        if (!isPlainObject(item)) throw typeError(item, type, struct, field.name, `${path}[${i}]`);
        return decodeObject(item, type.array, `${path}[${i}]`);
      });
    }
    if (!isPlainObject(value)) throw fail();
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (!isPlainObject(v)) throw typeError(v, type, struct, field.name, join(path, k));
        return [k, decodeObject(v, type.map, join(path, k))];
      }),
    );
  }
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw fail();
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw fail();
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw fail();
      return value;
    case 'duration':
      // Consul's duration fields take a Go duration string or a number of nanoseconds.
      if (typeof value !== 'number' && typeof value !== 'string') throw fail();
      try {
        const ms = parseGoDuration(value);
        return typeof value === 'number' ? formatGoDuration(ms) : value;
      } catch (err) {
        throw new DecodeError((err as Error).message, path, 'type');
      }
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw fail();
      return [...(value as string[])];
    case 'stringMap': {
      if (!isPlainObject(value)) throw fail();
      for (const v of Object.values(value)) if (typeof v !== 'string') throw fail();
      return { ...(value as Record<string, string>) };
    }
    case 'headerMap': {
      if (!isPlainObject(value)) throw fail();
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          // Config files often give a single string; Consul's weak decoding turns it into [v].
          if (typeof v === 'string') return [k, [v]];
          if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [k, [...(v as string[])]];
          throw fail();
        }),
      );
    }
    case 'any':
      return value;
  }
}

/** Decodes `raw` by `spec`; absent and null keys are left out of the result. */
export function decodeObject(raw: Record<string, unknown>, spec: ObjectSpec, path = ''): Record<string, unknown> {
  const byKey = new Map<string, FieldSpec>();
  for (const field of spec.fields) {
    byKey.set(foldKey(field.name), field);
    for (const alias of field.aliases ?? []) byKey.set(foldKey(alias), field);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = byKey.get(foldKey(key));
    const keyPath = join(path, key);
    if (field === undefined) {
      throw new DecodeError(`json: unknown field ${JSON.stringify(key)}`, keyPath, 'unknown-key');
    }
    if (value === null || value === undefined) continue;
    out[field.name] = decodeValue(value, field, spec.struct, keyPath);
  }
  return out;
}

export function requireObject(raw: unknown, struct: string, path = ''): Record<string, unknown> {
  if (!isPlainObject(raw)) {
    throw new DecodeError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type ${struct}`, path, 'type');
  }
  return raw;
}
