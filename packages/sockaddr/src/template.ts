/**
 * go-sockaddr's template.Parse, as Consul runs it on address keys: Go text/template syntax
 * with go-sockaddr's function map, evaluated against the host's interfaces.
 *
 * Supported: text and `{{ }}` actions (with `{{-` / `-}}` trimming and comments), pipelines
 * `F args | G args | ...`, arguments that are "quoted" or `raw` strings, integers, `.` (all
 * interfaces), a function name, or a (parenthesized pipeline). Go's control structures,
 * variables, fields and built-in functions are refused with a SockaddrTemplateError whose
 * `unsupported` flag is set. Parse and execution errors carry go-sockaddr's and Go's texts
 * (`unable to parse template "...": template: sockaddr.Parse:1: function "Foo" not defined`).
 */
import { goQuote } from './go-text.js';
import { collectIfAddrs, ifAddrText, type IfAddr, type NetworkHost } from './ifaddrs.js';
import * as fns from './funcs.js';
import { SockaddrError } from './ip.js';

export class SockaddrTemplateError extends Error {
  override readonly name = 'SockaddrTemplateError';
  constructor(
    message: string,
    /** A construct Go accepts that Proconsul does not evaluate (not a go-sockaddr error). */
    readonly unsupported = false,
  ) {
    super(message);
  }
}

const TEMPLATE_NAME = 'sockaddr.Parse';

// ---- lexing (Go's text/template/parse lexer, for the items these values use)

type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'string'
  | 'rawString'
  | 'number'
  | 'identifier'
  | 'dot'
  | 'field'
  | 'variable'
  | 'keyword'
  | 'char'
  | 'charConstant'
  | 'assign'
  | 'declare'
  | 'error'
  | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  line: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with', 'true', 'false']);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
const hasLeftTrimMarker = (s: string, i: number): boolean => s[i] === '-' && isSpace(s[i + 1]);
const hasRightTrimMarker = (s: string, i: number): boolean => isSpace(s[i]) && s[i + 1] === '-';

