import { describe, expect, it } from 'vitest';
import { goBase64Error, goBase64ErrorOffset } from './go-base64.js';

describe("Go's strict base64 (StdEncoding)", () => {
  it('accepts what Go accepts', () => {
    for (const s of ['', 'YQ==', 'YWI=', 'YWJj', 'YWJjZA==', 'YW\nJj', 'YWJj\r\n']) expect(goBase64ErrorOffset(s), s).toBeUndefined();
  });
  it('reports the offset Go reports', () => {
    // Offsets follow Go's decodeQuantum (encoding/base64).
    expect(goBase64Error('not base64!')).toBe('illegal base64 data at input byte 3');
    expect(goBase64ErrorOffset('YQ')).toBe(0); // missing padding: the quantum's start
    expect(goBase64ErrorOffset('YWJ')).toBe(0);
    expect(goBase64ErrorOffset('Y')).toBe(0);
    expect(goBase64ErrorOffset('YQ=')).toBe(3); // "==" expected, input ended
    expect(goBase64ErrorOffset('YQ=x')).toBe(2);
    expect(goBase64ErrorOffset('=')).toBe(0);
    expect(goBase64ErrorOffset('YWI=YWJj')).toBe(4); // data after padding
    expect(goBase64ErrorOffset('YWJj*')).toBe(4);
  });
});
