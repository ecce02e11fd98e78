// `?filter=`: hashicorp/go-bexpr boolean expressions over the results of a read, e.g.
//   Service.Tags contains "primary" and Node.Meta.rack == "r1"
//   ServiceName matches "^web" or not (Status == passing)
//   any Checks as c { c.Status == critical }        (all ..., `as i, v`, `as k, _` on maps)
// Selectors are dotted field paths (map keys too: `Meta.version`, `Meta["a.b"]`; list indexes:
// `Checks.0.Status`) or JSON pointers in quotes (`"/Checks/0/Status"`).
import { serverError } from './http-error.js';

type Value = string | number | boolean;
type Selector = string[];
/** A collection's names: `as v` (default), `as i, v`, `as i, _`, `as _, v`. */
interface Binding {
  default?: string;
  index?: string;
  value?: string;
}
type Expr =
  | { k: 'or' | 'and'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'eq' | 'ne' | 'matches' | 'notmatches' | 'contains' | 'notcontains'; sel: Selector; v: Value }
  | { k: 'in' | 'notin'; sel: Selector; v: Value }
  | { k: 'empty' | 'notempty' | 'nil' | 'notnil'; sel: Selector }
  | { k: 'any' | 'all'; sel: Selector; bind: Binding; e: Expr };

/**
 * A collection's local name: an element's path (`c` of `any Checks as c` is Checks/<i>), or a
 * plain value (an index, a map key).
 */
type Local = { name: string; path: string[] } | { name: string; value: string | number };

export type Predicate = (item: unknown) => boolean;

class FilterSyntaxError extends Error {}

const TOKEN_RE = /\s*(?:(==|!=|\(|\)|\[|\]|\.|\{|\}|,)|"((?:[^"\\]|\\.)*)"|`([^`]*)`|(-?\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_][\w\-/]*))/y;
/** A list index after a dot (`Checks.0.Status`). */
const INDEX_RE = /\d+/y;

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
    const prev = out[out.length - 1];
    if (prev?.t === 'op' && prev.v === '.') {
      INDEX_RE.lastIndex = pos;
      const index = INDEX_RE.exec(src);
      if (index) {
        out.push({ t: 'num', v: index[0], pos });
        pos = INDEX_RE.lastIndex;
        continue;
      }
    }
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
    // `any <selector> as <names> { <expression> }` / `all ...`
    const collection = this.#collectionHead();
    if (collection) {
      const { k, sel } = collection;
      const bind = this.#binding();
      this.#expectOp('{');
      const e = this.#or();
      this.#expectOp('}');
      return { k, sel, bind, e };
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
      if (this.#isWord('nil')) {
        this.#i++;
        return { k: negate ? 'notnil' : 'nil', sel };
      }
      if (!this.#isWord('empty')) throw this.#err('expected "empty" or "nil"');
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
  /** `any <selector> as` / `all <selector> as`, else nothing consumed (`any` may be a field or a value). */
  #collectionHead(): { k: 'any' | 'all'; sel: Selector } | undefined {
    const start = this.#i;
    const t = this.#peek();
    if (!(this.#isWord('any') || this.#isWord('all'))) return undefined;
    this.#i++;
    try {
      const sel = this.#selector();
      if (this.#isWord('as')) {
        this.#i++;
        return { k: t!.v as 'any' | 'all', sel };
      }
    } catch (err) {
      if (!(err instanceof FilterSyntaxError)) throw err;
    }
    this.#i = start;
    return undefined;
  }
  #expectOp(op: string): void {
    const t = this.#peek();
    if (!(t?.t === 'op' && t.v === op)) throw this.#err(`expected ${op}`);
    this.#i++;
  }
  /** `v`, `i, v`, `i, _` or `_, v`. */
  #binding(): Binding {
    const name = (): string => {
      const t = this.#peek();
      if (t?.t !== 'word') throw this.#err('expected a name');
      this.#i++;
      return t.v;
    };
    const first = name();
    const comma = this.#peek();
    if (!(comma?.t === 'op' && comma.v === ',')) {
      if (first === '_') throw this.#err('expected a name');
      return { default: first };
    }
    this.#i++;
    const second = name();
    if (first === '_' && second === '_') throw this.#err('expected a name');
    if (first === second) throw new FilterSyntaxError(`${JSON.stringify(first)} cannot be used as a placeholder for both the index and the value`);
    return { ...(first !== '_' ? { index: first } : {}), ...(second !== '_' ? { value: second } : {}) };
  }
  #selector(): Selector {
    const first = this.#peek();
    if (first?.t === 'str' && first.v.startsWith('/')) {
      // A JSON pointer: "/a/b~1c" is a, b/c (RFC 6901 escapes).
      this.#i++;
      return first.v.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    }
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
    if (t.t === 'word' && (t.v === 'true' || t.v === 'false')) {
      this.#i++;
      return t.v === 'true';
    }
    // A bare word is a selector taken as text, dots and all (`Meta.env == a.b` compares with "a.b").
    if (t.t === 'word') return this.#selector().join('.');
    this.#i++;
    return t.t === 'num' ? Number(t.v) : t.v;
  }
}