/** Go's %#U: `U+0040 '@'`. */
function goRune(c: string): string {
  const cp = c.codePointAt(0) as number;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  const lineAt = (p: number): number => line + (input.slice(pos, p).match(/\n/g)?.length ?? 0);
  const emit = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: input.slice(start, end), pos: start, line: lineAt(start) });
  };
  const fail = (message: string, start: number): Token[] => {
    tokens.push({ kind: 'error', text: message, pos: start, line: lineAt(start) });
    return tokens;
  };
  const advance = (to: number): void => {
    line = lineAt(to);
    pos = to;
  };
  const atRightDelim = (p: number): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, p) && input.startsWith('}}', p + 2)) return { delim: true, trim: true };
    return { delim: input.startsWith('}}', p), trim: false };
  };
  const trimLeadingSpace = (p: number): number => {
    while (isSpace(input[p])) p++;
    return p;
  };

  for (;;) {
    // Text up to the next action.
    const open = input.indexOf('{{', pos);
    if (open < 0) {
      if (pos < input.length) emit('text', pos, input.length);
      tokens.push({ kind: 'eof', text: '', pos: input.length, line: lineAt(input.length) });
      return tokens;
    }
    let textEnd = open;
    if (hasLeftTrimMarker(input, open + 2)) while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > pos) emit('text', pos, textEnd);
    advance(open);

    let p = open + 2;
    /** Past a quoted string or character constant (a backslash escapes; a newline ends it): false when unterminated. */
    const scanQuoted = (quote: string): boolean => {
      p++;
      for (;;) {
        const d = input[p++];
        if (d === '\\') {
          const e = input[p++];
          if (e !== undefined && e !== '\n') continue;
          return false;
        }
        if (d === undefined || d === '\n') return false;
        if (d === quote) return true;
      }
    };
    const afterMarker = hasLeftTrimMarker(input, p) ? 2 : 0;
    if (input.startsWith('/*', p + afterMarker)) {
      // A comment is the whole action.
      const close = input.indexOf('*/', p + afterMarker + 2);
      if (close < 0) return fail('unclosed comment', p + afterMarker);
      const { delim, trim } = atRightDelim(close + 2);
      if (!delim) return fail('comment ends before closing delimiter', p + afterMarker);
      p = close + 2 + (trim ? 2 : 0) + 2;
      advance(trim ? trimLeadingSpace(p) : p);
      continue;
    }
    emit('leftDelim', open, p);
    p += afterMarker;
    advance(p);

    let parenDepth = 0;
    for (;;) {
      const { delim, trim } = atRightDelim(p);
      if (delim) {
        if (parenDepth !== 0) return fail('unclosed left paren', p);
        const start = p + (trim ? 2 : 0);
        emit('rightDelim', start, start + 2);
        p = start + 2;
        advance(trim ? trimLeadingSpace(p) : p);
        break;
      }
      const c = input[p];
      const start = p;
      if (c === undefined) return fail('unclosed action', p);
      if (isSpace(c)) {
        while (isSpace(input[p])) p++;
        // " -}}" belongs to the delimiter; a longer run keeps all but its last space.
        if (hasRightTrimMarker(input, p - 1) && input.startsWith('}}', p + 1)) {
          p--;
          if (p === start) continue;
        }
        emit('space', start, p);
      } else if (c === '=') {
        emit('assign', start, ++p);
      } else if (c === ':') {
        if (input[p + 1] !== '=') return fail('expected :=', start);
        p += 2;
        emit('declare', start, p);
      } else if (c === '|') {
        emit('pipe', start, ++p);
      } else if (c === '"') {
        if (!scanQuoted('"')) return fail('unterminated quoted string', start);
        emit('string', start, p);
      } else if (c === '`') {
        const close = input.indexOf('`', p + 1);
        if (close < 0) return fail('unterminated raw quoted string', start);
        p = close + 1;
        emit('rawString', start, p);
      } else if (c === '$') {
        p++;
        while (isAlphaNumeric(input[p])) p++;
        emit('variable', start, p);
      } else if (c === "'") {
        if (!scanQuoted("'")) return fail('unterminated character constant', start);
        emit('charConstant', start, p);
      } else if (c === '.' && !/[0-9]/.test(input[p + 1] ?? '')) {
        p++;
        if (!isAlphaNumeric(input[p])) {
          emit('dot', start, p);
        } else {
          while (isAlphaNumeric(input[p])) p++;
          emit('field', start, p);
        }
      } else if (c === '+' || c === '-' || c === '.' || /[0-9]/.test(c)) {
        const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]*)?|0[oO][0-7_]*(?:\.[0-7_]*)?|0[bB][01_]*(?:\.[01_]*)?|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]*)?)i?/.exec(input.slice(p)) as RegExpExecArray;
        p += m[0].length;
        if (isAlphaNumeric(input[p]) || input[p] === '+' || input[p] === '-') {
          return fail(`bad number syntax: ${goQuote(input.slice(start, p + 1))}`, start);
        }
        emit('number', start, p);
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(input[p])) p++;
        const next = input[p];
        const terminated = next === undefined || isSpace(next) || '.,|:()'.includes(next) || input.startsWith('}}', p);
        if (!terminated) return fail(`bad character ${goRune(next)}`, start);
        const word = input.slice(start, p);
        emit(KEYWORDS.has(word) ? 'keyword' : 'identifier', start, p);
      } else if (c === '(') {
        parenDepth++;
        emit('leftParen', start, ++p);
      } else if (c === ')') {
        parenDepth--;
        emit('rightParen', start, ++p);
        if (parenDepth < 0) return fail(`unexpected right paren ${goRune(c)}`, start);
      } else if (c.charCodeAt(0) < 0x80 && c >= ' ' && c !== '\x7f') {
        emit('char', start, ++p);
      } else {
        const ch = String.fromCodePoint(input.codePointAt(p) as number);
        return fail(`unrecognized character in action: ${goRune(ch)}`, start);
      }
    }
  }
}

