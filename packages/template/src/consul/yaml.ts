// toYAML and parseYAML as consul-template has them, through gopkg.in/yaml.v2.
//
// toYAML is a small emitter that follows yaml.v2's encoder (which strings it
// quotes: those that would read back as another type in YAML 1.1) and
// libyaml's emitter (plain, single-quoted, double-quoted or literal style,
// map keys in yaml.v2's natural order, sequences not indented under a key,
// `{}`/`[]` for empty collections, long lines folded after column 80).
// General YAML libraries differ in all of these, and a rendered file must not
// change when a template moves to Proconsul.
//
// parseYAML reads with the `yaml` package (its failsafe schema: every scalar a
// string) and types plain scalars with yaml.v2's rules (YAML 1.1: yes/no/on/off
// are booleans, 0777 is octal, timestamps stay strings).

import { parseAllDocuments, isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import { sprint } from '../engine/fmt.js';
import { GoInt, goInt, GoUint, goFloat, isPlainObject, kindOf, numberValue } from '../engine/values.js';

const STR = 'str';
const BEST_WIDTH = 80;
const BEST_INDENT = 2;

// ---- yaml.v2's resolve: what a plain scalar reads back as ----

const BOOL_NULL_SPECIAL = new Map<string, unknown>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, false] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, null] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** strconv.ParseInt(s, 0, 64), then ParseUint (sign, 0x/0o/0b or leading-0 octal), exact. */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let n: bigint;
  if (/^0[xXoObB]/.test(body)) n = BigInt(body.toLowerCase());
  else if (body.length > 1 && body[0] === '0') n = BigInt('0o' + body.slice(1));
  else n = BigInt(body);
  if (m[1] === '-') n = -n;
  // Out of int64 and uint64 range fails in Go; the float pattern may still take it.
  if (n < -(2n ** 63n) || n >= 2n ** 64n) return undefined;
  return n;
}

/** resolve.go's Go type for an integer: int when ParseInt takes it, else uint64. */
function yamlInt(n: bigint): number | GoInt | GoUint {
  return n >= 2n ** 63n ? new GoUint(n) : goInt(n);
}

/** Go's strconv.ParseFloat for the decimal forms a plain scalar can have; overflow is an error there. */
function parseGoFloat(s: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

function daysIn(month: number, year: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** yaml.v2's parseTimestamp: the four layouts it tries with time.Parse. */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-](\d{2}):(\d{2})))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?))?$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y)) return false;
  const h = m[4] ?? m[9];
  const mi = m[5] ?? m[10];
  const sec = m[6] ?? m[11];
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)) return false;
  if (m[7] !== undefined && (Number(m[7]) > 24 || Number(m[8]) > 60)) return false;
  return true;
}

/** yaml.v2's resolve("", s): the tag and value a plain scalar reads as. */
export function resolvePlain(s: string): { tag: string; value: unknown } {
  const c = s[0] ?? '';
  const hint = s === '' ? 'N' : '+-'.includes(c) ? 'S' : c >= '0' && c <= '9' ? 'D' : 'yYnNtTfFoO~'.includes(c) ? 'M' : c === '.' ? '.' : '';
  if (hint === '') return { tag: STR, value: s };
  if (BOOL_NULL_SPECIAL.has(s)) {
    const v = BOOL_NULL_SPECIAL.get(s);
    return { tag: v === null ? 'null' : typeof v === 'boolean' ? 'bool' : 'float', value: typeof v === 'number' ? goFloat(v) : v };
  }
  if (hint === '.') {
    const f = parseGoFloat(s);
    if (f !== undefined) return { tag: 'float', value: goFloat(f) };
  }
  if (hint === 'D' || hint === 'S') {
    if (isTimestamp(s)) return { tag: 'timestamp', value: s };
    const plain = s.replaceAll('_', '');
    const i = parseGoInt(plain);
    if (i !== undefined) return { tag: 'int', value: yamlInt(i) };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return { tag: 'float', value: goFloat(f) };
    }
  }
  return { tag: STR, value: s };
}

// ---- the emitter ----

const isBreak = (c: number | undefined) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isSpace = (c: number | undefined) => c === 0x20;
const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09;
// libyaml checks the byte at the end of the value (Go's zero value) as "z".
const isBlankZ = (c: number | undefined) => c === undefined || c === 0 || isBlank(c) || isBreak(c);
/** libyaml's is_printable: tab, other C0 and C1 controls, U+FEFF and everything above U+FFFF are not. */
const isPrintable = (c: number) =>
  c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);

interface ScalarAnalysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/**
 * libyaml's yaml_emitter_analyze_scalar. Collections are written in block
 * style (flow only for empty ones), so its flow-context rules never apply.
 */
