import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Text, encodeBase64 } from './base64.js';

describe('base64', () => {
  it('round-trips any bytes and agrees with Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const b64 = encodeBase64(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString('base64'));
        expect(Array.from(decodeBase64(b64))).toEqual(Array.from(bytes));
      }),
    );
  });
  it('encodes text as UTF-8', () => {
    expect(encodeBase64('héllo')).toBe(Buffer.from('héllo').toString('base64'));
    expect(decodeBase64Text(Buffer.from('wörld').toString('base64'))).toBe('wörld');
  });
  it('rejects characters outside the alphabet', () => {
    expect(() => decodeBase64('ab$d')).toThrow('illegal base64 data');
    expect(() => decodeBase64('a')).toThrow();
  });
});
