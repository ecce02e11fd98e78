// A recursive-descent parser for Go's text/template, following the structure of
// text/template/parse/parse.go so error messages and corner cases match Go's.

import type {
  ActionNode, BranchFields, ChainNode, CommandNode, FieldNode, ListNode, Node, NumberNode,
  Operand, PipeNode, StringNode, TemplateNode, VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateParseError, position } from './errors.js';
import { lex, type Token, type TokenType } from './lexer.js';

/** Every template parsed from one source: the main one and its `define`s/`block`s. */
export interface ParsedTree {
  name: string;
  /** The file name used in error messages. */
  parseName: string;
  /** The whole source text, for line/column. */
  text: string;
  root: ListNode;
}

export interface ParseOptions {
  leftDelim?: string;
  rightDelim?: string;
  /** Names of the functions that may be called; unknown names are parse errors. */
  hasFunction: (name: string) => boolean;
  /** Why a defined function is refused at parse time (unset: it is not). */
  refusal?: (name: string) => string | undefined;
}

type EndNode = { type: 'end'; pos: number };
type ElseNode = { type: 'else'; pos: number };
type ListItem = Node | EndNode | ElseNode;

export function parse(name: string, text: string, opts: ParseOptions): Map<string, ParsedTree> {
  const tokens = lex(text, opts.leftDelim, opts.rightDelim);
  const trees = new Map<string, ParsedTree>();
  const p = new Parser(name, text, tokens, opts, trees);
  p.parseTop();
  return trees;
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly opts: ParseOptions,
    private readonly trees: Map<string, ParsedTree>,
  ) {}

  // --- token stream
  private next(): Token {
    const t = this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
    this.i++;
    return t;
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peek(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private errorAt(pos: number, msg: string): never {
    const { line, col } = position(this.text, pos);
    throw new TemplateParseError(this.name, line, col, msg);
  }
  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') this.errorAt(t.pos, t.value);
    this.errorAt(t.pos, `unexpected ${tokenString(t)} in ${context}`);
  }
  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  // --- structure
  parseTop(): void {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        this.next();
        const t = this.nextNonSpace();
        if (t.type === 'keyword' && t.value === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorAt(n.pos, `unexpected ${endString(n)}`);
      root.nodes.push(n);
    }
    if (this.peek().type === 'error') this.unexpected(this.peek(), 'input');
    this.add(this.name, root);
  }

  private add(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (existing && !isEmptyTree(existing.root)) {
      if (isEmptyTree(root)) return;
      this.errorAt(root.pos, `template: multiple definition of template ${JSON.stringify(name)}`);
    }
    this.trees.set(name, { name, parseName: this.name, text: this.text, root });
  }

  private withFreshScope<T>(f: () => T): T {
    const vars = this.vars;
    const depth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    try {
      return f();
    } finally {
      this.vars = vars;
      this.rangeDepth = depth;
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    this.expect('rightDelim', context);
    this.withFreshScope(() => {
      const [list, end] = this.itemList();
      if (end.type !== 'end') this.errorAt(end.pos, `unexpected ${endString(end)} in ${context}`);
      this.add(name, list);
    });
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    const t = this.peekNonSpace();
    if (t.type === 'error') this.unexpected(t, 'input');
    return this.errorAt(t.pos, 'unexpected EOF');
  }

  private textOrAction(): ListItem {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { type: 'text', pos: t.pos, text: t.value };
    if (t.type === 'leftDelim') return this.action();
    return this.unexpected(t, 'input');
  }

  private action(): ListItem {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'block': return this.blockControl();
        case 'break': case 'continue': return this.loopControl(t);
        case 'else': return this.elseControl();
        case 'end': return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
        case 'if': return this.branch('if', t.pos, true);
        case 'range': return this.branch('range', t.pos, false);
        case 'template': return this.templateControl();
        case 'with': return this.branch('with', t.pos, false);
      }
    }
    this.backup();
    const pos = this.peek().pos;
    const pipe = this.pipeline('command', 'rightDelim');
    const node: ActionNode = { type: 'action', pos, pipe };
    return node;
  }

  private loopControl(t: Token): Node {
    const next = this.nextNonSpace();
    if (next.type !== 'rightDelim') this.unexpected(next, `{{${t.value}}}`);
    if (this.rangeDepth === 0) this.errorAt(t.pos, `{{${t.value}}} outside {{range}}`);
    return { type: t.value as 'break' | 'continue', pos: t.pos };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    if (peek.type === 'keyword' && peek.value === 'if') return { type: 'else', pos: peek.pos };
    const t = this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos };
  }

  private branch(kind: 'if' | 'range' | 'with', pos: number, allowElseIf: boolean): Node {
    const nVars = this.vars.length;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      const [list, next] = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      const fields: BranchFields = { pos, pipe, list };
      if (next.type === 'else') {
        const peek = this.peek();
        if (allowElseIf && peek.type === 'keyword' && peek.value === 'if') {
          const ifTok = this.next();
          fields.elseList = { type: 'list', pos: next.pos, nodes: [this.branch('if', ifTok.pos, true)] };
        } else {
          const [elseList, end] = this.itemList();
          if (end.type !== 'end') this.errorAt(end.pos, `expected end; found ${endString(end)}`);
          fields.elseList = elseList;
        }
      }
      return { type: kind, ...fields };
    } finally {
      this.vars.length = nVars;
    }
  }

  private templateName(t: Token, context: string): string {
    if (t.type === 'string' || t.type === 'rawString') return this.unquote(t);
    return this.unexpected(t, context);
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.withFreshScope(() => {
      const [list, end] = this.itemList();
      if (end.type !== 'end') this.errorAt(end.pos, `unexpected ${endString(end)} in ${context}`);
      this.add(name, list);
    });
    return { type: 'template', pos: t.pos, name, pipe };
  }

  // --- pipelines
  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const pipe: PipeNode = { type: 'pipe', pos: this.peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const save = this.i;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.value] });
        this.vars.push(v.value);
        break;
      }
      if (next.type === 'char' && next.value === ',') {
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.value] });
        this.vars.push(v.value);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === 'variable' || after === 'rightDelim' || after === 'rightParen') continue;
          this.errorAt(next.pos, 'range can only initialize variables');
        }
        this.errorAt(next.pos, `too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context, t.pos);
        return pipe;
      }
      switch (t.type) {
        case 'bool': case 'charConstant': case 'dot': case 'field': case 'identifier': case 'number':
        case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, pos: number): void {
    if (pipe.cmds.length === 0) this.errorAt(pos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]!.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorAt(c.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorAt(cmd.pos, 'empty command');
    return cmd;
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== 'field') return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().value.slice(1));
    switch (node.type) {
      case 'field': return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] } satisfies FieldNode;
      case 'variable': return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] } satisfies VariableNode;
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        return this.errorAt(chainPos, `unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default:
        return { type: 'chain', pos: chainPos, node, field: fields } satisfies ChainNode;
    }
  }

  private term(): Operand | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.opts.hasFunction(t.value)) {
          this.errorAt(t.pos, `function ${JSON.stringify(t.value)} not defined`);
        }
        if (this.opts.refusal?.(t.value)) this.errorAt(t.pos, this.opts.refusal(t.value)!);
        return { type: 'identifier', pos: t.pos, name: t.value };
      case 'dot': return { type: 'dot', pos: t.pos };
      case 'nil': return { type: 'nil', pos: t.pos };
      case 'variable':
        if (!this.vars.includes(t.value)) this.errorAt(t.pos, `undefined variable ${JSON.stringify(t.value)}`);
        return { type: 'variable', pos: t.pos, ident: [t.value] };
      case 'field': return { type: 'field', pos: t.pos, ident: [t.value.slice(1)] };
      case 'bool': return { type: 'bool', pos: t.pos, value: t.value === 'true' };
      case 'charConstant': case 'number': return this.number(t);
      case 'leftParen': return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string': case 'rawString': {
        const s: StringNode = { type: 'string', pos: t.pos, quoted: t.value, text: this.unquote(t) };
        return s;
      }
    }
    this.backup();
    return undefined;
  }

  private number(t: Token): NumberNode {
    const n: NumberNode = { type: 'number', pos: t.pos, text: t.value, isInt: false, isUint: false, isFloat: false, int: 0, float: 0 };
    if (t.type === 'charConstant') {
      const s = unquoteGo(t.value.slice(1, -1), "'");
      if (s === undefined || [...s].length !== 1) this.errorAt(t.pos, `malformed character constant: ${t.value}`);
      n.isInt = n.isUint = n.isFloat = true;
      n.int = n.float = s.codePointAt(0)!;
      return n;
    }
    const text = t.value.replace(/_/g, '');
    // parse/node.go newNumber: ParseUint and ParseInt (64 bits) first, then ParseFloat.
    const intVal = parseGoInt(text);
    if (intVal !== undefined && intVal >= -(2n ** 63n) && intVal < 2n ** 64n) {
      n.isInt = intVal < 2n ** 63n;
      n.isUint = intVal >= 0n;
      n.isFloat = true;
      if (n.isInt) n.int = Number.isSafeInteger(Number(intVal)) ? Number(intVal) : intVal;
      n.float = Number(intVal);
      return n;
    }
    const f = /^[+-]?0[xX]/.test(text) ? parseHexFloat(text) : Number(text);
    if (!Number.isFinite(f)) this.errorAt(t.pos, `bad number syntax: ${JSON.stringify(t.value)}`);
    // An integer too large even for a uint64 (node.go).
    if (intVal !== undefined) this.errorAt(t.pos, `integer overflow: ${JSON.stringify(t.value)}`);
    n.isFloat = true;
    n.float = f;
    if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
      n.isInt = true;
      n.int = Number.isSafeInteger(f) ? f : BigInt(f);
    }
    if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) n.isUint = true;
    return n;
  }

  private unquote(t: Token): string {
    if (t.type === 'rawString') return t.value.slice(1, -1).replace(/\r/g, '');
    const s = unquoteGo(t.value.slice(1, -1), '"');
    if (s === undefined) this.errorAt(t.pos, 'invalid syntax');
    return s;
  }
}

