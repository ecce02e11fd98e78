/**
 * The HCL subset Consul's ACL policy rules are written in (HCL 1): `name = "value"`,
 * `name "label" { ... }` blocks (the label quoted or bare), `name = { ... }` objects, and
 * `#`, `//` and `/* *\/` comments. The result has the shape of the JSON form of the same rules
 * (`{ key_prefix: { "a/": { policy: "read" } }, operator: "read" }`), so one decoder serves
 * both. Repeated blocks for one label are kept as a list for the decoder to merge.
 * A general HCL parser is not needed for rules; this one is small, bounded and total.
 */
import { AclRulesError } from './errors.js';

/** A parsed value: a string, a bool or number literal (kept as text), or an object. */
export type HclValue = string | HclObject | HclValue[];
export interface HclObject {
  [key: string]: HclValue;
}

/** Rules documents larger than this are refused (Consul's are a few KB). */
export const RULES_BYTES_MAX = 256 * 1024;
const DEPTH_MAX = 8;

type Token = { kind: 'string' | 'ident' | 'punct'; text: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ',') {
      i++;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new AclRulesError(`Failed to parse ACL rules: unterminated comment at offset ${i}`);
      i = end + 2;
    } else if (c === '"') {
      const at = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length || src[i] === '\n') throw new AclRulesError(`Failed to parse ACL rules: unterminated string at offset ${at}`);
        const ch = src[i]!;
        if (ch === '"') break;
        if (ch === '\\') {
          const e = src[i + 1];
          const simple: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', '/': '/' };
          if (e !== undefined && simple[e] !== undefined) {
            text += simple[e];
            i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            text += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            throw new AclRulesError(`Failed to parse ACL rules: invalid escape at offset ${i}`);
          }
        } else {
          text += ch;
          i++;
        }
      }
      i++;
      out.push({ kind: 'string', text, at });
    } else if (c === '{' || c === '}' || c === '=' || c === '[' || c === ']' || c === ':') {
      out.push({ kind: 'punct', text: c, at: i });
      i++;
    } else if (/[A-Za-z0-9_.\-]/.test(c)) {
      const at = i;
      while (i < src.length && /[A-Za-z0-9_.\-]/.test(src[i]!)) i++;
      out.push({ kind: 'ident', text: src.slice(at, i), at });
    } else {
      throw new AclRulesError(`Failed to parse ACL rules: unexpected ${JSON.stringify(c)} at offset ${i}`);
    }
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private fail(what: string): never {
    const t = this.peek();
    throw new AclRulesError(`Failed to parse ACL rules: ${what}${t ? ` at offset ${t.at}` : ' at end of input'}`);
  }

  private take(kind: Token['kind'], text?: string): Token {
    const t = this.peek();
    if (!t || t.kind !== kind || (text !== undefined && t.text !== text)) this.fail(`expected ${text ?? kind}`);
    this.pos++;
    return t;
  }

  /** Object body until `}` (or end of input at the top level). */
  body(depth: number, top: boolean): HclObject {
    if (depth > DEPTH_MAX) this.fail('rules nested too deeply');
    const obj: HclObject = Object.create(null) as HclObject;
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (top) return obj;
        this.fail('expected }');
      }
      if (t.kind === 'punct' && t.text === '}') {
        if (top) this.fail('unexpected }');
        return obj;
      }
      if (t.kind !== 'ident' && t.kind !== 'string') this.fail('expected a key');
      this.pos++;
      const key = t.text;
      const next = this.peek();
      let value: HclValue;
      if (next?.kind === 'punct' && (next.text === '=' || next.text === ':')) {
        this.pos++;
        value = this.value(depth + 1);
      } else if (next?.kind === 'string' || next?.kind === 'ident') {
        // `key "label" { ... }`: a labelled block, i.e. `key = { "label" = { ... } }`.
        this.pos++;
        this.take('punct', '{');
        const inner = this.body(depth + 1, false);
        this.take('punct', '}');
        value = { [next.text]: inner } as HclObject;
      } else if (next?.kind === 'punct' && next.text === '{') {
        this.pos++;
        value = this.body(depth + 1, false);
        this.take('punct', '}');
      } else {
        this.fail(`expected = or a block after ${JSON.stringify(key)}`);
      }
      append(obj, key, value);
    }
  }

  private value(depth: number): HclValue {
    if (depth > DEPTH_MAX) this.fail('rules nested too deeply');
    const t = this.peek();
    if (!t) this.fail('expected a value');
    if (t.kind === 'string' || t.kind === 'ident') {
      this.pos++;
      return t.text;
    }
    if (t.text === '{') {
      this.pos++;
      const v = this.body(depth + 1, false);
      this.take('punct', '}');
      return v;
    }
    if (t.text === '[') {
      this.pos++;
      const items: HclValue[] = [];
      while (this.peek()?.text !== ']' || this.peek()?.kind === 'string') {
        if (!this.peek()) this.fail('expected ]');
        items.push(this.value(depth + 1));
      }
      this.take('punct', ']');
      return items;
    }
    this.fail('expected a value');
  }
}

/** Repeated keys collect into a list (HCL 1 keeps every block), so nothing is silently dropped. */
function append(obj: HclObject, key: string, value: HclValue): void {
  const prev = obj[key];
  if (prev === undefined) obj[key] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else obj[key] = [prev, value];
}

export function parseHclRules(src: string): HclObject {
  if (Buffer.byteLength(src) > RULES_BYTES_MAX) throw new AclRulesError(`ACL rules larger than ${RULES_BYTES_MAX} bytes`);
  return new Parser(tokenize(src)).body(0, true);
}