// ---- parsing (Go's text/template/parse, for pipelines)

type Arg =
  | { kind: 'identifier'; name: string; pos: number }
  | { kind: 'dot'; pos: number }
  | { kind: 'string'; value: string; quoted: string; pos: number }
  | { kind: 'number'; text: string; pos: number; int?: bigint; uint?: bigint; float?: number }
  | { kind: 'pipe'; pipe: Pipe; pos: number };

interface Command {
  args: Arg[];
  pos: number;
}

interface Pipe {
  cmds: Command[];
  pos: number;
}

type TemplateNode = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipe };

/** Go's text/template built-ins: defined in Go, not evaluated here. */
const GO_BUILTINS = new Set(['and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery', 'eq', 'ge', 'gt', 'le', 'lt', 'ne']);

function argText(arg: Arg): string {
  switch (arg.kind) {
    case 'identifier':
      return arg.name;
    case 'dot':
      return '.';
    case 'string':
      return arg.quoted;
    case 'number':
      return arg.text;
    case 'pipe':
      return `(${pipeText(arg.pipe)})`;
  }
}

const commandText = (cmd: Command): string => cmd.args.map(argText).join(' ');
const pipeText = (pipe: Pipe): string => pipe.cmds.map(commandText).join(' | ');

/** Go's item String() in parse errors. */
function tokenText(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'error') return t.text;
  if (t.kind === 'keyword' || t.kind === 'dot') return `<${t.text}>`;
  if ([...t.text].length > 10) return `${goQuote([...t.text].slice(0, 10).join(''))}...`;
  return goQuote(t.text);
}

/** Go's strconv.Unquote for the string literals of an action. */
function unquote(token: Token): string {
  if (token.kind === 'rawString') return token.text.slice(1, -1).replace(/\r/g, '');
  const body = token.text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
    if (e !== undefined && simple[e] !== undefined) {
      out += simple[e];
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw new Error('invalid syntax');
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff && e !== 'x')) throw new Error('invalid syntax');
      out += e === 'x' ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      i += hexLen;
      continue;
    }
    if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || Number.parseInt(oct, 8) > 255) throw new Error('invalid syntax');
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
      continue;
    }
    throw new Error('invalid syntax');
  }
  return out;
}

/** Go's base-0 integer literal (`12`, `-3`, `0x1f`, `0o17`, `017`, `0b101`, `1_000`). */
function goIntLiteral(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/.exec(text);
  if (m === null) return undefined;
  const digits = (m[2] as string).replace(/_/g, '');
  const value = /^0[0-7]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return m[1] === '-' ? -value : value;
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Go's parse.NumberNode: which of int / uint / float the literal is. */
function numberArg(token: Token): Extract<Arg, { kind: 'number' }> {
  const arg: Extract<Arg, { kind: 'number' }> = { kind: 'number', text: token.text, pos: token.pos };
  if (token.text.endsWith('i')) throw new SockaddrTemplateError(`complex number ${token.text}`, true);
  const int = goIntLiteral(token.text);
  if (int !== undefined) {
    // Go's ParseUint refuses a sign, but a zero counts as unsigned however it is written.
    if (int === 0n || (int > 0n && int <= UINT64_MAX && !token.text.startsWith('+'))) arg.uint = int;
    if (int >= -INT64_MAX - 1n && int <= INT64_MAX) arg.int = int;
    if (arg.int === undefined && arg.uint === undefined) throw new Error(`integer overflow: ${goQuote(token.text)}`);
    arg.float = Number(int);
    return arg;
  }
  const clean = token.text.replace(/_/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(clean)) throw new Error(`illegal number syntax: ${goQuote(token.text)}`);
  const f = Number(clean);
  if (!/[.eEpP]/.test(token.text)) throw new Error(`integer overflow: ${goQuote(token.text)}`);
  arg.float = f;
  if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) arg.int = BigInt(f);
  if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) arg.uint = BigInt(f);
  return arg;
}

