/**
 * A compact JWS read as go-jose's ParseSigned reads it (three base64url parts, a JSON header),
 * with its messages, so a malformed token is refused as Consul refuses it.
 */
import { AuthMethodError } from './identity.js';

export interface CompactJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function part(text: string, what: string): unknown {
  if (!B64URL.test(text)) throw new AuthMethodError(`illegal base64 data at input byte ${text.search(/[^A-Za-z0-9_-]/)}`);
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new AuthMethodError(`go-jose/go-jose: invalid ${what}`);
  }
}

/** Throws AuthMethodError with go-jose's text; the payload is decoded but not verified. */
export function parseCompactJws(token: string): CompactJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AuthMethodError('go-jose/go-jose: compact JWS format must have three parts');
  const header = part(parts[0]!, 'header');
  const payload = part(parts[1]!, 'payload');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new AuthMethodError('go-jose/go-jose: invalid header');
  const claims = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  return { header: header as Record<string, unknown>, payload: claims };
}
