// The lexer of Go's text/template (text/template/parse/lex.go), written as a
// straight scanner: text outside actions, tokens inside `{{ }}`, trim markers
// `{{- ` / ` -}}` and comments `{{/* */}}`.

export type TokenType =
  | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'eof' | 'error'
  | 'identifier' | 'keyword' | 'field' | 'variable' | 'dot' | 'nil' | 'bool'
  | 'number' | 'charConstant' | 'string' | 'rawString'
  | 'leftParen' | 'rightParen' | 'pipe' | 'declare' | 'assign' | 'char';

export interface Token {
  type: TokenType;
  value: string;
  /** Offset in the source. */
  pos: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const SPACE = ' \t\r\n';

function isSpace(c: string | undefined): boolean {
  return c !== undefined && c !== '' && SPACE.includes(c);
}
function isAlnum(c: string | undefined): boolean {
  return c !== undefined && c !== '' && /[\p{L}\p{Nd}_]/u.test(c);
}
function hasLeftTrim(s: string, at: number): boolean {
  return s[at] === '-' && isSpace(s[at + 1]);
}
function hasRightTrim(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === '-';
}

export function lex(input: string, leftDelim = '{{', rightDelim = '}}'): Token[] {
  const tokens: Token[] = [];
  const ld = leftDelim || '{{';
  const rd = rightDelim || '}}';
  let pos = 0;
  let trimNextText = false;

  const emit = (type: TokenType, start: number, end: number): void => {
    tokens.push({ type, value: input.slice(start, end), pos: start });
  };
  const fail = (msg: string, at: number): Token[] => {
    tokens.push({ type: 'error', value: msg, pos: at });
    return tokens;
  };

  for (;;) {
    // Text up to the next left delimiter.
    if (trimNextText) {
      while (isSpace(input[pos])) pos++;
      trimNextText = false;
    }
    const next = input.indexOf(ld, pos);
    if (next < 0) {
      if (pos < input.length) emit('text', pos, input.length);
      tokens.push({ type: 'eof', value: '', pos: input.length });
      return tokens;
    }
    let textEnd = next;
    const leftTrim = hasLeftTrim(input, next + ld.length);
    if (leftTrim) while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > pos) emit('text', pos, textEnd);
    pos = next;

    // Left delimiter, maybe a comment.
    const afterDelim = next + ld.length + (leftTrim ? 2 : 0);
    if (input.startsWith('/*', afterDelim)) {
      const close = input.indexOf('*/', afterDelim + 2);
      if (close < 0) return fail('unclosed comment', next);
      let p = close + 2;
      let rightTrim = false;
      if (hasRightTrim(input, p) && input.startsWith(rd, p + 2)) {
        rightTrim = true;
        p += 2;
      }
      if (!input.startsWith(rd, p)) return fail('comment ends before closing delimiter', next);
      pos = p + rd.length;
      trimNextText = rightTrim;
      continue;
    }
    emit('leftDelim', next, next + ld.length);
    pos = afterDelim;

    // Inside the action.
    let parenDepth = 0;
    for (;;) {
      if (hasRightTrim(input, pos) && input.startsWith(rd, pos + 2)) {
        if (parenDepth > 0) return fail('unclosed left paren', pos);
        emit('rightDelim', pos + 2, pos + 2 + rd.length);
        pos += 2 + rd.length;
        trimNextText = true;
        break;
      }
      if (input.startsWith(rd, pos)) {
        if (parenDepth > 0) return fail('unclosed left paren', pos);
        emit('rightDelim', pos, pos + rd.length);
        pos += rd.length;
        break;
      }
      const c = input[pos];
      const start = pos;
      if (c === undefined) return fail('unclosed action', pos);
      if (isSpace(c)) {
        // Spaces, but leave the one in front of a right trim marker to it.
        while (isSpace(input[pos]) && !(hasRightTrim(input, pos) && input.startsWith(rd, pos + 2))) pos++;
        if (pos > start) emit('space', start, pos);
        continue;
      }
      if (c === '=') {
        pos++;
        emit('assign', start, pos);
      } else if (c === ':') {
        if (input[pos + 1] !== '=') return fail('expected :=', pos);
        pos += 2;
        emit('declare', start, pos);
      } else if (c === '|') {
        pos++;
        emit('pipe', start, pos);
      } else if (c === '"') {
        pos = scanQuoted(input, pos, '"');
        if (pos < 0) return fail('unterminated quoted string', start);
        emit('string', start, pos);
      } else if (c === '`') {
        const close = input.indexOf('`', pos + 1);
        if (close < 0) return fail('unterminated raw quoted string', start);
        pos = close + 1;
        emit('rawString', start, pos);
      } else if (c === '$') {
        pos++;
        while (isAlnum(input[pos])) pos++;
        emit('variable', start, pos);
        const err = checkTerminator(input, pos, rd);
        if (err) return fail(err, pos);
      } else if (c === "'") {
        pos = scanQuoted(input, pos, "'");
        if (pos < 0) return fail('unterminated character constant', start);
        emit('charConstant', start, pos);
      } else if (c === '.') {
        if (/[0-9]/.test(input[pos + 1] ?? '')) {
          pos = scanNumber(input, pos);
          emit('number', start, pos);
        } else {
          pos++;
          if (!isAlnum(input[pos])) {
            emit('dot', start, pos);
          } else {
            while (isAlnum(input[pos])) pos++;
            emit('field', start, pos);
          }
          const err = checkTerminator(input, pos, rd);
          if (err) return fail(err, pos);
        }
      } else if (c === '+' || c === '-' || /[0-9]/.test(c)) {
        pos = scanNumber(input, pos);
        if (pos === start || isAlnum(input[pos])) return fail(`bad number syntax: "${input.slice(start, pos + 1)}"`, start);
        emit('number', start, pos);
      } else if (isAlnum(c)) {
        while (isAlnum(input[pos])) pos++;
        const word = input.slice(start, pos);
        if (KEYWORDS.has(word)) emit('keyword', start, pos);
        else if (word === 'true' || word === 'false') emit('bool', start, pos);
        else if (word === 'nil') emit('nil', start, pos);
        else emit('identifier', start, pos);
        const err = checkTerminator(input, pos, rd);
        if (err) return fail(err, pos);
      } else if (c === '(') {
        pos++;
        parenDepth++;
        emit('leftParen', start, pos);
      } else if (c === ')') {
        pos++;
        parenDepth--;
        emit('rightParen', start, pos);
      } else if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20) {
        pos++;
        emit('char', start, pos);
      } else {
        return fail(`unrecognized character in action: ${JSON.stringify(c)}`, start);
      }
    }
  }
}

