/**
 * HCL configuration, the subset Consul's files use (HCL 1: hashicorp/hcl as Consul decodes it),
 * turned into the same plain object its JSON form gives, so both merge alike:
 *   key = value            strings ("..." with escapes, <<EOF heredocs), numbers, true/false,
 *                          lists [a, b,] and objects { k = v }; several on one line are fine
 *   key { ... }            a block is an object; `key "label" { }` nests as key { label { } }
 *   # comment, // comment, multi-line comments
 * Repeated blocks: `service {}` / `check {}` more than once become `services` / `checks` (as
 * Consul reads several service blocks), blocks named by a list key (services, checks, watches,
 * segments) always form a list, and other repeated blocks merge. Errors say the line.
 */

export class HclError extends Error {}

type Value = string | number | boolean | Value[] | Obj;
interface Obj {
  [key: string]: Value;
}

/** Keys whose blocks form a list even when there is one (Consul's PatchSliceOfMaps exceptions; `bootstrap`: config_entries.bootstrap). */
const LIST_KEYS = new Set(['services', 'checks', 'watches', 'segments', 'upstreams', 'bootstrap']);
/** Singular blocks that, repeated, are gathered into their plural list. */
const GATHER = new Map([['service', 'services'], ['check', 'checks']]);

/** Largest input accepted (a config file is small). */
export const HCL_BYTES_MAX = 4 * 1024 * 1024;
/** Deepest nesting accepted. */
const DEPTH_MAX = 64;

