/**
 * Config entry structs as data: each field with its Go type, its `alias` (snake_case) tag and
 * whether its JSON tag says omitempty. `decodeStruct` reads a raw map the way Consul's
 * DecodeConfigEntry does (mapstructure, WeaklyTypedInput, decode.HookTranslateKeys and
 * HookWeakDecodeFromSlice: keys match without regard to case, an alias names its field, a
 * one-element list stands for a block); `encodeStruct` writes what Go's encoding/json writes
 * (field order, omitempty, a non-pointer struct always present, nil maps and slices `null`).
 */
import { formatGoDuration, parseGoDuration } from '../duration.js';

export type FieldType =
  | 'string'
  | 'int'
  /** float32 (a splitter's Weight). */
  | 'float32'
  | 'bool'
  | 'duration'
  /** A time.Duration whose type's MarshalJSON writes Duration.String() ("5s"): kept in nanoseconds. */
  | 'goDuration'
  /** time.Time in RFC 3339 (kept as the string). */
  | 'time'
  | 'any'
  | 'stringMap'
  /** map[string]interface{}: kept as given. */
  | 'anyMap'
  | 'strings'
  | StructType
  | { ptr: StructType }
  | { list: FieldType }
  /** map[string]T (a resolver's Subsets and Failover). */
  | { map: FieldType };

export interface Field {
  name: string;
  type: FieldType;
  alias?: string;
  omitempty?: boolean;
}

export interface StructType {
  fields: Field[];
}

type Obj = Record<string, unknown>;

/** What DecodeConfigEntry refuses: the message after Consul's "Request decoding failed: ". */
export class ConfigEntryDecodeError extends Error {}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStruct = (t: FieldType): t is StructType => typeof t === 'object' && 'fields' in t;

