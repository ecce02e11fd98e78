/**
 * An auth method's Config as Consul's authmethod.ParseConfig decodes it (mapstructure, weakly
 * typed, unknown keys refused): keys match in any case, a single value stands for a list,
 * durations are Go durations (nanoseconds as numbers, or "30s"). Messages are mapstructure's.
 */
import { parseGoDuration } from '@proconsul/catalog';
import { X509Certificate } from 'node:crypto';
import { AuthMethodError } from './identity.js';

export type ConfigField = 'string' | 'strings' | 'stringMap' | 'duration';

const decodeFailed = (errors: string[]): AuthMethodError =>
  new AuthMethodError(`error decoding config: ${errors.length} error(s) decoding:\n\n${errors.map((e) => `* ${e}`).join('\n')}`);

function weakString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return undefined;
}

/** Decodes `raw` against `spec`; durations come back in milliseconds. */
export function decodeConfig<T>(raw: Record<string, unknown>, spec: Record<keyof T & string, ConfigField>): Partial<T> {
  const byLower = new Map(Object.keys(spec).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  const unknown: string[] = [];
  for (const [key, v] of Object.entries(raw)) {
    const name = byLower.get(key.toLowerCase());
    if (!name) {
      unknown.push(key);
      continue;
    }
    if (v === null || v === undefined) continue;
    const type = spec[name as keyof T & string];
    const bad = (): void => void errors.push(`'${name}' expected type '${{ string: 'string', strings: '[]string', stringMap: 'map[string]string', duration: 'time.Duration' }[type]}', got unconvertible type '${Array.isArray(v) ? '[]interface {}' : typeof v === 'object' ? 'map[string]interface {}' : typeof v}', value: '${String(v)}'`);
    if (type === 'string') {
      const s = weakString(v);
      if (s === undefined) bad();
      else out[name] = s;
    } else if (type === 'strings') {
      const list = (Array.isArray(v) ? v : [v]).map(weakString);
      if (list.some((s) => s === undefined)) bad();
      else out[name] = list;
    } else if (type === 'stringMap') {
      if (typeof v !== 'object' || Array.isArray(v)) bad();
      else {
        const entries = Object.entries(v as object).map(([k, x]) => [k, weakString(x)] as const);
        if (entries.some(([, s]) => s === undefined)) bad();
        else out[name] = Object.fromEntries(entries);
      }
    } else {
      try {
        if (typeof v !== 'string' && typeof v !== 'number') throw new Error('type');
        out[name] = parseGoDuration(v);
      } catch {
        bad();
      }
    }
  }
  if (unknown.length) errors.push(`'' has invalid keys: ${unknown.sort().join(', ')}`);
  if (errors.length) throw decodeFailed(errors);
  return out as Partial<T>;
}

/** The certificates of a PEM bundle; none is an error (Go's AppendCertsFromPEM / ParseCertsPEM fail). */
export function parsePemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const certs: X509Certificate[] = [];
  for (const b of blocks) {
    try {
      certs.push(new X509Certificate(b));
    } catch {
      // skipped, as Go skips a block it cannot parse
    }
  }
  return certs;
}
