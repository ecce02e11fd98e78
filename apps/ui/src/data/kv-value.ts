/** KV values as the editor shows them: UTF-8 text when they decode, base64 otherwise; JSON pretty-printing. */
import { kvValueBytes, type KVPair } from '@proconsul/api';

export type Decoded = { kind: 'text'; text: string } | { kind: 'binary'; base64: string; size: number };

export function decodeValue(pair: Pick<KVPair, 'Value'>): Decoded {
  const bytes = kvValueBytes(pair);
  try {
    return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { kind: 'binary', base64: pair.Value ?? '', size: bytes.length };
  }
}

export type JsonView = { ok: true; pretty: string } | { ok: false; error: string };

export function asJson(text: string): JsonView {
  try {
    return { ok: true, pretty: JSON.stringify(JSON.parse(text), null, 2) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The folder a key or folder lives in: 'a/b/c' -> 'a/b/', 'a/b/' -> 'a/', 'a' -> ''. */
export function parentFolder(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '' : trimmed.slice(0, i + 1);
}
