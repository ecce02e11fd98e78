// toTOML as consul-template has it: BurntSushi/toml's encoder (v1.5). Its
// layout is its own (keys with plain values before sub-tables, each group in
// byte order; sub-tables indented two spaces a level; a blank line before
// each top-level table; floats always with a decimal point), so it is
// followed here rather than left to a TOML library that lays out differently.

import { isPlainObject, kindOf, numberValue } from '../engine/values.js';
import { structFields } from './yaml.js';

const ERR_NIL_ELEMENT = 'toml: cannot encode array with nil element';
const ERR_NON_STRING = 'toml: cannot encode a map with non-string key type';
const ERR_NO_KEY = 'toml: top-level values must be Go maps or structs';

/** BurntSushi's dblQuotedReplacer. */
function quote(s: string): string {
  return (
    '"' +
    s.replace(/["\\\x00-\x1f\x7f]/g, (c) => {
      switch (c) {
        case '"': return '\\"';
        case '\\': return '\\\\';
        case '\b': return '\\b';
        case '\t': return '\\t';
        case '\n': return '\\n';
        case '\f': return '\\f';
        case '\r': return '\\r';
        default: return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
      }
    }) +
    '"'
  );
}

const bare = (k: string) => /^[A-Za-z0-9_-]+$/.test(k);
const keyPart = (k: string) => (k === '' ? '""' : bare(k) ? k : quote(k));

/** strconv.FormatFloat(f, 'f', -1, 64): the shortest digits, never an exponent. */
function formatFloatF(f: number): string {
  const [mant, expText] = Math.abs(f).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const dp = Number(expText) + 1;
  let s: string;
  if (dp <= 0) s = '0.' + '0'.repeat(-dp) + digits;
  else if (dp >= digits.length) s = digits + '0'.repeat(dp - digits.length);
  else s = digits.slice(0, dp) + '.' + digits.slice(dp);
  return (f < 0 || Object.is(f, -0) ? '-' : '') + s;
}

type TomlType = 'nil' | 'hash' | 'arrayHash' | 'array' | 'scalar';

function isMapValue(v: unknown): v is Map<unknown, unknown> | Record<string, unknown> {
  return v instanceof Map || isPlainObject(v);
}

/** tomlTypeOfGo: tables are maps and structs, and lists whose every element is one. */
function typeOf(v: unknown): TomlType {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) {
    if (v.length === 0) return 'array';
    let allHash = true;
    for (const e of v) {
      const t = typeOf(e);
      if (t === 'nil') throw new Error(ERR_NIL_ELEMENT);
      if (t !== 'hash') allHash = false;
    }
    return allHash ? 'arrayHash' : 'array';
  }
  if (typeof v === 'object' && !(v instanceof Uint8Array) && numberValue(v) === undefined) return 'hash';
  return 'scalar';
}

const isTable = (v: unknown) => {
  const t = typeOf(v);
  return t === 'hash' || t === 'arrayHash';
};

/** A map's or struct's entries, with the direct (non-table) ones first. */
function entries(v: unknown): { direct: Array<[string, unknown]>; sub: Array<[string, unknown]>; struct: boolean } {
  let all: Array<[string, unknown]>;
  const struct = !isMapValue(v);
  if (v instanceof Map) {
    all = [...v].map(([k, x]) => {
      if (typeof k !== 'string') throw new Error(ERR_NON_STRING);
      return [k, x];
    });
  } else if (!struct) all = Object.entries(v as Record<string, unknown>);
  else all = structFields(v as object).map((k) => [k, (v as Record<string, unknown>)[k]]);
  const direct = all.filter(([, x]) => !isTable(x));
  const sub = all.filter(([, x]) => isTable(x));
  if (!struct) {
    const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    direct.sort(byKey);
    sub.sort(byKey);
  }
  return { direct, sub, struct };
}

class Encoder {
  out = '';
  private written = false;