function analyze(cps: number[]): ScalarAnalysis {
  if (cps.length === 0) return { multiline: false, blockPlain: true, singleQuoted: true, block: false };
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const head = String.fromCodePoint(...cps.slice(0, 3));
  if (head === '---' || head === '...') blockIndicators = true;
  let precededByWhitespace = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    const ch = String.fromCodePoint(c);
    const followedByWhitespace = i + 1 >= cps.length || isBlank(cps[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      else if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else if ((ch === ':' && followedByWhitespace) || (ch === '#' && precededByWhitespace)) {
      blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(c);
  }
  const a: ScalarAnalysis = { multiline: lineBreaks, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) a.blockPlain = a.singleQuoted = false;
  if (spaceBreak || special) a.blockPlain = a.singleQuoted = a.block = false;
  if (lineBreaks) a.blockPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

/** yaml.v2's natural key order: digit runs compare as numbers, letters before other characters. */
function keyLess(a: unknown, b: unknown): boolean {
  const an = typeof a === 'number' || typeof a === 'boolean';
  const bn = typeof b === 'number' || typeof b === 'boolean';
  if (an && bn) return Number(a) < Number(b);
  if (typeof a !== 'string' || typeof b !== 'string') return an && !bn; // numbers (reflect kind Int) sort before strings
  const ar = [...a];
  const br = [...b];
  const letter = (c: string) => /\p{L}/u.test(c);
  const digit = (c: string | undefined) => c !== undefined && /\p{Nd}/u.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = letter(ar[i]!);
    const bl = letter(br[i]!);
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return bl;
    let av = 0;
    let bv = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && digit(ar[j]); j--) {
        if (ar[j] !== '0') {
          av = 1;
          bv = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && digit(ar[ai]); ai++) av = av * 10 + (ar[ai]!.codePointAt(0)! - 48);
    for (; bi < br.length && digit(br[bi]); bi++) bv = bv * 10 + (br[bi]!.codePointAt(0)! - 48);
    if (av !== bv) return av < bv;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}

/** Go-exported fields of a class instance standing for a struct. */
export function structFields(o: object): string[] {
  return Object.keys(o).filter((k) => /^\p{Lu}/u.test(k) && typeof (o as Record<string, unknown>)[k] !== 'function');
}

class Emitter {
  out = '';
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;
  private mappingContext = false;
  private simpleKeyContext = false;

  private put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }
  private writeBreak(c: number): void {
    if (c === 0x0a) this.putBreak();
    else {
      this.out += String.fromCodePoint(c);
      this.column = 0;
    }
  }
  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }
  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }
  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }
  private writeIndicator(ind: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(ind);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  document(v: unknown): string {
    this.node(v, false, false);
    this.writeIndent();
    return this.out;
  }

  private node(v: unknown, mapping: boolean, simpleKey: boolean): void {
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    const { text, style } = scalarOf(v);
    if (text !== undefined) return this.scalar(text, style);
    if (Array.isArray(v)) return this.sequence(v);
    return this.mapping(entriesOf(v));
  }

  private sequence(items: unknown[]): void {
    if (items.length === 0) return this.emptyFlow('[', ']');
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, false, false);
    }
    this.popIndent();
  }

  private mapping(entries: Array<[unknown, unknown]>): void {
    if (entries.length === 0) return this.emptyFlow('{', '}');
    this.increaseIndent(false, false);
    for (const [k, v] of entries) {
      this.writeIndent();
      const key = scalarOf(k);
      const cps = [...(key.text ?? '')];
      // check_simple_key: one line of at most 128 bytes.
      if (!analyze(cps.map((c) => c.codePointAt(0)!)).multiline && Buffer.byteLength(key.text ?? '') <= 128) {
        this.node(k, true, true);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(k, true, false);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(v, true, false);
    }
    this.popIndent();
  }

  // Only empty collections are written in flow style, so there are no items here.
  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.writeIndicator(close, false, false, false);
  }

  private scalar(text: string, wanted: Style): void {
    const cps = [...text].map((c) => c.codePointAt(0)!);
    const a = analyze(cps);
    // yaml_emitter_select_scalar_style
    let style = wanted;
    if (this.simpleKeyContext && a.multiline) style = 'double';
    if (style === 'plain') {
      if (!a.blockPlain) style = 'single';
      if (cps.length === 0 && this.simpleKeyContext) style = 'single';
    }
    if (style === 'single' && !a.singleQuoted) style = 'double';
    if (style === 'literal' && (!a.block || this.simpleKeyContext)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === 'plain') this.plain(cps, allowBreaks);
    else if (style === 'single') this.singleQuoted(cps, allowBreaks);
    else if (style === 'double') this.doubleQuoted(cps, allowBreaks);
    else this.literal(cps);
    this.popIndent();
  }

  private plain(cps: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(cps[i + 1])) this.writeIndent();
        else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1 && !isSpace(cps[i + 1])) this.writeIndent();
        else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(cps: number[], allowBreaks: boolean): void {
    // libyaml's is_bom looks at the start of the value, whatever the position.
    const bom = cps[0] === 0xfeff;
    let spaces = false;
    this.writeIndicator('"', true, false, false);
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (!isPrintable(c) || bom || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put('\\' + escapeOf(c));
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
          this.writeIndent();
          if (isSpace(cps[i + 1])) this.put('\\');
        } else this.put(' ');
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(cps: number[]): void {
    this.writeIndicator('|', true, false, false);
    if (isSpace(cps[0]) || isBreak(cps[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    let chomp = '';
    const last = cps.length - 1;
    if (cps.length === 0 || !isBreak(cps[last])) chomp = '-';
    else if (last === 0 || isBreak(cps[last - 1])) chomp = '+';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of cps) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        breaks = false;
      }
    }
  }
}