/** strconv.ParseInt/ParseUint(text, 0, 64) syntax, exact and unbounded (the caller checks the range). */
function parseGoInt(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

/** A hexadecimal float (`0x1p4`, `0x1.8p-1`): Go needs the p exponent; NaN when it is not one. */
function parseHexFloat(text: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(text);
  if (!m || m[2]! + (m[3] ?? '') === '') return NaN;
  const frac = m[3] ?? '';
  const v = Number(BigInt('0x' + (m[2]! + frac || '0'))) * 2 ** (Number(m[4]) - 4 * frac.length);
  return m[1] === '-' ? -v : v;
}

/** strconv.Unquote's escapes for the body of a "..." string or '...' rune. */
export function unquoteGo(body: string, quote: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case "'": case '"':
        if (e !== quote) return undefined;
        out += e;
        break;
      case 'x': case 'u': case 'U': {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return undefined;
        out += String.fromCodePoint(parseInt(hex, 16));
        i += len;
        break;
      }
      default:
        if (e !== undefined && /[0-7]/.test(e)) {
          const oct = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(oct)) return undefined;
          out += String.fromCharCode(parseInt(oct, 8));
          i += 2;
          break;
        }
        return undefined;
    }
  }
  return out;
}

function isEmptyTree(n: ListNode): boolean {
  return n.nodes.every((c) => c.type === 'text' && c.text.trim() === '');
}

function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.value;
  if (t.type === 'keyword' || t.type === 'nil' || t.type === 'dot') return `<${t.value}>`;
  if (t.value.length > 10) return `${goQuote(t.value.slice(0, 10))}...`;
  return goQuote(t.value);
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function endString(n: EndNode | ElseNode | Node): string {
  if (n.type === 'end') return '{{end}}';
  if (n.type === 'else') return '{{else}}';
  return nodeString(n);
}