/** Go's %T of a value decoded from JSON (encoding/json gives every number as float64). */
function goTypeOf(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's reflect.Kind of such a value, as mapstructure's "expected a map" names it. */
function goKindOf(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  return isObj(v) ? 'map' : goTypeOf(v);
}

/** fmt's %v of a float64: strconv 'g' with the shortest digits, %e from exponent -5 or 6 up ("1e+06"). */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** fmt's %v of a decoded JSON value: maps as map[k:v ...] with sorted keys, slices as [a b]. */
export function goValueText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goValueText).join(' ')}]`;
  const o = v as Obj;
  return `map[${Object.keys(o).sort().map((k) => `${k}:${goValueText(o[k])}`).join(' ')}]`;
}

function goTypeName(t: FieldType): string {
  if (typeof t === 'string') {
    return { string: 'string', int: 'int', float32: 'float32', bool: 'bool', duration: 'time.Duration', goDuration: 'time.Duration', time: 'time.Time', any: 'interface {}', stringMap: 'map[string]string', anyMap: 'map[string]interface {}', strings: '[]string' }[t];
  }
  if ('ptr' in t || 'fields' in t) return 'struct';
  if ('map' in t) return 'map';
  return 'slice';
}

class Decoder {
  readonly unused: string[] = [];
  readonly errors: string[] = [];

  // mapstructure v1.5.0 (as Consul 1.17 pins it) decodeString/decodeInt/decodeBool/decodeFloat.
  private unconvertible(path: string, t: FieldType, v: unknown): undefined {
    this.errors.push(`'${path}' expected type '${goTypeName(t)}', got unconvertible type '${goTypeOf(v)}', value: '${goValueText(v)}'`);
    return undefined;
  }

  // mapstructure's decodeMap and decodeStruct (a struct, a pointer to one, a map, time.Time).
  private notAMap(path: string, v: unknown): undefined {
    this.errors.push(`'${path}' expected a map, got '${goKindOf(v)}'`);
    return undefined;
  }

  /** A weakly typed number: a number, a bool (1/0) or a numeric string ("" is 0). */
  private number(v: unknown, t: FieldType, path: string, conv: (n: number) => number, valid: (n: number) => boolean, parser: string): number | undefined {
    if (typeof v === 'number') return conv(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v !== 'string') return this.unconvertible(path, t, v);
    // Number(' ') is 0 in JS; Go's strconv refuses blanks.
    const n = v === '' ? 0 : v.trim() === '' ? NaN : Number(v);
    if (valid(n)) return conv(n);
    this.errors.push(`cannot parse '${path}' as ${parser}: parsing ${JSON.stringify(v)}: invalid syntax`);
    return undefined;
  }

  value(v: unknown, t: FieldType, path: string): unknown {
    if (v === null || v === undefined) return undefined;
    // HookWeakDecodeFromSlice: HCL gives a block as a list of one map.
    if (Array.isArray(v) && (isStruct(t) || (typeof t === 'object' && 'ptr' in t) || (typeof t === 'object' && 'map' in t) || t === 'stringMap' || t === 'anyMap')) {
      if (v.length === 0) return undefined;
      if (v.length === 1) return this.value(v[0], t, path);
    }
    switch (t) {
      case 'any':
        return v;
      case 'time':
        return typeof v === 'string' ? v : isObj(v) ? this.unconvertible(path, t, v) : this.notAMap(path, v);
      case 'string':
        if (typeof v === 'string') return v;
        if (typeof v === 'boolean') return v ? '1' : '0';
        if (typeof v === 'number') return String(v);
        return this.unconvertible(path, t, v);
      case 'int':
        return this.number(v, t, path, Math.trunc, Number.isInteger, 'int: strconv.ParseInt');
      case 'float32':
        return this.number(v, t, path, Math.fround, Number.isFinite, 'float: strconv.ParseFloat');
      case 'bool':
        if (typeof v === 'boolean') return v;
        if (typeof v === 'number') return v !== 0;
        if (typeof v === 'string') {
          if (v === '') return false;
          if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
          if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
          this.errors.push(`cannot parse '${path}' as bool: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
          return undefined;
        }
        return this.unconvertible(path, t, v);
      case 'duration':
      case 'goDuration':
        if (typeof v === 'number') return Math.trunc(v);
        if (typeof v === 'string') {
          try {
            return Math.round(parseGoDuration(v) * 1e6);
          } catch (err) {
            this.errors.push(`error decoding '${path}': ${(err as Error).message}`);
            return undefined;
          }
        }
        return this.unconvertible(path, t, v);
      case 'stringMap': {
        if (!isObj(v)) return this.notAMap(path, v);
        const out: Record<string, string> = {};
        for (const [k, x] of Object.entries(v)) {
          const s = this.value(x, 'string', `${path}[${k}]`);
          if (s !== undefined) out[k] = s as string;
        }
        return out;
      }
      case 'anyMap':
        return isObj(v) ? v : this.notAMap(path, v);
      case 'strings':
        return this.value(v, { list: 'string' }, path);
      default:
        break;
    }
    if ('map' in t) {
      if (!isObj(v)) return this.notAMap(path, v);
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x, t.map, `${path}[${k}]`) ?? zeroOf(t.map);
      return out;
    }
    if ('list' in t) {
      const items = Array.isArray(v) ? v : [v]; // WeaklyTypedInput: a single value is a list of one
      return items.map((x, i) => this.value(x, t.list, `${path}[${i}]`) ?? zeroOf(t.list));
    }
    const st = 'ptr' in t ? t.ptr : t;
    if (!isObj(v)) return this.notAMap(path, v);
    return this.struct(v, st, path);
  }

  struct(raw: Obj, t: StructType, path: string): Obj {
    const input = translateKeys(raw, t);
    const out: Obj = {};
    for (const [k, v] of Object.entries(input)) {
      const field = t.fields.find((f) => f.name === k) ?? t.fields.find((f) => f.name.toLowerCase() === k.toLowerCase());
      const at = path === '' ? k : `${path}.${k}`;
      if (!field) {
        this.unused.push(at);
        continue;
      }
      const d = this.value(v, field.type, path === '' ? field.name : `${path}.${field.name}`);
      if (d !== undefined) out[field.name] = d;
    }
    return out;
  }
}

