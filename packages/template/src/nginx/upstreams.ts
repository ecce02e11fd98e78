// Rewrites the `server` lines of named `upstream` blocks in a hand-written nginx
// configuration and leaves every other byte as it was: comments, blank lines,
// indentation, other directives (least_conn, keepalive, zone, ...) and blocks.
//
// Why not a parse-and-print library: nginx-conf (the npm package) re-prints the
// whole file in its own layout (comments moved to their own lines, blank lines
// dropped, everything re-indented), so a user's file would change beyond the
// upstreams. Here a small lexer that follows nginx's own rules (quotes,
// backslash escapes, `#` comments, `${var}`) finds the spans of the `server`
// directives, and only those spans are replaced.

export class NginxConfError extends Error {}

/** One token of nginx's configuration syntax, with its span in the text. */
interface Token {
  kind: 'word' | '{' | '}' | ';';
  text: string;
  start: number;
  end: number;
}

/** nginx's lexer: words (possibly quoted), `{`, `}`, `;`; `#` starts a comment only at a token's start. */
function* tokens(src: string): Generator<Token> {
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '{' || c === '}' || c === ';') {
      yield { kind: c, text: c, start: i, end: i + 1 };
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c) i += src[i] === '\\' ? 2 : 1;
      if (i >= n) throw new NginxConfError(`unterminated ${c} string at line ${lineOf(src, start)}`);
      i++;
      yield { kind: 'word', text: src.slice(start + 1, i - 1), start, end: i };
      continue;
    }
    while (i < n) {
      const d = src[i]!;
      if (d === ' ' || d === '\t' || d === '\r' || d === '\n' || d === ';' || d === '{' || d === '}') {
        // `${name}` inside a word is a variable, not a block.
        if (d === '{' && src[i - 1] === '$') {
          while (i < n && src[i] !== '}') i++;
          i++;
          continue;
        }
        break;
      }
      i += d === '\\' ? 2 : 1;
    }
    yield { kind: 'word', text: src.slice(start, Math.min(i, n)), start, end: Math.min(i, n) };
  }
}

function lineOf(src: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < src.length; i++) if (src[i] === '\n') line++;
  return line;
}

/** A directive: its words, where it starts, and where its `;` or `{` ends. */
interface Directive {
  words: Token[];
  start: number;
  end: number;
  depth: number;
  block: boolean;
}

interface UpstreamBlock {
  name: string;
  /** The `upstream` directive's start and the `}` that closes it. */
  start: number;
  close: number;
  servers: Directive[];
  /** Start of the first directive inside the block (for the indentation of new lines). */
  firstInner?: number;
}

/** Every `upstream NAME { ... }` block (in http or stream), with its `server` directives. */
export function findUpstreams(src: string): UpstreamBlock[] {
  const found: UpstreamBlock[] = [];
  const open: Array<UpstreamBlock | undefined> = [];
  let words: Token[] = [];
  for (const t of tokens(src)) {
    if (t.kind === 'word') {
      words.push(t);
      continue;
    }
    const depth = open.length;
    if (t.kind === '}') {
      if (words.length) throw new NginxConfError(`unexpected "}" at line ${lineOf(src, t.start)}`);
      if (depth === 0) throw new NginxConfError(`unexpected "}" at line ${lineOf(src, t.start)}`);
      const up = open.pop();
      if (up) {
        up.close = t.start;
        found.push(up);
      }
      continue;
    }
    if (words.length === 0) throw new NginxConfError(`unexpected "${t.kind}" at line ${lineOf(src, t.start)}`);
    const d: Directive = { words, start: words[0]!.start, end: t.end, depth, block: t.kind === '{' };
    words = [];
    const inside = open[depth - 1];
    if (inside) {
      inside.firstInner ??= d.start;
      if (!d.block && d.words[0]!.text === 'server') inside.servers.push(d);
    }
    if (d.block) {
      const isUpstream = d.words[0]!.text === 'upstream' && d.words.length === 2;
      open.push(isUpstream ? { name: d.words[1]!.text, start: d.start, close: -1, servers: [] } : undefined);
    }
  }
  if (words.length) throw new NginxConfError(`unexpected end of file: directive "${words[0]!.text}" has no ";"`);
  if (open.length) throw new NginxConfError('unexpected end of file: a block has no closing "}"');
  return found;
}

/** The whitespace that starts the line `at` is on, when only whitespace precedes `at` on it. */
function indentAt(src: string, at: number): string | undefined {
  const lineStart = src.lastIndexOf('\n', at - 1) + 1;
  const before = src.slice(lineStart, at);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The span to cut for a directive: its whole line when it is alone there (a trailing comment goes with it). */
function cutSpan(src: string, d: Directive): [number, number] {
  const lineStart = src.lastIndexOf('\n', d.start - 1) + 1;
  const nl = src.indexOf('\n', d.end);
  const lineEnd = nl < 0 ? src.length : nl + 1;
  const after = src.slice(d.end, lineEnd);
  if (indentAt(src, d.start) !== undefined && /^[ \t]*(#.*)?\r?\n?$/.test(after)) return [lineStart, lineEnd];
  let end = d.end;
  while (src[end] === ' ' || src[end] === '\t') end++;
  return [d.start, end];
}

/**
 * Replaces the `server` directives of each named upstream with `servers` (the text after
 * `server`, without `;`, e.g. `10.0.0.1:80 weight=2`). New lines go where the first old
 * `server` line was, with its indentation; in a block without one, before the closing `}`.
 * Throws NginxConfError when a named upstream is not in the file or the file does not parse.
 */
export function rewriteUpstreams(src: string, servers: Map<string, string[]>): string {
  const blocks = findUpstreams(src);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const [name, lines] of servers) {
    const matching = blocks.filter((b) => b.name === name);
    if (matching.length === 0) throw new NginxConfError(`upstream "${name}" is not in the file`);
    for (const b of matching) {
      const eol = src.includes('\r\n') ? '\r\n' : '\n';
      const first = b.servers[0];
      const indent = (first && indentAt(src, first.start)) ?? (b.firstInner !== undefined ? indentAt(src, b.firstInner) : undefined) ?? `${indentAt(src, b.start) ?? ''}    `;
      const rendered = lines.map((l) => `${indent}server ${l};${eol}`).join('');
      if (first) {
        const spans = b.servers.map((d) => cutSpan(src, d));
        spans.forEach(([start, end], i) => {
          // The new lines replace the first server's line; a server sharing a line with
          // another directive keeps that line's layout (one directive per new line).
          const whole = src[start - 1] === undefined || src[start - 1] === '\n';
          const text = i === 0 ? (whole ? rendered : rendered.trimStart().replace(new RegExp(`${eol}$`), ' ')) : '';
          edits.push({ start, end, text });
        });
      } else {
        // No server line yet: insert before the line of the closing "}".
        const closeIndent = indentAt(src, b.close);
        const at = closeIndent !== undefined ? b.close - closeIndent.length : b.close;
        edits.push({ start: at, end: at, text: closeIndent !== undefined ? rendered : `${eol}${rendered}` });
      }
    }
  }
  edits.sort((a, b) => b.start - a.start);
  let out = src;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