function unsupported(what: string): SockaddrTemplateError {
  return new SockaddrTemplateError(
    `Proconsul does not evaluate ${what} in go-sockaddr templates (supported: {{ F args | G args ... }} pipelines of go-sockaddr functions with string, integer, . and (pipeline) arguments)`,
    true,
  );
}

class Parser {
  private i = 0;
  private actionLine = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly funcs: ReadonlySet<string>,
  ) {}

  private errorf(message: string, token?: Token): never {
    const line = (token ?? this.tokens[Math.min(Math.max(0, this.i - 1), this.tokens.length - 1)])?.line ?? 1;
    throw new SockaddrTemplateError(`template: ${TEMPLATE_NAME}:${line}: ${message}`);
  }

  /** The token at i; past the end, the last one (eof or the lexer's error) again. */
  private peek(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.kind === 'space') t = this.next();
    return t;
  }

  /** Skips spaces and returns the token after them, without consuming it. */
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.i--;
    return t;
  }

  private unexpected(token: Token, context: string): never {
    if (token.kind === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${TEMPLATE_NAME}:${this.actionLine}`;
        if (token.text.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${token.text}${extra}`, token);
    }
    this.errorf(`unexpected ${tokenText(token)} in ${context}`, token);
  }

  parse(): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.kind === 'eof') return nodes;
      if (t.kind === 'text') {
        nodes.push({ kind: 'text', text: t.text });
      } else if (t.kind === 'leftDelim') {
        this.actionLine = t.line;
        nodes.push({ kind: 'action', pipe: this.action() });
        this.actionLine = 0;
      } else {
        this.unexpected(t, 'input');
      }
    }
  }

  private action(): Pipe {
    const t = this.peekNonSpace();
    if (t.kind === 'keyword') throw unsupported(['true', 'false', 'nil'].includes(t.text) ? t.text : `{{${t.text}}}`);
    return this.pipeline('command', 'rightDelim');
  }

  private pipeline(context: string, end: TokenKind): Pipe {
    const pipe: Pipe = { cmds: [], pos: this.peekNonSpace().pos };
    if (this.peekNonSpace().kind === 'variable') throw unsupported('variables');
    for (;;) {
      const t = this.nextNonSpace();
      if (t.kind === end) {
        if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`, t);
        pipe.cmds.slice(1).forEach((cmd, i) => {
          const first = cmd.args[0] as Arg;
          if (first.kind === 'dot' || first.kind === 'number' || first.kind === 'string') {
            this.errorf(`non executable command in pipeline stage ${i + 2}`, t);
          }
        });
        return pipe;
      }
      if (['keyword', 'charConstant', 'dot', 'field', 'identifier', 'number', 'rawString', 'string', 'variable', 'leftParen'].includes(t.kind)) {
        this.i--;
        pipe.cmds.push(this.command());
      } else {
        this.unexpected(t, context);
      }
    }
  }

  private command(): Command {
    const cmd: Command = { args: [], pos: this.peekNonSpace().pos };
    for (;;) {
      this.peekNonSpace();
      const operand = this.term();
      if (operand !== undefined) {
        if (this.peek().kind === 'field') throw unsupported(`field access (${this.peek().text})`);
        cmd.args.push(operand);
      }
      const t = this.next();
      if (t.kind === 'space') continue;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') this.i--;
      else if (t.kind !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private term(): Arg | undefined {
    const t = this.nextNonSpace();
    switch (t.kind) {
      case 'identifier':
        if (GO_BUILTINS.has(t.text)) throw unsupported(`Go's built-in function ${t.text}`);
        if (!this.funcs.has(t.text)) this.errorf(`function ${goQuote(t.text)} not defined`, t);
        return { kind: 'identifier', name: t.text, pos: t.pos };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'keyword':
        throw unsupported(t.text === 'nil' || t.text === 'true' || t.text === 'false' ? `${t.text}` : `{{${t.text}}}`);
      case 'variable':
        throw unsupported('variables');
      case 'field':
        throw unsupported(`field access (${t.text})`);
      case 'charConstant':
        throw unsupported(`character constants (${t.text})`);
      case 'number':
        try {
          return numberArg(t);
        } catch (err) {
          if (err instanceof SockaddrTemplateError) throw err;
          return this.errorf((err as Error).message, t);
        }
      case 'leftParen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        return { kind: 'pipe', pipe, pos: pipe.pos };
      }
      case 'string':
      case 'rawString':
        try {
          return { kind: 'string', value: unquote(t), quoted: t.text, pos: t.pos };
        } catch (err) {
          return this.errorf((err as Error).message, t);
        }
      default:
        this.i--;
        return undefined;
    }
  }
}