  private wf(s: string): void {
    this.out += s;
    this.written = true;
  }
  private newline(): void {
    if (this.written) this.wf('\n');
  }
  private indent(key: string[]): string {
    return '  '.repeat(Math.max(key.length - 1, 0));
  }

  encode(key: string[], v: unknown): void {
    if (v === null || v === undefined) return;
    const t = typeOf(v);
    if (t === 'arrayHash') return this.arrayOfTables(key, v as unknown[]);
    if (t === 'hash') return this.table(key, v);
    this.keyValue(key, v, false);
  }

  private keyValue(key: string[], v: unknown, inline: boolean): void {
    if (key.length === 0) return this.element(v);
    this.wf(`${this.indent(key)}${keyPart(key[key.length - 1]!)} = `);
    this.element(v);
    if (!inline) this.newline();
  }

  private arrayOfTables(key: string[], list: unknown[]): void {
    if (key.length === 0) throw new Error(ERR_NO_KEY);
    for (const t of list) {
      this.newline();
      this.wf(`${this.indent(key)}[[${key.map(keyPart).join('.')}]]`);
      this.newline();
      this.mapOrStruct(key, t, false);
    }
  }

  private table(key: string[], v: unknown): void {
    // A blank line between top-level tables (not before the first output).
    if (key.length === 1) this.newline();
    if (key.length > 0) {
      this.wf(`${this.indent(key)}[${key.map(keyPart).join('.')}]`);
      this.newline();
    }
    this.mapOrStruct(key, v, false);
  }

  private mapOrStruct(key: string[], v: unknown, inline: boolean): void {
    const { direct, sub, struct } = entries(v);
    if (inline) this.wf('{');
    if (struct) {
      // BurntSushi puts a comma after every field but the struct's last one, in declaration order.
      const last = structFields(v as object).at(-1);
      for (const [k, x] of [...direct, ...sub]) {
        if (x === null || x === undefined) continue;
        if (!inline) {
          this.encode([...key, k], x);
          continue;
        }
        this.keyValue([k], x, true);
        if (k !== last) this.wf(', ');
      }
    } else {
      const write = (list: Array<[string, unknown]>, trailComma: boolean) =>
        list.forEach(([k, x], i) => {
          if (x === null || x === undefined) return;
          if (!inline) return this.encode([...key, k], x);
          this.keyValue([k], x, true);
          if (trailComma || i !== list.length - 1) this.wf(', ');
        });
      write(direct, sub.length > 0);
      write(sub, false);
    }
    if (inline) this.wf('}');
  }

  private element(v: unknown): void {
    switch (kindOf(v)) {
      case 'string': return this.wf(quote(v as string));
      case 'bool': return this.wf(String(v));
      case 'int': return this.wf(String(numberValue(v)));
      case 'uint': return this.wf(String(numberValue(v)));
      case 'float': {
        const f = Number(numberValue(v));
        if (Number.isNaN(f)) return this.wf('nan');
        if (!Number.isFinite(f)) return this.wf(f < 0 ? '-inf' : 'inf');
        const s = formatFloatF(f);
        return this.wf(s.includes('.') ? s : s + '.0');
      }
      case 'slice': {
        const list = [...(v as unknown[])];
        this.wf('[');
        list.forEach((e, i) => {
          this.element(e);
          if (i !== list.length - 1) this.wf(', ');
        });
        return this.wf(']');
      }
      case 'map': case 'struct': return this.mapOrStruct([], v, true);
      case 'nil': case 'invalid':
        // Go: reflect.Value.Interface on the zero Value of a nil element.
        throw new Error('reflect: call of reflect.Value.Interface on zero Value');
      case 'func': throw new Error('unexpected type: func');
    }
  }
}

/** Go's bytes.TrimSpace is applied by the caller. */
export function encodeTOML(v: unknown): string {
  if (v === null || v === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  const enc = new Encoder();
  enc.encode([], v);
  return enc.out;
}
