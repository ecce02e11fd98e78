import { describe, expect, it } from 'vitest';
import { secretMatches } from './secret.js';

describe('peering secret comparison', () => {
  it('matches the same secret only', () => {
    const s = '0b9f3c2e-6a1d-4c1e-9a51-4f0f2b8e7d10';
    expect(secretMatches(s, s)).toBe(true);
    expect(secretMatches(s, `${s.slice(0, -1)}1`)).toBe(false);
  });

  it('refuses a different length (no throw) and an empty stored secret', () => {
    expect(secretMatches('abc', 'abcd')).toBe(false);
    expect(secretMatches('abc', '')).toBe(false);
    expect(secretMatches('', '')).toBe(false);
    // Same character count, different byte length: refused, not a timingSafeEqual throw.
    expect(secretMatches('ab', 'aé')).toBe(false);
  });
});
