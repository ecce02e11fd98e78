// Go's base64.StdEncoding.Decode is strict where Buffer.from(s, 'base64') is lenient: it refuses
// characters outside the alphabet, missing or misplaced padding and trailing data, with
// `illegal base64 data at input byte N` (the offset of the fault; \r and \n are skipped).
// Consul decodes []byte JSON fields (txn KV Value) with it.

const ALPHABET = /[A-Za-z0-9+/]/;
const isNewline = (c: string | undefined): boolean => c === '\n' || c === '\r';

/** The byte offset Go's decoder would report, or undefined when `s` is valid base64. */
export function goBase64ErrorOffset(s: string): number | undefined {
  const src = Buffer.from(s, 'utf8').toString('latin1'); // offsets are in bytes
  let si = 0;
  while (si < src.length) {
    // One quantum: four alphabet characters, or two/three followed by padding at the end.
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return si - j;
      }
      const c = src[si]!;
      si++;
      if (ALPHABET.test(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== '=') return si - 1;
      if (j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== '=') return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
  return undefined;
}

/** Go's error text for `s`, or undefined when it decodes. */
export function goBase64Error(s: string): string | undefined {
  const at = goBase64ErrorOffset(s);
  return at === undefined ? undefined : `illegal base64 data at input byte ${at}`;
}
