// Request bodies as Consul decodes them: JSON, `Request decode failed: <reason>` on failure.
import { badRequest } from './http-error.js';

export function decodeJson(body: unknown, opts: { optional?: boolean } = {}): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    if (opts.optional) return undefined;
    throw badRequest('Request decode failed: EOF');
  }
  const text = body.toString('utf8');
  if (opts.optional && text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request decode failed: ${goSyntaxError(text, err as Error)}`);
  }
}

/** Go's json.Decoder wording for a syntax error: "unexpected EOF", "invalid character 'x' ...". */
export function goSyntaxError(text: string, err: Error): string {
  if (text.trim() === '') return 'EOF';
  const m = /position (\d+)/.exec(err.message);
  if (!m) {
    const tok = /Unexpected token '(.)'/.exec(err.message);
    if (tok) return `invalid character '${tok[1]}' looking for beginning of value`;
    return /end of JSON input/i.test(err.message) ? 'unexpected EOF' : err.message;
  }
  const pos = Number(m[1]);
  if (pos >= text.length) return 'unexpected EOF';
  const ch = text[pos]!;
  const shown = ch === "'" ? "\\'" : ch < ' ' ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : ch;
  // What Go expected is context-dependent; these are its two most common messages.
  const before = text.slice(0, pos).trimEnd();
  const context = before.endsWith('{') || before.endsWith(',') && /[{,]\s*$/.test(before) ? 'looking for beginning of object key string' : 'looking for beginning of value';
  return `invalid character '${shown}' ${context}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's encoding/json message for a value of the wrong JSON type. */
export function typeError(got: unknown, field: string, want: string): Error {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got === 'object' ? 'object' : typeof got;
  return badRequest(`Request decode failed: json: cannot unmarshal ${kind} into Go struct field ${field} of type ${want}`);
}