// ---- execution

type GoType = 'string' | 'int' | 'uint' | 'sockaddr.IfAddrs' | 'interface {}';

type Value =
  | { type: 'string'; v: string }
  | { type: 'sockaddr.IfAddrs'; v: readonly IfAddr[] }
  | { type: 'int'; v: bigint }
  | { type: 'float64'; v: number };

interface Func {
  params: GoType[];
  call(args: Value[], env: fns.SockaddrEnv): Value;
}

const str = (v: string): Value => ({ type: 'string', v });
const list = (v: readonly IfAddr[]): Value => ({ type: 'sockaddr.IfAddrs', v });
const S = (a: Value | undefined): string => (a as { v: string }).v;
const L = (a: Value | undefined): readonly IfAddr[] => (a as { v: readonly IfAddr[] }).v;
const N = (a: Value | undefined): bigint => (a as { v: bigint }).v;

/** go-sockaddr's template function map (SourceFuncs, SortFuncs, FilterFuncs, HelperFuncs). */
const FUNCS: Record<string, Func> = {
  GetAllInterfaces: { params: [], call: (_, env) => list(env.all()) },
  GetDefaultInterfaces: { params: [], call: (_, env) => list(fns.getDefaultInterfaces(env)) },
  GetPrivateInterfaces: { params: [], call: (_, env) => list(fns.getPrivateInterfaces(env)) },
  GetPublicInterfaces: { params: [], call: (_, env) => list(fns.getPublicInterfaces(env)) },
  sort: { params: ['string', 'sockaddr.IfAddrs'], call: (a, env) => list(fns.sortBy(S(a[0]), L(a[1]), env)) },
  exclude: { params: ['string', 'string', 'sockaddr.IfAddrs'], call: (a) => list(fns.exclude(S(a[0]), S(a[1]), L(a[2]))) },
  include: { params: ['string', 'string', 'sockaddr.IfAddrs'], call: (a) => list(fns.include(S(a[0]), S(a[1]), L(a[2]))) },
  attr: {
    params: ['string', 'interface {}'],
    call: (a) => {
      const target = a[1] as Value;
      if (target.type !== 'sockaddr.IfAddrs') {
        throw new SockaddrError(`unable to obtain attribute ${S(a[0])} from type ${target.type} (${printValue(target)})`);
      }
      return str(fns.attrOf(S(a[0]), target.v));
    },
  },
  join: { params: ['string', 'string', 'sockaddr.IfAddrs'], call: (a) => str(fns.joinAttrs(S(a[0]), S(a[1]), L(a[2]))) },
  limit: { params: ['uint', 'sockaddr.IfAddrs'], call: (a) => list(fns.limit(N(a[0]), L(a[1]))) },
  offset: { params: ['int', 'sockaddr.IfAddrs'], call: (a) => list(fns.offset(N(a[0]), L(a[1]))) },
  unique: { params: ['string', 'sockaddr.IfAddrs'], call: (a) => list(fns.unique(S(a[0]), L(a[1]))) },
  math: { params: ['string', 'string', 'sockaddr.IfAddrs'], call: (a) => list(fns.math(S(a[0]), S(a[1]), L(a[2]))) },
  GetPrivateIP: { params: [], call: (_, env) => str(fns.getPrivateIP(env)) },
  GetPrivateIPs: { params: [], call: (_, env) => str(fns.getPrivateIPs(env)) },
  GetPublicIP: { params: [], call: (_, env) => str(fns.getPublicIP(env)) },
  GetPublicIPs: { params: [], call: (_, env) => str(fns.getPublicIPs(env)) },
  GetInterfaceIP: { params: ['string'], call: (a, env) => str(fns.getInterfaceIP(S(a[0]), env)) },
  GetInterfaceIPs: { params: ['string'], call: (a, env) => str(fns.getInterfaceIPs(S(a[0]), env)) },
};

