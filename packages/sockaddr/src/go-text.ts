/**
 * Go's text conventions that go-sockaddr's and Consul's messages carry: strconv.Quote (the
 * `%q` and `%+q` verbs) and strconv.ParseInt / ParseUint with their error texts.
 */

/** Go's unicode.IsPrint, near enough: letters, marks, numbers, punctuation, symbols, ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote (`%q`); `asciiOnly` is QuoteToASCII (`%+q`). */
export function goQuote(text: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (PRINTABLE.test(ch) && (!asciiOnly || cp < 0x80)) {
      out += ch;
    } else {
      const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
      const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
      if (named[ch] !== undefined) out += named[ch];
      else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
      else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd'; // a lone surrogate: Go sees invalid UTF-8
      else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
      else out += `\\U${hex(cp, 8)}`;
    }
  }
  return `${out}"`;
}

/** Go's strconv.ParseInt(text, 10, bits) (`signed`) or ParseUint(text, 10, bits). */
export function goParseInt(text: string, bits: number, signed: boolean): bigint {
  const fn = signed ? 'ParseInt' : 'ParseUint';
  const syntax = signed ? /^[+-]?\d+$/ : /^\d+$/;
  if (!syntax.test(text)) throw new Error(`strconv.${fn}: parsing ${goQuote(text)}: invalid syntax`);
  const n = BigInt(text);
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  if (n > max || n < min) throw new Error(`strconv.${fn}: parsing ${goQuote(text)}: value out of range`);
  return n;
}

/** Go's strconv.ParseFloat(text, 64) for decimal text and inf/nan (hex floats and underscores are not taken). */
export function goParseFloat(text: string): number {
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return Number(text);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (!special) throw new Error(`strconv.ParseFloat: parsing ${goQuote(text)}: invalid syntax`);
  return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
}