function escapeOf(c: number): string {
  const short: Record<number, string> = {
    0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
    0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
  };
  if (short[c] !== undefined) return short[c]!;
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xff) return 'x' + hex.padStart(2, '0');
  if (c <= 0xffff) return 'u' + hex.padStart(4, '0');
  return 'U' + hex.padStart(8, '0');
}

/** A scalar's text and yaml.v2's wanted style; text undefined for collections. */
function scalarOf(v: unknown): { text?: string; style: Style } {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return { text: 'null', style: 'plain' };
    case 'bool': return { text: String(v), style: 'plain' };
    case 'int': return { text: String(numberValue(v)), style: 'plain' };
    case 'uint': return { text: String(numberValue(v)), style: 'plain' };
    case 'float': {
      const f = Number(numberValue(v));
      if (Number.isNaN(f)) return { text: '.nan', style: 'plain' };
      if (!Number.isFinite(f)) return { text: f > 0 ? '.inf' : '-.inf', style: 'plain' };
      return { text: sprint([f]), style: 'plain' };
    }
    case 'string': {
      const s = v as string;
      // yaml.v2's stringv: quote what would read back as another type.
      const canUsePlain = resolvePlain(s).tag === STR && !(/^[-+0-9]/.test(s) && s.includes(':') && BASE60_FLOAT.test(s));
      return { text: s, style: s.includes('\n') ? 'literal' : canUsePlain ? 'plain' : 'double' };
    }
    case 'func': throw new Error('cannot marshal type: func');
    default: return { style: 'plain' };
  }
}

function entriesOf(v: unknown): Array<[unknown, unknown]> {
  if (v instanceof Map || isPlainObject(v)) {
    const entries: Array<[unknown, unknown]> = v instanceof Map ? [...v] : Object.entries(v);
    return entries.sort(([a], [b]) => (keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0));
  }
  // A struct: exported fields in order, keys lowercased (yaml.v2's default).
  const o = v as Record<string, unknown>;
  return structFields(o).map((k) => [k.toLowerCase(), o[k]]);
}

/** Go's bytes.TrimSpace (unicode.IsSpace at both ends). */
export function goTrimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');
}

/** consul-template's toYAML: yaml.Marshal, then bytes.TrimSpace. */
export function toYAML(v: unknown): string {
  return goTrimSpace(new Emitter().document(v));
}

// ---- parseYAML ----

const TAG_PREFIX = 'tag:yaml.org,2002:';

/** A map key as Go prints it (yaml.v2's keys are interface{} values). */
function keyString(k: unknown): string {
  return typeof k === 'string' ? k : sprint([k]);
}

/** yaml.v2's allowedAliasRatio: how much of a document may come from expanding aliases. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

/** yaml.v2's decoder over the `yaml` package's nodes, with its guards against alias bombs. */
class Decoder {
  private decodeCount = 0;
  private aliasCount = 0;
  private aliasDepth = 0;
  private readonly active = new Set<YamlNode>();

  constructor(
    private readonly doc: Document,
    private readonly input: string,
  ) {}

  /**
   * A block scalar whose last line ends the input without a line break has no
   * break to keep: libyaml reads `|\n  a` as "a", the `yaml` package as "a\n".
   */
  private blockText(n: YamlNode & { range?: [number, number, number] | null }, text: string): string {
    const lastLine = this.input.slice(this.input.search(/[^\r\n]*$/));
    if (n.range?.[1] === this.input.length && lastLine.trim() !== '' && text.endsWith('\n')) return text.slice(0, -1);
    return text;
  }

