// consul-template's map helpers: explode and explodeMap (flat "a/b/c" keys to
// nested maps) and mergeMap / mergeMapWithOverride (dario.cat/mergo's Map).

import { sprintf } from '../engine/fmt.js';
import { isPlainObject, typeName } from '../engine/values.js';
import { KeyPair } from './data.js';

type GoMap = Map<string, unknown> | Record<string, unknown>;

function isMapValue(v: unknown): v is GoMap {
  return v instanceof Map || isPlainObject(v);
}

function entriesOf(m: GoMap): Array<[string, unknown]> {
  return m instanceof Map ? ([...m] as Array<[string, unknown]>) : Object.entries(m);
}

/** A map built here; plain objects only at the end (keys are any strings, "__proto__" too). */
class Nest extends Map<string, unknown> {}

function toObjects(v: unknown): unknown {
  // fromEntries defines own keys: assigning a "__proto__" key would set the prototype.
  return v instanceof Nest ? Object.fromEntries([...v].map(([k, x]) => [k, toObjects(x)])) : v;
}

/** consul-template's explodeHelper: p is the key one level up, as its error names it. */
function explodeInto(m: Nest, k: string, v: unknown, p: string): void {
  const slash = k.indexOf('/');
  if (slash >= 0) {
    const top = k.slice(0, slash);
    const rest = k.slice(slash + 1);
    if (!m.has(top)) m.set(top, new Nest());
    let nest = m.get(top);
    if (!(nest instanceof Nest)) {
      if (!isMapValue(nest)) throw new Error(sprintf('not a map: %q: %q already has value %q', [p, top, nest]));
      // A map value given to explodeMap: Go adds to it in place; a copy leaves the caller's map as it was.
      nest = new Nest(entriesOf(nest));
      m.set(top, nest);
    }
    return explodeInto(nest as Nest, rest, v, k);
  }
  if (k !== '') m.set(k, v);
}

function checkMap(v: unknown): GoMap {
  if (v === null || v === undefined) return {};
  if (!isMapValue(v)) throw new Error(`wrong type for value; expected map[string]interface {}; got ${typeName(v)}`);
  return v;
}

export function explode(pairs: unknown): Record<string, unknown> {
  if (pairs !== null && pairs !== undefined && (!Array.isArray(pairs) || !pairs.every((p) => p instanceof KeyPair))) {
    throw new Error(`wrong type for value; expected []*dependency.KeyPair; got ${typeName(pairs)}`);
  }
  const m = new Nest();
  for (const pair of (pairs as KeyPair[] | null) ?? []) {
    try {
      explodeInto(m, pair.Key, pair.Value, pair.Key);
    } catch (e) {
      throw new Error(`explode: ${(e as Error).message}`);
    }
  }
  return toObjects(m) as Record<string, unknown>;
}

export function explodeMap(mapIn: unknown): Record<string, unknown> {
  const entries = entriesOf(checkMap(mapIn)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const m = new Nest();
  for (const [k, v] of entries) {
    try {
      explodeInto(m, k, v, k);
    } catch (e) {
      throw new Error(`explodeMap: ${(e as Error).message}`);
    }
  }
  return toObjects(m) as Record<string, unknown>;
}

/** mergo's isEmptyValue, looking through interfaces and pointers. */
function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * mergo.Map(&dst, src[, WithOverride]) on map[string]interface{} values:
 * a key of src is taken when dst lacks it or holds an empty value (or
 * always, with override); maps in both are merged key by key; a nil in src
 * is taken only with override. mergo changes dst in place; this builds a new
 * map with the same contents and leaves both arguments as they were.
 */
function mergeInto(dst: GoMap, src: GoMap, override: boolean): Nest {
  const out = new Nest(entriesOf(dst));
  for (const [k, sv] of entriesOf(src)) {
    const has = out.has(k);
    const dv = out.get(k);
    if (sv === null || sv === undefined) {
      if (override) out.set(k, null);
    } else if (isMapValue(sv) && isMapValue(dv)) {
      out.set(k, mergeInto(dv, sv, override));
    } else if (override || !has || isEmpty(dv)) {
      out.set(k, sv);
    }
  }
  return out;
}

export function mergeMap(dst: unknown, src: unknown, override = false): Record<string, unknown> {
  return toObjects(mergeInto(checkMap(dst), checkMap(src), override)) as Record<string, unknown>;
}
