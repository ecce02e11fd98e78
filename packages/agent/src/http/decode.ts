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
    throw badRequest(`Request decode failed: ${(err as Error).message}`);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's encoding/json message for a value of the wrong JSON type. */
export function typeError(got: unknown, field: string, want: string): Error {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got === 'object' ? 'object' : typeof got;
  return badRequest(`Request decode failed: json: cannot unmarshal ${kind} into Go struct field ${field} of type ${want}`);
}
