import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDurationMs } from './duration.js';

describe('Go durations', () => {
  it('parses what time.ParseDuration accepts', () => {
    expect(parseGoDurationMs('10s')).toBe(10_000);
    expect(parseGoDurationMs('1m30s')).toBe(90_000);
    expect(parseGoDurationMs('250ms')).toBe(250);
    expect(parseGoDurationMs('1.5h')).toBe(5_400_000);
    expect(parseGoDurationMs('0')).toBe(0);
  });
  it('refuses numbers without a unit and garbage', () => {
    expect(parseGoDurationMs('10')).toBeUndefined();
    expect(parseGoDurationMs('')).toBeUndefined();
    expect(parseGoDurationMs('5x')).toBeUndefined();
    expect(parseGoDurationMs('s')).toBeUndefined();
  });
  it('formats like Duration.String()', () => {
    expect(formatGoDuration(10_000)).toBe('10s');
    expect(formatGoDuration(90_000)).toBe('1m30s');
    expect(formatGoDuration(86_400_000)).toBe('24h0m0s');
  });
});
