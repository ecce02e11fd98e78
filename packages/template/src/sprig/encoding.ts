// Sprig's base64 and base32 functions (sprig strings.go): decoding errors come
// back as the result text, as Sprig returns err.Error().

import type { FuncMap } from '../engine/exec.js';
import { goBase64Decode } from '../consul/helpers.js';
import { str } from './convert.js';

const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** base32.StdEncoding.EncodeToString. */
function b32enc(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i += 5) {
    const chunk = b.subarray(i, i + 5);
    let bits = 0n;
    for (let j = 0; j < 5; j++) bits = (bits << 8n) | BigInt(chunk[j] ?? 0);
    const chars = Math.ceil((chunk.length * 8) / 5);
    for (let j = 0; j < 8; j++) out += j < chars ? B32_STD[Number((bits >> BigInt(35 - 5 * j)) & 31n)] : '=';
  }
  return out;
}

/** base32.StdEncoding.DecodeString: CR/LF skipped, whole 8-character quanta, Go's error offsets. */
function b32dec(s: string): Buffer {
  const src = Buffer.from(s.replace(/[\r\n]/g, ''), 'latin1');
  const corrupt = (at: number) => new Error(`illegal base32 data at input byte ${at}`);
  const out: number[] = [];
  for (let q = 0; q < src.length; q += 8) {
    if (q + 8 > src.length) throw corrupt(q);
    let bits = 0n;
    let n = 8;
    for (let j = 0; j < 8; j++) {
      const c = String.fromCharCode(src[q + j]!);
      if (c === '=') {
        // Padding runs to the end of the input, after 2, 4, 5 or 7 characters.
        if (![2, 4, 5, 7].includes(j) || q + 8 !== src.length) throw corrupt(q + j);
        for (let k = j; k < 8; k++) if (src[q + k] !== 0x3d) throw corrupt(q + k);
        n = j;
        break;
      }
      const d = B32_STD.indexOf(c);
      if (d < 0) throw corrupt(q + j);
      bits |= BigInt(d) << BigInt(35 - 5 * j);
    }
    const bytes = Math.floor((n * 5) / 8);
    for (let j = 0; j < bytes; j++) out.push(Number((bits >> BigInt(32 - 8 * j)) & 0xffn));
  }
  return Buffer.from(out);
}

const orError = (f: () => Buffer) => {
  try {
    return f().toString('utf8');
  } catch (e) {
    return (e as Error).message;
  }
};

export const encodingFuncs: FuncMap = {
  b64enc: (s: unknown) => Buffer.from(str(s)).toString('base64'),
  b64dec: (s: unknown) => orError(() => goBase64Decode(str(s), B64_STD)),
  b32enc: (s: unknown) => b32enc(Buffer.from(str(s))),
  b32dec: (s: unknown) => orError(() => b32dec(str(s))),
};
