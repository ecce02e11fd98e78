import { describe, expect, it } from 'vitest';
import { pemDecode, pemEncode } from './pem.js';

describe('PEM', () => {
  it('writes 64-character base64 lines, as Go and openssl do', () => {
    const pem = pemEncode('THING', Buffer.alloc(100, 0xab));
    const lines = pem.split('\n');
    expect(lines[0]).toBe('-----BEGIN THING-----');
    expect(lines.slice(1, -2).map((l) => l.length)).toEqual([64, 64, 8]);
    expect(lines.at(-2)).toBe('-----END THING-----');
    expect(pem.endsWith('\n')).toBe(true);
  });

  it('reads the first block back, skipping text around it, headers and CRLF', () => {
    const der = Buffer.from('some der bytes');
    expect(pemDecode(`junk\n${pemEncode('A', der)}${pemEncode('B', Buffer.from('x'))}`)).toEqual({ type: 'A', der });
    const withHeaders = `-----BEGIN DSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\n${der.toString('base64')}\r\n-----END DSA PRIVATE KEY-----\r\n`;
    expect(pemDecode(withHeaders)).toEqual({ type: 'DSA PRIVATE KEY', der });
  });

  it('finds nothing in text without a well-formed block', () => {
    expect(pemDecode('')).toBeUndefined();
    expect(pemDecode('-----BEGIN A-----\nAAAA\n-----END B-----\n')).toBeUndefined();
    // Go's pem.Decode wants the BEGIN line to end there.
    expect(pemDecode('-----BEGIN A-----AAAA-----END A-----')).toBeUndefined();
  });
});