/** After an identifier, field or variable Go only accepts these characters. */
function checkTerminator(input: string, pos: number, rd: string): string | undefined {
  const c = input[pos];
  if (c === undefined || isSpace(c) || '.,|:)('.includes(c) || c === '=') return undefined;
  if (input.startsWith(rd, pos)) return undefined;
  return `bad character U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

function scanNumber(input: string, pos: number): number {
  let p = pos;
  if (input[p] === '+' || input[p] === '-') p++;
  let digits = '0123456789_';
  if (input[p] === '0' && /[xXoObB]/.test(input[p + 1] ?? '')) {
    const base = input[p + 1]!.toLowerCase();
    digits = base === 'x' ? '0123456789abcdefABCDEF_' : base === 'o' ? '01234567_' : '01_';
    p += 2;
  }
  while (input[p] !== undefined && digits.includes(input[p]!)) p++;
  if (input[p] === '.') {
    p++;
    while (input[p] !== undefined && digits.includes(input[p]!)) p++;
  }
  if (digits.length === 11 && /[eE]/.test(input[p] ?? '')) {
    p++;
    if (input[p] === '+' || input[p] === '-') p++;
    while (/[0-9_]/.test(input[p] ?? '')) p++;
  } else if (digits.length > 11 && /[pP]/.test(input[p] ?? '')) {
    p++;
    if (input[p] === '+' || input[p] === '-') p++;
    while (/[0-9_]/.test(input[p] ?? '')) p++;
  }
  return p;
}

/** The end of a quoted string or character constant opening at `pos` (backslash escapes skipped); -1 if unterminated on its line. */
function scanQuoted(input: string, pos: number, quote: string): number {
  for (pos++; ; ) {
    const ch = input[pos];
    if (ch === '\\') {
      pos += 2;
      continue;
    }
    if (ch === undefined || ch === '\n') return -1;
    pos++;
    if (ch === quote) return pos;
  }
}