  private target(a: YamlNode): YamlNode {
    const n = isAlias(a) ? (a.resolve(this.doc) as YamlNode | undefined) : undefined;
    if (!n) throw new Error(`yaml: unknown anchor '${isAlias(a) ? a.source : ''}' referenced`);
    return n;
  }

  value(n: YamlNode | null | undefined): unknown {
    if (n === null || n === undefined) return null;
    this.decodeCount++;
    if (this.aliasDepth > 0) this.aliasCount++;
    if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
      throw new Error('yaml: document contains excessive aliasing');
    }
    // libyaml's anchor names are letters, digits, "_" and "-" only.
    const anchor = isAlias(n) ? n.source : (n as { anchor?: string }).anchor;
    if (anchor !== undefined && !/^[0-9A-Za-z_-]+$/.test(anchor)) throw new Error('yaml: did not find expected alphabetic or numeric character');
    if (isAlias(n)) {
      if (this.active.has(n)) throw new Error(`yaml: anchor '${n.source}' value contains itself`);
      this.active.add(n);
      this.aliasDepth++;
      try {
        return this.value(this.target(n));
      } finally {
        this.aliasDepth--;
        this.active.delete(n);
      }
    }
    if (isScalar(n)) {
      // source: the scalar's text before any tag made it a value.
      let text = n.source ?? String(n.value ?? '');
      if (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED') text = this.blockText(n, text);
      const tag = n.tag?.startsWith(TAG_PREFIX) ? n.tag.slice(TAG_PREFIX.length) : n.tag;
      // Quoted and block scalars are strings unless tagged; plain ones are resolved.
      if (tag === undefined || tag === '!') return n.type === 'PLAIN' && tag === undefined ? resolvedValue(text) : text;
      return taggedScalar(tag, text);
    }
    if (isSeq(n)) return n.items.map((item) => this.value(item as YamlNode));
    if (isMap(n)) {
      const out = new Map<string, unknown>();
      for (const pair of n.items) {
        const k = pair.key as YamlNode | null;
        if (isScalar(k) && k.type === 'PLAIN' && k.tag === undefined && k.value === '<<') {
          this.merge(pair.value as YamlNode | null, out);
          continue;
        }
        const key = this.value(k);
        if (typeof key === 'object' && key !== null) throw new Error(`yaml: invalid map key: ${sprint([key])}`);
        out.set(keyString(key), this.value(pair.value as YamlNode | null));
      }
      // fromEntries defines own keys: assigning a "__proto__" key would set the prototype.
      return Object.fromEntries(out);
    }
    return null;
  }

  /** yaml.v2's merge key: a map, an alias of one, or a list of them (earlier ones win). */
  private merge(n: YamlNode | null, out: Map<string, unknown>): void {
    const mergeOne = (x: YamlNode | null) => {
      if (!isMap(isAlias(x) ? this.target(x) : x)) throw new Error('yaml: map merge requires map or sequence of maps as the value');
      for (const [k, v] of Object.entries(this.value(x) as Record<string, unknown>)) out.set(k, v);
    };
    if (isSeq(n)) {
      for (let i = n.items.length - 1; i >= 0; i--) mergeOne(n.items[i] as YamlNode | null);
    } else mergeOne(n);
  }
}

function resolvedValue(text: string): unknown {
  const r = resolvePlain(text);
  // yaml.v2 leaves timestamps as strings when decoding into interface{}.
  return r.tag === 'timestamp' ? text : r.value;
}

function taggedScalar(tag: string, text: string): unknown {
  switch (tag) {
    case 'str': return text;
    case 'binary': {
      const clean = text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new Error('yaml: !!binary value contains invalid base64 data');
      return Buffer.from(clean, 'base64').toString('utf8');
    }
    case 'null': case 'bool': case 'int': case 'float': case 'timestamp': {
      const r = resolvePlain(text);
      if (r.tag === tag) return tag === 'timestamp' ? text : r.value;
      // resolve.go: `!!float` turns an int into a float64 (not a uint64).
      if (tag === 'float' && r.tag === 'int' && !(r.value instanceof GoUint)) return goFloat(Number(numberValue(r.value)));
      throw new Error(`yaml: cannot decode !!${r.tag} \`${text}\` as a !!${tag}`);
    }
    default:
      // Tags yaml.v2 does not resolve (local tags, !!map on a scalar...) keep the text.
      return text;
  }
}

/** consul-template's parseYAML (yaml.v2 Unmarshal into interface{}): the first document. */
export function parseYAML(s: string): unknown {
  if (s === '') return {};
  const docs = parseAllDocuments(s, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false, strict: false });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) return null;
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0].line;
    throw new Error(`yaml: ${line !== undefined ? `line ${line}: ` : ''}${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return new Decoder(doc, s).value(doc.contents as YamlNode | null);
}
