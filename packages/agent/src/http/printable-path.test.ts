import { describe, expect, it } from 'vitest';
import { hasUnprintable } from './printable-path.js';

describe("Consul's printable path check (Go's unicode.IsPrint on the decoded path)", () => {
  it('refuses controls, format characters and spaces other than U+0020', () => {
    for (const p of ['/v1/kv/a%0Ab', '/v1/kv/a%00', '/v1/kv/a%09b', '/v1/kv/a%7F', '/v1/kv/a%C2%A0b', '/v1/kv/a%E2%80%A8', '/v1/kv/a%E2%80%8Bb', '/v1/kv/a\tb']) {
      expect(hasUnprintable(p), p).toBe(true);
    }
  });

  it('lets letters, marks, numbers, punctuation, symbols and the space through', () => {
    for (const p of ['/v1/kv/caf%C3%A9', '/v1/kv/a%20b', '/v1/kv/%E2%82%AC%F0%9F%98%80', '/v1/kv/%E6%97%A5%E6%9C%AC', '/v1/kv/a+b~c', '/v1/kv/%ZZ']) {
      expect(hasUnprintable(p), p).toBe(false);
    }
  });
});