interface Token {
  kind: 'ident' | 'string' | 'number' | 'bool' | 'punct' | 'eof';
  text: string;
  value?: string | number | boolean;
  line: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new HclError(`At ${line}: ${msg}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      for (let j = i; j < end; j++) if (src[j] === '\n') line++;
      i = end + 2;
    } else if ('{}[]=,'.includes(c)) {
      out.push({ kind: 'punct', text: c, line });
      i++;
    } else if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length || src[i] === '\n') fail('unterminated string');
        const ch = src[i]!;
        if (ch === '"') break;
        if (ch === '\\') {
          const e = src[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/' };
          if (e !== undefined && simple[e] !== undefined) {
            s += simple[e];
            i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            s += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            fail(`invalid escape sequence \\${e ?? ''}`);
          }
        } else {
          s += ch;
          i++;
        }
      }
      i++;
      out.push({ kind: 'string', text: s, value: s, line });
    } else if (c === '<' && src[i + 1] === '<') {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(src.slice(i));
      if (!m) fail('invalid heredoc');
      const startLine = line;
      i += m![0].length;
      line++;
      const lines: string[] = [];
      for (;;) {
        if (i >= src.length) fail(`heredoc ${m![2]} not terminated`);
        const end = src.indexOf('\n', i);
        const text = src.slice(i, end < 0 ? src.length : end).replace(/\r$/, '');
        i = end < 0 ? src.length : end + 1;
        line++;
        if (text.trim() === m![2]) break;
        lines.push(text);
      }
      let body = lines;
      if (m![1] === '-') {
        const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length));
        body = lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0));
      }
      const s = body.length === 0 ? '' : `${body.join('\n')}\n`;
      out.push({ kind: 'string', text: s, value: s, line: startLine });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) fail(`illegal char ${JSON.stringify(c)}`);
      out.push({ kind: 'number', text: m![0], value: Number(m![0]), line });
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i))!;
      const word = m[0];
      if (word === 'true' || word === 'false') out.push({ kind: 'bool', text: word, value: word === 'true', line });
      else out.push({ kind: 'ident', text: word, line });
      i += word.length;
    } else {
      fail(`illegal char ${JSON.stringify(c)}`);
    }
  }
  out.push({ kind: 'eof', text: '', line });
  return out;
}

/** One object body while parsing: every value given for each key, in order, and whether it came from a block. */
type Entries = Map<string, Array<{ value: Value; block: boolean }>>;

class Parser {
  #i = 0;
  constructor(private readonly toks: Token[]) {}

  #peek(): Token {
    return this.toks[this.#i]!;
  }
  #next(): Token {
    return this.toks[this.#i++]!;
  }
  #fail(t: Token, msg: string): never {
    throw new HclError(`At ${t.line}: ${msg}`);
  }
  #expect(text: string): void {
    const t = this.#next();
    if (t.kind !== 'punct' || t.text !== text) this.#fail(t, `expected '${text}', got ${t.kind === 'eof' ? 'end of input' : `'${t.text}'`}`);
  }

  /** An object body up to `}` (or the end of input at the top). */
  body(depth: number, top: boolean): Obj {
    if (depth > DEPTH_MAX) this.#fail(this.#peek(), 'nested too deeply');
    const entries: Entries = new Map();
    for (;;) {
      const t = this.#peek();
      if (t.kind === 'eof') {
        if (!top) this.#fail(t, "expected '}', got end of input");
        break;
      }
      if (t.kind === 'punct' && t.text === '}') {
        if (top) this.#fail(t, "unexpected '}'");
        break;
      }
      if (t.kind === 'punct' && t.text === ',') {
        this.#next();
        continue;
      }
      if (t.kind !== 'ident' && t.kind !== 'string') this.#fail(t, `expected a key, got '${t.text}'`);
      this.#next();
      const key = t.text;
      const labels: string[] = [];
      while (this.#peek().kind === 'ident' || this.#peek().kind === 'string') labels.push(this.#next().text);
      const after = this.#peek();
      let value: Value;
      let block = false;
      if (after.kind === 'punct' && after.text === '=') {
        if (labels.length > 0) this.#fail(after, `unexpected '=' after block labels`);
        this.#next();
        value = this.value(depth + 1);
      } else if (after.kind === 'punct' && after.text === '{') {
        this.#next();
        value = this.body(depth + 1, false);
        this.#expect('}');
        for (const label of labels.reverse()) value = { [label]: value };
        block = true;
      } else {
        this.#fail(after, `expected '=' or '{' after key ${JSON.stringify(key)}`);
      }
      let list = entries.get(key);
      if (!list) entries.set(key, (list = []));
      list.push({ value, block });
    }
    return collapse(entries);
  }

  value(depth: number): Value {
    if (depth > DEPTH_MAX) this.#fail(this.#peek(), 'nested too deeply');
    const t = this.#next();
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'bool') return t.value!;
    if (t.kind === 'punct' && t.text === '{') {
      const o = this.body(depth + 1, false);
      this.#expect('}');
      return o;
    }
    if (t.kind === 'punct' && t.text === '[') {
      const items: Value[] = [];
      for (;;) {
        const p = this.#peek();
        if (p.kind === 'punct' && p.text === ']') {
          this.#next();
          return items;
        }
        items.push(this.value(depth + 1));
        const sep = this.#peek();
        if (sep.kind === 'punct' && sep.text === ',') this.#next();
        else if (!(sep.kind === 'punct' && sep.text === ']')) this.#fail(sep, `expected ',' or ']', got '${sep.text || 'end of input'}'`);
      }
    }
    return this.#fail(t, `expected a value, got ${t.kind === 'eof' ? 'end of input' : `'${t.text}'`}`);
  }
}

const isObj = (v: Value | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// Objects are built through Maps and Object.fromEntries, which define own keys: a key such as
// `__proto__` or `constructor` is an ordinary key in HCL, not Object.prototype's member.
function mergeObjects(a: Obj, b: Obj): Obj {
  const out = new Map(Object.entries(a));
  for (const [k, v] of Object.entries(b)) {
    const prev = out.get(k);
    out.set(k, isObj(prev) && isObj(v) ? mergeObjects(prev, v) : v);
  }
  return Object.fromEntries(out);
}

/** Turns the values given per key into the JSON shape, with Consul's rules for repeated blocks. */
function collapse(entries: Entries): Obj {
  const out = new Map<string, Value>();
  const append = (key: string, items: Value[]): void => {
    const prev = out.get(key);
    out.set(key, [...(Array.isArray(prev) ? prev : prev === undefined ? [] : [prev]), ...items]);
  };
  for (const [key, list] of entries) {
    const objects = list.filter((e) => isObj(e.value));
    if (objects.length === list.length && list.some((e) => e.block)) {
      const values = list.map((e) => e.value);
      if (LIST_KEYS.has(key)) append(key, values);
      else if (GATHER.has(key) && values.length > 1) append(GATHER.get(key)!, values);
      else out.set(key, values.reduce((a, b) => mergeObjects(a as Obj, b as Obj)));
      continue;
    }
    // Assignments: the last one wins, as in JSON; a list assigned to a list key adds to its blocks.
    const last = list[list.length - 1]!.value;
    if (LIST_KEYS.has(key) && Array.isArray(last) && Array.isArray(out.get(key))) append(key, last);
    else out.set(key, last);
  }
  return Object.fromEntries(out);
}

/**
 * Parses HCL configuration text into the object its JSON form would give. As HCL 1 (Consul's),
 * a text whose first non-space character is `{` is JSON.
 */
export function parseHcl(text: string): Record<string, unknown> {
  if (Buffer.byteLength(text) > HCL_BYTES_MAX) throw new HclError(`HCL input larger than ${HCL_BYTES_MAX} bytes`);
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new HclError((err as Error).message);
    }
  }
  return new Parser(tokenize(text)).body(0, true);
}
