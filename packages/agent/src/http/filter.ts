// `?filter=`: hashicorp/go-bexpr boolean expressions over the results of a read, e.g.
//   Service.Tags contains "primary" and Node.Meta.rack == "r1"
//   ServiceName matches "^web" or not (Status == passing)
// Selectors are dotted field paths (map keys too: `Meta.version`, `Meta["a.b"]`).
import { serverError } from './http-error.js';

type Value = string | number | boolean;
type Selector = string[];
type Expr =
  | { k: 'or' | 'and'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'eq' | 'ne' | 'matches' | 'notmatches' | 'contains' | 'notcontains'; sel: Selector; v: Value }
  | { k: 'in' | 'notin'; sel: Selector; v: Value }
  | { k: 'empty' | 'notempty'; sel: Selector };

export type Predicate = (item: unknown) => boolean;

class FilterSyntaxError extends Error {}

const TOKEN_RE = /\s*(?:(==|!=|\(|\)|\[|\]|\.)|"((?:[^"\\]|\\.)*)"|`([^`]*)`|(-?\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_][\w\-/]*))/y;

interface Token {
  t: 'op' | 'str' | 'num' | 'word';
  v: string;
  pos: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    while (pos < src.length && /\s/.test(src[pos]!)) pos++;
    if (pos >= src.length) return out;
    TOKEN_RE.lastIndex = pos;
    const m = TOKEN_RE.exec(src);
    if (!m) throw new FilterSyntaxError(`1:${pos + 1}: unexpected character ${JSON.stringify(src[pos])}`);
    if (m[1] !== undefined) out.push({ t: 'op', v: m[1], pos });
    else if (m[2] !== undefined) out.push({ t: 'str', v: JSON.parse(`"${m[2]}"`) as string, pos });
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3], pos });
    else if (m[4] !== undefined) out.push({ t: 'num', v: m[4], pos });
    else out.push({ t: 'word', v: m[5]!, pos });
    pos = TOKEN_RE.lastIndex;
  }
  throw new FilterSyntaxError('expression too long');
}

class Parser {
  #i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): Expr {
    const e = this.#or();
    if (this.#i < this.toks.length) throw this.#err('unexpected token');
    return e;
  }

