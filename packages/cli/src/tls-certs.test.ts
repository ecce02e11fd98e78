import { describe, expect, it } from 'vitest';
import { serialNumber } from './tls-certs.js';

// OpenSSL refuses a certificate whose serial INTEGER carries a redundant leading zero byte
// ("no start line" when read back); 1 draw in 128 used to start with one.
describe('serialNumber', () => {
  const cases: [string, string][] = [
    ['00000000000000000000000000000001', '01'],
    ['007f0000000000000000000000000000', '7f0000000000000000000000000000'],
    ['00ff0000000000000000000000000000', '00ff0000000000000000000000000000'],
    ['80000000000000000000000000000000', '0080000000000000000000000000000000'],
    ['00000000000000000000000000000000', '00'],
  ];
  it.each(cases)('draw %s encodes as the minimal DER integer %s', (drawn, der) => {
    const sn = serialNumber(Buffer.from(drawn, 'hex'));
    expect(Buffer.from(sn.bytes).toString('hex')).toBe(der);
    expect(sn.text).toBe(BigInt(`0x${drawn}`).toString(10));
  });
});
