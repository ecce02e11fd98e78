// The request's Cache-Control directives the agent cache honours (Consul's agent/http.go
// parseCacheControl): `max-age=<s>`, `must-revalidate` (implied by max-age=0) and
// `stale-if-error=<s>`; other directives are ignored. A value that is not a decimal integer is
// Consul's 400 "Invalid Cache-Control header.".
import { badRequest } from '../http/http-error.js';

export interface CacheControl {
  /** 0: not given (Consul cannot tell max-age=0 from unset either; it sets mustRevalidate). */
  maxAgeMs: number;
  mustRevalidate: boolean;
  /** 0: not given. */
  staleIfErrorMs: number;
}

export const NO_CACHE_CONTROL: CacheControl = { maxAgeMs: 0, mustRevalidate: false, staleIfErrorMs: 0 };

/** Go's strconv.Atoi: an optional sign and decimal digits, within int64 (Consul multiplies by a second). */
function seconds(text: string): number {
  if (!/^[+-]?\d{1,18}$/.test(text)) throw badRequest('Invalid Cache-Control header.');
  return Number(text) * 1000;
}

export function parseCacheControl(header: string | string[] | undefined): CacheControl {
  // Go's Header.Get: the first value of a repeated header.
  const raw = (Array.isArray(header) ? header[0] : header)?.toLowerCase() ?? '';
  if (raw === '') return NO_CACHE_CONTROL;
  const out: CacheControl = { ...NO_CACHE_CONTROL };
  for (const part of raw.split(',')) {
    const d = part.trim();
    if (d === 'must-revalidate') out.mustRevalidate = true;
    if (d.startsWith('max-age=')) {
      out.maxAgeMs = seconds(d.slice('max-age='.length));
      if (out.maxAgeMs === 0) out.mustRevalidate = true;
    }
    if (d.startsWith('stale-if-error=')) out.staleIfErrorMs = seconds(d.slice('stale-if-error='.length));
  }
  return out;
}