  #peek(): Token | undefined {
    return this.toks[this.#i];
  }
  #isWord(w: string, at = this.#i): boolean {
    const t = this.toks[at];
    return t !== undefined && t.t === 'word' && t.v === w;
  }
  #err(msg: string): FilterSyntaxError {
    const t = this.#peek();
    return new FilterSyntaxError(t ? `1:${t.pos + 1} (${t.pos}): ${msg} ${JSON.stringify(t.v)}` : `${msg}: unexpected end of expression`);
  }

  #or(): Expr {
    let l = this.#and();
    while (this.#isWord('or')) {
      this.#i++;
      l = { k: 'or', l, r: this.#and() };
    }
    return l;
  }
  #and(): Expr {
    let l = this.#not();
    while (this.#isWord('and')) {
      this.#i++;
      l = { k: 'and', l, r: this.#not() };
    }
    return l;
  }
  #not(): Expr {
    if (this.#isWord('not') && !this.#isWord('in', this.#i + 1)) {
      this.#i++;
      return { k: 'not', e: this.#not() };
    }
    return this.#primary();
  }
  #primary(): Expr {
    const t = this.#peek();
    if (t?.t === 'op' && t.v === '(') {
      this.#i++;
      const e = this.#or();
      const close = this.#peek();
      if (!(close?.t === 'op' && close.v === ')')) throw this.#err('expected )');
      this.#i++;
      return e;
    }
    // `<value> in <selector>` / `<value> not in <selector>`
    if (t && (t.t === 'str' || t.t === 'num' || t.t === 'word') && (this.#isWord('in', this.#i + 1) || (this.#isWord('not', this.#i + 1) && this.#isWord('in', this.#i + 2)))) {
      const v = this.#value();
      const negate = this.#isWord('not');
      this.#i += negate ? 2 : 1;
      return { k: negate ? 'notin' : 'in', sel: this.#selector(), v };
    }
    const sel = this.#selector();
    const op = this.#peek();
    if (!op) throw this.#err('expected an operator');
    if (op.t === 'op' && (op.v === '==' || op.v === '!=')) {
      this.#i++;
      return { k: op.v === '==' ? 'eq' : 'ne', sel, v: this.#value() };
    }
    if (this.#isWord('is')) {
      this.#i++;
      const negate = this.#isWord('not');
      if (negate) this.#i++;
      if (!this.#isWord('empty')) throw this.#err('expected "empty"');
      this.#i++;
      return { k: negate ? 'notempty' : 'empty', sel };
    }
    const negate = this.#isWord('not');
    if (negate) this.#i++;
    if (this.#isWord('contains')) {
      this.#i++;
      return { k: negate ? 'notcontains' : 'contains', sel, v: this.#value() };
    }
    if (this.#isWord('matches')) {
      this.#i++;
      return { k: negate ? 'notmatches' : 'matches', sel, v: this.#value() };
    }
    throw this.#err('expected an operator');
  }
  #selector(): Selector {
    const first = this.#peek();
    if (first?.t !== 'word') throw this.#err('expected a selector');
    this.#i++;
    const parts = [first.v];
    for (let guard = 0; guard < 100; guard++) {
      const t = this.#peek();
      if (t?.t === 'op' && t.v === '.') {
        this.#i++;
        const name = this.#peek();
        if (!name || (name.t !== 'word' && name.t !== 'num')) throw this.#err('expected a field name');
        this.#i++;
        parts.push(name.v);
      } else if (t?.t === 'op' && t.v === '[') {
        this.#i++;
        const key = this.#peek();
        if (key?.t !== 'str') throw this.#err('expected a quoted key');
        this.#i++;
        const close = this.#peek();
        if (!(close?.t === 'op' && close.v === ']')) throw this.#err('expected ]');
        this.#i++;
        parts.push(key.v);
      } else break;
    }
    return parts;
  }
  #value(): Value {
    const t = this.#peek();
    if (!t || t.t === 'op') throw this.#err('expected a value');
    this.#i++;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'word' && (t.v === 'true' || t.v === 'false')) return t.v === 'true';
    return t.v;
  }
}

function select(item: unknown, sel: Selector): unknown {
  let cur: unknown = item;
  for (const part of sel) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const same = (a: unknown, v: Value): boolean => a !== undefined && a !== null && typeof a !== 'object' && String(a) === String(v);

function isEmpty(x: unknown): boolean {
  if (x === undefined || x === null || x === '') return true;
  if (Array.isArray(x)) return x.length === 0;
  if (typeof x === 'object') return Object.keys(x as object).length === 0;
  return false;
}

function contains(x: unknown, v: Value): boolean {
  if (Array.isArray(x)) return x.some((e) => same(e, v));
  if (typeof x === 'string') return x.includes(String(v));
  if (x && typeof x === 'object') return Object.prototype.hasOwnProperty.call(x, String(v));
  return false;
}

function evaluate(e: Expr, item: unknown, regexes: Map<string, RegExp>): boolean {
  switch (e.k) {
    case 'or':
      return evaluate(e.l, item, regexes) || evaluate(e.r, item, regexes);
    case 'and':
      return evaluate(e.l, item, regexes) && evaluate(e.r, item, regexes);
    case 'not':
      return !evaluate(e.e, item, regexes);
    case 'eq':
      return same(select(item, e.sel), e.v);
    case 'ne':
      return !same(select(item, e.sel), e.v);
    case 'empty':
      return isEmpty(select(item, e.sel));
    case 'notempty':
      return !isEmpty(select(item, e.sel));
    case 'in':
    case 'contains':
      return contains(select(item, e.sel), e.v);
    case 'notin':
    case 'notcontains':
      return !contains(select(item, e.sel), e.v);
    case 'matches':
    case 'notmatches': {
      const x = select(item, e.sel);
      const hit = typeof x === 'string' && regexes.get(String(e.v))!.test(x);
      return e.k === 'matches' ? hit : !hit;
    }
  }
}

function collectRegexes(e: Expr, out: Map<string, RegExp>): void {
  if (e.k === 'or' || e.k === 'and') {
    collectRegexes(e.l, out);
    collectRegexes(e.r, out);
  } else if (e.k === 'not') collectRegexes(e.e, out);
  else if (e.k === 'matches' || e.k === 'notmatches') out.set(String(e.v), new RegExp(String(e.v)));
}

/** Compiles a filter; a bad one is Consul's 500 `Failed to create boolean expression evaluator: ...`. */
export function compileFilter(src: string): Predicate {
  try {
    const expr = new Parser(tokenize(src)).parse();
    const regexes = new Map<string, RegExp>();
    collectRegexes(expr, regexes);
    return (item) => evaluate(expr, item, regexes);
  } catch (err) {
    throw serverError(`Failed to create boolean expression evaluator: ${(err as Error).message}`);
  }
}

/** Filters a list, or the values of a map keyed by ID (agent/services, agent/checks). */
export function applyFilter<T>(value: T, pred: Predicate): T {
  if (Array.isArray(value)) return value.filter(pred) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => pred(v))) as T;
  }
  return value;
}