/** The path a selector names from the item: a collection's local name stands for its element. */
function resolve(sel: Selector, locals: readonly Local[]): { path: string[] } | { value: string | number } {
  for (let i = locals.length - 1; i >= 0; i--) {
    const l = locals[i]!;
    if (l.name !== sel[0]) continue;
    if ('value' in l) return sel.length === 1 ? { value: l.value } : { path: [] };
    return { path: [...l.path, ...sel.slice(1)] };
  }
  return { path: sel };
}

function select(item: unknown, sel: Selector, locals: readonly Local[]): unknown {
  const r = resolve(sel, locals);
  if ('value' in r) return r.value;
  if (r.path.length === 0) return undefined;
  let cur: unknown = item;
  for (const part of r.path) {
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

/**
 * `any` / `all` over a list (names: index and element) or a map (names: key and value); a
 * missing collection has no elements (all: true, any: false).
 */
function evaluateCollection(e: Extract<Expr, { k: 'any' | 'all' }>, item: unknown, regexes: Map<string, RegExp>, locals: readonly Local[]): boolean {
  const r = resolve(e.sel, locals);
  const coll = select(item, e.sel, locals);
  if (!('path' in r) || coll === null || typeof coll !== 'object') return e.k === 'all';
  const keys: Array<string | number> = Array.isArray(coll) ? coll.map((_, i) => i) : Object.keys(coll);
  for (const key of keys) {
    const inner: Local[] = [...locals];
    const elementPath = [...r.path, String(key)];
    const { default: name, index, value } = e.bind;
    // A list's default name is its element; a map's is its key.
    if (name !== undefined) inner.push(Array.isArray(coll) ? { name, path: elementPath } : { name, value: key });
    if (index !== undefined) inner.push({ name: index, value: key });
    if (value !== undefined) inner.push({ name: value, path: elementPath });
    const hit = evaluate(e.e, item, regexes, inner);
    if (hit && e.k === 'any') return true;
    if (!hit && e.k === 'all') return false;
  }
  return e.k === 'all';
}

function evaluate(e: Expr, item: unknown, regexes: Map<string, RegExp>, locals: readonly Local[]): boolean {
  const at = (sel: Selector): unknown => select(item, sel, locals);
  switch (e.k) {
    case 'or':
      return evaluate(e.l, item, regexes, locals) || evaluate(e.r, item, regexes, locals);
    case 'and':
      return evaluate(e.l, item, regexes, locals) && evaluate(e.r, item, regexes, locals);
    case 'not':
      return !evaluate(e.e, item, regexes, locals);
    case 'any':
    case 'all':
      return evaluateCollection(e, item, regexes, locals);
    case 'eq':
      return same(at(e.sel), e.v);
    case 'ne':
      return !same(at(e.sel), e.v);
    case 'empty':
      return isEmpty(at(e.sel));
    case 'notempty':
      return !isEmpty(at(e.sel));
    case 'nil':
      return at(e.sel) == null;
    case 'notnil':
      return at(e.sel) != null;
    case 'in':
    case 'contains':
      return contains(at(e.sel), e.v);
    case 'notin':
    case 'notcontains':
      return !contains(at(e.sel), e.v);
    case 'matches':
    case 'notmatches': {
      const x = at(e.sel);
      const hit = typeof x === 'string' && regexes.get(String(e.v))!.test(x);
      return e.k === 'matches' ? hit : !hit;
    }
  }
}

function collectRegexes(e: Expr, out: Map<string, RegExp>): void {
  if (e.k === 'or' || e.k === 'and') {
    collectRegexes(e.l, out);
    collectRegexes(e.r, out);
  } else if (e.k === 'not' || e.k === 'any' || e.k === 'all') collectRegexes(e.e, out);
  else if (e.k === 'matches' || e.k === 'notmatches') out.set(String(e.v), new RegExp(String(e.v)));
}

/** Compiles a filter; a bad one is Consul's 500 `Failed to create boolean expression evaluator: ...`. */
export function compileFilter(src: string): Predicate {
  try {
    const expr = new Parser(tokenize(src)).parse();
    const regexes = new Map<string, RegExp>();
    collectRegexes(expr, regexes);
    return (item) => evaluate(expr, item, regexes, []);
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
