/**
 * A flag parser with the semantics of Go's `flag` package, which Consul's CLI uses:
 * `-name`, `--name`, `-name=value`, `-name value` (not for booleans), parsing stops at the
 * first non-flag argument or after `--`, and the same error texts
 * (`flag provided but not defined: -x`, `flag needs an argument: -x`, ...).
 */

export type FlagKind = 'bool' | 'string' | 'uint' | 'int' | 'map' | 'list';

export interface FlagDef {
  name: string;
  kind: FlagKind;
  usage: string;
  /** Default shown in help; the parsed value starts from it. */
  default?: string | boolean;
  /** Parsed but left out of the help: Consul registers its deprecated flags after building the usage text. */
  hidden?: boolean;
}

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/** `-h`/`-help` was given: the caller prints help and exits 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

export interface ParsedFlags {
  /** Flags that were set explicitly on the command line. */
  set: Set<string>;
  bool(name: string): boolean;
  string(name: string): string;
  /** Unsigned integer as a bigint (uint64 range). */
  uint(name: string): bigint;
  int(name: string): number;
  map(name: string): Record<string, string>;
  list(name: string): string[];
  /** Arguments left after the flags. */
  args: string[];
}

const UINT64_MAX = (1n << 64n) - 1n;

export function parseGoBool(value: string): boolean | undefined {
  switch (value) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return undefined;
  }
}

/** Go's strconv.ParseUint(s, 0, 64): decimal, 0x hex, 0o/leading-0 octal, 0b binary, `_` separators. */
export function parseGoUint(value: string): bigint | undefined {
  let s = value;
  if (s === '' || s.startsWith('-') || s.startsWith('+')) return undefined;
  let base = 10;
  if (/^0[xX]/.test(s)) { base = 16; s = s.slice(2); }
  else if (/^0[bB]/.test(s)) { base = 2; s = s.slice(2); }
  else if (/^0[oO]/.test(s)) { base = 8; s = s.slice(2); }
  else if (s.length > 1 && s.startsWith('0')) { base = 8; s = s.slice(1); }
  if (base !== 10 && s.includes('_')) s = s.replace(/_/g, '');
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!digits.test(s)) return undefined;
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[base as 2 | 8 | 10 | 16];
  const n = BigInt(prefix + s);
  return n > UINT64_MAX ? undefined : n;
}

export function parseGoInt(value: string): number | undefined {
  const neg = value.startsWith('-');
  const u = parseGoUint(neg || value.startsWith('+') ? value.slice(1) : value);
  if (u === undefined || u > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return neg ? -Number(u) : Number(u);
}

export class FlagSet {
  private readonly defs = new Map<string, FlagDef>();

  constructor(defs: FlagDef[] = []) {
    for (const d of defs) this.add(d);
  }

  add(def: FlagDef): this {
    this.defs.set(def.name, def);
    return this;
  }

  merge(other: FlagSet): this {
    for (const d of other.list()) this.add(d);
    return this;
  }

  list(): FlagDef[] {
    return [...this.defs.values()];
  }

  parse(argv: string[]): ParsedFlags {
    const bools = new Map<string, boolean>();
    const strings = new Map<string, string>();
    const maps = new Map<string, Record<string, string>>();
    const lists = new Map<string, string[]>();
    const set = new Set<string>();
    let i = 0;
    for (; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg.length < 2 || arg[0] !== '-') break;
      let body = arg.slice(1);
      if (body[0] === '-') {
        body = body.slice(1);
        if (body === '') { i++; break; } // `--` ends the flags
      }
      if (body === '' || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${arg}`);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      let value = eq >= 0 ? body.slice(eq + 1) : undefined;
      const def = this.defs.get(name);
      if (!def) {
        if (name === 'h' || name === 'help') throw new HelpRequested();
        throw new FlagError(`flag provided but not defined: -${name}`);
      }
      if (def.kind === 'bool') {
        if (value === undefined) { bools.set(name, true); set.add(name); continue; }
        const b = parseGoBool(value);
        if (b === undefined) throw new FlagError(`invalid boolean value "${value}" for -${name}: parse error`);
        bools.set(name, b);
        set.add(name);
        continue;
      }
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
        value = argv[++i]!;
      }
      set.add(name);
      switch (def.kind) {
        case 'uint':
          if (parseGoUint(value) === undefined) throw new FlagError(`invalid value "${value}" for flag -${name}: parse error`);
          strings.set(name, value);
          break;
        case 'int':
          if (parseGoInt(value) === undefined) throw new FlagError(`invalid value "${value}" for flag -${name}: parse error`);
          strings.set(name, value);
          break;
        case 'map': {
          // Consul's FlagMapValue: "key=value"; a missing "=" is an error.
          const at = value.indexOf('=');
          if (at < 0) throw new FlagError(`invalid value "${value}" for flag -${name}: missing "=" value in argument: ${value}`);
          // A computed key defines an own property, also for a key such as `__proto__`.
          maps.set(name, { ...maps.get(name), [value.slice(0, at)]: value.slice(at + 1) });
          break;
        }
        case 'list': {
          const l = lists.get(name) ?? [];
          l.push(value);
          lists.set(name, l);
          break;
        }
        default:
          strings.set(name, value);
      }
    }
    const args = argv.slice(i);
    const defs = this.defs;
    const need = (name: string, kind: FlagKind): FlagDef => {
      const d = defs.get(name);
      if (!d || d.kind !== kind) throw new Error(`internal: flag -${name} is not a ${kind} flag`);
      return d;
    };
    return {
      set,
      args,
      bool: (name) => bools.get(name) ?? (need(name, 'bool').default === true),
      string: (name) => strings.get(name) ?? String(need(name, 'string').default ?? ''),
      uint: (name) => parseGoUint(strings.get(name) ?? String(need(name, 'uint').default ?? '0')) ?? 0n,
      int: (name) => parseGoInt(strings.get(name) ?? String(need(name, 'int').default ?? '0')) ?? 0,
      map: (name) => (need(name, 'map'), { ...(maps.get(name) ?? {}) }),
      list: (name) => (need(name, 'list'), [...(lists.get(name) ?? [])]),
    };
  }

  /** Help text for the flags, in Go's `flag.PrintDefaults` style, sorted by name. */
  usage(): string {
    return this.list()
      .filter((d) => !d.hidden)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => {
        const arg = d.kind === 'bool' ? '' : d.kind === 'uint' || d.kind === 'int' ? '=<int>' : '=<value>';
        const def = d.default !== undefined && d.default !== '' && d.default !== false ? ` The default is ${JSON.stringify(d.default)}.` : '';
        return `  -${d.name}${arg}\n     ${d.usage}${def}`;
      })
      .join('\n\n');
  }
}
