// consul-template's go-spew functions (template/funcs.go: spew_dump,
// spew_printf, spew_sdump, spew_sprintf) with go-spew's default ConfigState
// (spew/dump.go, spew/config.go): one-space indent, lengths and capacities
// shown, Stringers printed by their String(), no depth limit. Go's map order is
// random; here keys are sorted, one of those orders. A Go pointer would print
// its memory address, which cannot be reproduced, so pointer-typed values
// (the catalog and health structs) are refused with an error.

import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { goQuote, sprint, sprintf } from '../engine/fmt.js';
import { kindOf, mapGet, mapKeys, typeName } from '../engine/values.js';

const MAX_DEPTH = 100;

class Dumper {
  out = '';
  private depth = 0;
  private skipIndent = false;

  private indent(): void {
    if (this.skipIndent) this.skipIndent = false;
    else this.out += ' '.repeat(this.depth);
  }

  dump(v: unknown): void {
    if (this.depth > MAX_DEPTH) throw new Error('spew: value nested too deeply');
    const k = kindOf(v);
    if (k === 'invalid' || k === 'nil') {
      // A nil element of an interface slice or map: the interface type, then <nil>.
      this.indent();
      this.out += '(interface {}) <nil>';
      return;
    }
    const type = typeName(v);
    if (k === 'struct' || k === 'func') {
      const s = (v as { String?: () => unknown }).String;
      if (type.startsWith('*') || typeof s !== 'function') throw new Error(`spew: cannot dump a ${type}: Go prints its pointer address`);
      this.indent();
      this.out += `(${type}) ${String(s.call(v))}`;
      return;
    }
    this.indent();
    this.out += `(${type}) `;
    switch (k) {
      case 'string': {
        const n = Buffer.byteLength(v as string);
        if (n > 0) this.out += `(len=${n}) `;
        this.out += goQuote(v as string);
        return;
      }
      case 'bool': case 'int': case 'uint': case 'float':
        this.out += sprint([v]);
        return;
      case 'slice': {
        const list = v instanceof Uint8Array ? [...v] : (v as unknown[]);
        if (list.length > 0) this.out += `(len=${list.length} cap=${list.length}) `;
        this.block(() => list.forEach((e, i) => {
          this.dump(e);
          this.out += i < list.length - 1 ? ',\n' : '\n';
        }));
        return;
      }
      case 'map': {
        const m = v as Map<unknown, unknown> | Record<string, unknown>;
        const keys = mapKeys(m);
        if (keys.length > 0) this.out += `(len=${keys.length}) `;
        this.block(() => keys.forEach((key, i) => {
          this.dump(key);
          this.out += ': ';
          this.skipIndent = true;
          this.dump(mapGet(m, key).value);
          this.out += i < keys.length - 1 ? ',\n' : '\n';
        }));
        return;
      }
    }
  }

  private block(body: () => void): void {
    this.out += '{\n';
    this.depth++;
    body();
    this.depth--;
    this.indent();
    this.out += '}';
  }
}

/** spew.Sdump: each argument on its own line. */
export function sdump(args: unknown[]): string {
  return args.map((a) => {
    if (a === null || a === undefined) return '(interface {}) <nil>\n';
    const d = new Dumper();
    d.dump(a);
    return d.out + '\n';
  }).join('');
}

/** spew.Sprintf: fmt's verbs over spew's formatter, which prints our values as fmt does. */
function spewSprintf(format: unknown, args: unknown[]): string {
  if (typeof format !== 'string') throw new Error(`wrong type for value; expected string; got ${typeName(format)}`);
  return sprintf(format, args);
}

/** The functions; `write` is the process's stdout (spew_dump and spew_printf print there and render ""). */
export function spewFuncs(write: (s: string) => void = (s) => process.stdout.write(s)): FuncMap {
  return {
    spew_sdump: variadic((...args: unknown[]) => sdump(args)),
    spew_sprintf: variadic((format: unknown, ...args: unknown[]) => spewSprintf(format, args)),
    spew_dump: variadic((...args: unknown[]) => {
      write(sdump(args));
      return '';
    }),
    spew_printf: variadic((format: unknown, ...args: unknown[]) => {
      write(spewSprintf(format, args));
      return '';
    }),
  };
}