/** decode.TranslateKeys: an alias key becomes its field's name, unless the field's own key is there too (then the alias is dropped). */
function translateKeys(raw: Obj, t: StructType): Obj {
  const out: Obj = { ...raw };
  for (const f of t.fields) {
    if (!f.alias) continue;
    // An alias equal to the field's name but for case (jwt-provider's `filename`) is the field's own key.
    if (f.alias.toLowerCase() === f.name.toLowerCase()) continue;
    for (const k of Object.keys(raw)) {
      if (k.toLowerCase() !== f.alias.toLowerCase()) continue;
      const canonical = Object.keys(raw).find((x) => x.toLowerCase() === f.name.toLowerCase());
      const v = out[k];
      delete out[k];
      if (canonical === undefined) out[f.name] = v;
    }
  }
  return out;
}

/** go-multierror's text for a list of errors. */
export function multiError(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join('\n\t')}\n\n`;
}

/**
 * Decodes `raw` into `t`: the decoded fields (absent ones left out) and the unused keys (with
 * their path, as mapstructure's Metadata.Unused). A type error throws mapstructure's text.
 */
export function decodeStruct(raw: Obj, t: StructType): { value: Obj; unused: string[] } {
  const d = new Decoder();
  const value = d.struct(raw, t, '');
  if (d.errors.length > 0) {
    // mapstructure.Error sorts its points (sort.Strings).
    const points = d.errors.map((e) => `* ${e}`).sort();
    throw new ConfigEntryDecodeError(`${d.errors.length} error(s) decoding:\n\n${points.join('\n')}`);
  }
  return { value, unused: d.unused };
}

/** Go's zero value of a type as encoding/json writes it. */
function zeroOf(t: FieldType): unknown {
  switch (t) {
    case 'string':
    case 'time':
      return '';
    case 'int':
    case 'float32':
    case 'duration':
      return 0;
    case 'goDuration':
      return '0s';
    case 'bool':
      return false;
    case 'any':
    case 'stringMap':
    case 'anyMap':
    case 'strings':
      return null;
    default:
      if (isStruct(t)) return encodeStruct({}, t);
      return null;
  }
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

function encodeValue(v: unknown, t: FieldType): unknown {
  if (v === undefined || v === null) return zeroOf(t);
  if (t === 'goDuration') return formatGoDuration((v as number) / 1e6);
  if (typeof t === 'string') return v;
  if ('map' in t) {
    // encoding/json writes a map's keys sorted.
    const m = v as Obj;
    return Object.fromEntries(Object.keys(m).sort().map((k) => [k, encodeValue(m[k], t.map)]));
  }
  if ('list' in t) return (v as unknown[]).map((x) => encodeValue(x, t.list));
  const st = 'ptr' in t ? t.ptr : t;
  return encodeStruct(v as Obj, st);
}

/** `value` as Go's json.Marshal writes the struct `t`. */
export function encodeStruct(value: Obj, t: StructType): Obj {
  const out: Obj = {};
  for (const f of t.fields) {
    const v = value[f.name];
    const isPtr = typeof f.type === 'object' && 'ptr' in f.type;
    // omitempty never drops a struct value; maps drop when empty.
    if (f.omitempty && !isStruct(f.type)) {
      if (isEmpty(v)) continue;
      if ((f.type === 'stringMap' || f.type === 'anyMap' || (typeof f.type === 'object' && 'map' in f.type)) && isObj(v) && Object.keys(v).length === 0) continue;
    }
    if (isPtr && (v === undefined || v === null)) {
      out[f.name] = null;
      continue;
    }
    out[f.name] = encodeValue(v, f.type);
  }
  return out;
}

/** Field helper: `f('Name', 'string')`, with options. */
export const f = (name: string, type: FieldType, opts: { alias?: string; omitempty?: boolean } = {}): Field => ({ name, type, ...opts });
/** An omitempty field. */
export const o = (name: string, type: FieldType, alias?: string): Field => ({ name, type, omitempty: true, ...(alias ? { alias } : {}) });
