// A parser for the part of HCL (v1) that consul-template configuration files
// use: `key = value`, blocks `name { ... }` (repeatable; always collected into
// arrays), strings with escapes, heredocs, numbers, booleans, lists, objects
// and #, // and /* */ comments.

export class HclError extends Error {}

type Value = string | number | boolean | Value[] | { [k: string]: Value };

export function parseHcl(text: string, file = 'config'): Record<string, unknown> {
  let pos = 0;
  const fail = (msg: string): never => {
    const before = text.slice(0, pos);
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const col = pos - before.lastIndexOf('\n');
    throw new HclError(`${file}:${line}:${col}: ${msg}`);
  };
  const skip = (): void => {
    for (;;) {
      const m = /^(?:[ \t\r\n,]+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(text.slice(pos));
      if (!m) return;
      pos += m[0].length;
    }
  };
  const ident = (): string | undefined => {
    const m = /^[A-Za-z_][A-Za-z0-9_\-.]*/.exec(text.slice(pos));
    if (!m) return undefined;
    pos += m[0].length;
    return m[0];
  };
  const string = (): string => {
    pos++; // opening quote
    let out = '';
    let depth = 0;
    for (;;) {
      const c = text[pos];
      if (c === undefined || (c === '\n' && depth === 0)) fail('unterminated string');
      pos++;
      if (c === '"' && depth === 0) return out;
      if (c === '\\') {
        const e = text[pos++];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (e !== undefined && e in map) out += map[e];
        else if (e === 'u') {
          out += String.fromCharCode(parseInt(text.slice(pos, pos + 4), 16));
          pos += 4;
        } else out += '\\' + (e ?? '');
        continue;
      }
      // ${...} interpolations may contain quotes; keep them literally.
      if (c === '$' && text[pos] === '{') depth++;
      else if (c === '}' && depth > 0) depth--;
      out += c;
    }
  };
  const heredoc = (): string => {
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(text.slice(pos));
    if (!m) return fail('bad heredoc');
    pos += m[0].length;
    const indent = m[1] === '-';
    const marker = m[2]!;
    const lines: string[] = [];
    for (;;) {
      const nl = text.indexOf('\n', pos);
      const line = text.slice(pos, nl < 0 ? text.length : nl).replace(/\r$/, '');
      if (line.trim() === marker) {
        pos = nl < 0 ? text.length : nl + 1;
        break;
      }
      if (nl < 0) fail(`heredoc ${marker} not terminated`);
      lines.push(line);
      pos = nl + 1;
    }
    if (indent) {
      const min = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
      return lines.map((l) => l.slice(Number.isFinite(min) ? min : 0)).join('\n') + '\n';
    }
    return lines.join('\n') + '\n';
  };
  const value = (): Value => {
    skip();
    const c = text[pos];
    if (c === '"') return string();
    if (c === '<' && text[pos + 1] === '<') return heredoc();
    if (c === '[') {
      pos++;
      const list: Value[] = [];
      for (;;) {
        skip();
        if (text[pos] === ']') {
          pos++;
          return list;
        }
        list.push(value());
      }
    }
    if (c === '{') {
      pos++;
      return body('}');
    }
    const num = /^[+-]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(pos));
    if (num) {
      pos += num[0].length;
      const s = num[0];
      if (/^[+-]?0\d+$/.test(s)) return parseInt(s, 8);
      return Number(s);
    }
    const id = ident();
    if (id === 'true') return true;
    if (id === 'false') return false;
    return fail(`unexpected ${c === undefined ? 'end of file' : JSON.stringify(c)}, expected a value`);
  };
  const body = (end: string | undefined): Record<string, Value> => {
    // Keys are the file's: collect in a Map (obj['constructor'] would read
    // Object's, obj['__proto__'] = v set the prototype); fromEntries defines own keys.
    const obj = new Map<string, Value>();
    for (;;) {
      skip();
      if (end !== undefined && text[pos] === end) {
        pos++;
        return Object.fromEntries(obj);
      }
      if (pos >= text.length) {
        if (end !== undefined) fail(`missing ${JSON.stringify(end)}`);
        return Object.fromEntries(obj);
      }
      const key = text[pos] === '"' ? string() : ident();
      if (key === undefined) fail(`unexpected ${JSON.stringify(text[pos])}, expected a key`);
      skip();
      if (text[pos] === '=' || text[pos] === ':') {
        pos++;
        obj.set(key!, value());
        continue;
      }
      // A block: `name ["label" ...] { ... }`
      const labels: string[] = [];
      while (text[pos] === '"') {
        labels.push(string());
        skip();
      }
      if (text[pos] !== '{') fail(`expected "=" or "{" after ${JSON.stringify(key)}`);
      pos++;
      let block: Value = body('}');
      for (let i = labels.length - 1; i >= 0; i--) block = { [labels[i]!]: block };
      const prev = obj.get(key!);
      obj.set(key!, Array.isArray(prev) ? [...prev, block] : prev === undefined ? [block] : [prev, block]);
    }
  };
  return body(undefined);
}