export const SOCKADDR_FUNCTIONS: readonly string[] = Object.keys(FUNCS);

/** fmt.Fprint of a value, as Go's template prints an action's result. */
function printValue(value: Value): string {
  switch (value.type) {
    case 'string':
      return value.v;
    case 'sockaddr.IfAddrs':
      return `[${value.v.map(ifAddrText).join(' ')}]`;
    case 'int':
      return String(value.v);
    case 'float64':
      return String(value.v);
  }
}

class Executor {
  /** The node errors are reported at (Go's state.node). */
  private node: { pos: number; text: string } = { pos: 0, text: '' };

  constructor(
    private readonly input: string,
    private readonly env: fns.SockaddrEnv,
  ) {}

  private at(pos: number, text: string): void {
    this.node = { pos, text };
  }

  private errorf(message: string): never {
    const before = this.input.slice(0, this.node.pos);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const column = Buffer.byteLength(before.slice(lineStart));
    throw new SockaddrTemplateError(
      `template: ${TEMPLATE_NAME}:${line}:${column}: executing ${goQuote(TEMPLATE_NAME)} at <${this.node.text}>: ${message}`,
    );
  }

  run(nodes: TemplateNode[]): string {
    let out = '';
    for (const node of nodes) out += node.kind === 'text' ? node.text : printValue(this.pipeline(node.pipe));
    return out;
  }

  private pipeline(pipe: Pipe): Value {
    this.at(pipe.pos, pipeText(pipe));
    let value: Value | undefined;
    for (const cmd of pipe.cmds) value = this.command(cmd, value);
    return value as Value;
  }

  private command(cmd: Command, final: Value | undefined): Value {
    const first = cmd.args[0] as Arg;
    if (first.kind === 'identifier') return this.call(first, cmd, cmd.args.slice(1), final);
    if (first.kind !== 'pipe') this.at(first.pos, argText(first));
    if (cmd.args.length > 1 || final !== undefined) this.errorf(`can't give argument to non-function ${argText(first)}`);
    switch (first.kind) {
      case 'pipe':
        return this.pipeline(first.pipe);
      case 'dot':
        return list(this.env.all());
      case 'string':
        return str(first.value);
      case 'number':
        return this.idealConstant(first);
    }
  }

  private idealConstant(n: Extract<Arg, { kind: 'number' }>): Value {
    const hexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.float !== undefined && !hexInt && /[.eEpP]/.test(n.text)) return { type: 'float64', v: n.float };
    if (n.int !== undefined) return { type: 'int', v: n.int };
    return this.errorf(`${n.text} overflows int`);
  }

  private call(ident: Extract<Arg, { kind: 'identifier' }>, cmd: Command | undefined, args: Arg[], final: Value | undefined): Value {
    this.at(ident.pos, ident.name);
    const fn = FUNCS[ident.name] as Func;
    const numIn = args.length + (final === undefined ? 0 : 1);
    if (numIn !== fn.params.length) this.errorf(`wrong number of args for ${ident.name}: want ${fn.params.length} got ${numIn}`);
    const argv = args.map((arg, i) => this.arg(arg, fn.params[i] as GoType));
    if (final !== undefined) argv.push(this.validate(final, fn.params[fn.params.length - 1] as GoType));
    try {
      return fn.call(argv, this.env);
    } catch (err) {
      if (!(err instanceof SockaddrError)) throw err;
      if (cmd !== undefined) this.at(cmd.pos, commandText(cmd));
      else this.at(ident.pos, ident.name);
      return this.errorf(`error calling ${ident.name}: ${err.message}`);
    }
  }

  private validate(value: Value, type: GoType): Value {
    if (type === 'interface {}' || value.type === type) return value;
    return this.errorf(`wrong type for value; expected ${type}; got ${value.type}`);
  }

  private arg(arg: Arg, type: GoType): Value {
    this.at(arg.pos, argText(arg));
    switch (arg.kind) {
      case 'dot':
        return this.validate(list(this.env.all()), type);
      case 'pipe':
        return this.validate(this.pipeline(arg.pipe), type);
      case 'identifier':
        return this.validate(this.call(arg, undefined, [], undefined), type);
      default:
        break;
    }
    switch (type) {
      case 'string':
        if (arg.kind === 'string') return str(arg.value);
        return this.errorf(`expected string; found ${argText(arg)}`);
      case 'int':
        if (arg.kind === 'number' && arg.int !== undefined) return { type: 'int', v: arg.int };
        return this.errorf(`expected integer; found ${argText(arg)}`);
      case 'uint':
        if (arg.kind === 'number' && arg.uint !== undefined) return { type: 'int', v: arg.uint };
        return this.errorf(`expected unsigned integer; found ${argText(arg)}`);
      case 'interface {}':
        return arg.kind === 'string' ? str(arg.value) : this.idealConstant(arg);
      case 'sockaddr.IfAddrs':
        return this.errorf(`can't handle ${argText(arg)} for arg of type sockaddr.IfAddrs`);
    }
  }
}

/** A SockaddrEnv over a host, reading interfaces and the default route at most once. */
export function sockaddrEnv(host: NetworkHost): fns.SockaddrEnv {
  let all: IfAddr[] | undefined;
  let defaultRead = false;
  let defaultName: string | undefined;
  return {
    all: () => (all ??= collectIfAddrs(host)),
    defaultInterface: () => {
      if (!defaultRead) {
        defaultRead = true;
        defaultName = host.defaultInterface?.();
      }
      return defaultName;
    },
  };
}

const FUNC_NAMES: ReadonlySet<string> = new Set(SOCKADDR_FUNCTIONS);

/**
 * go-sockaddr's template.Parse on `input`: the text the template prints. Throws
 * SockaddrTemplateError with go-sockaddr's message (`unable to parse template ...`,
 * `unable to execute sockaddr input ...`), or with `unsupported` set.
 */
export function evalSockaddrTemplate(input: string, env: fns.SockaddrEnv): string {
  let nodes: TemplateNode[];
  try {
    nodes = new Parser(lex(input), FUNC_NAMES).parse();
  } catch (err) {
    if (err instanceof SockaddrTemplateError && !err.unsupported) {
      throw new SockaddrTemplateError(`unable to parse template ${goQuote(input, true)}: ${err.message}`);
    }
    throw err;
  }
  try {
    return new Executor(input, env).run(nodes);
  } catch (err) {
    if (err instanceof SockaddrTemplateError) {
      throw new SockaddrTemplateError(`unable to execute sockaddr input ${goQuote(input, true)}: ${err.message}`);
    }
    throw err;
  }
}
