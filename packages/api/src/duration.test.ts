import { describe, expect, it } from 'vitest';
import { formatWait, parseDuration } from './duration.js';

describe('Go durations', () => {
  it('parses units and compounds', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseDuration('150ms')).toBe(150);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('1500us')).toBe(1.5);
    expect(parseDuration('1500µs')).toBe(1.5); // micro sign
    expect(parseDuration('1500μs')).toBe(1.5); // Greek mu, which Go also accepts
  });
  it('rejects a number without unit and junk', () => {
    expect(() => parseDuration('10')).toThrow();
    expect(() => parseDuration('ten s')).toThrow();
    expect(() => parseDuration('')).toThrow();
  });
  it('formats waits in whole seconds when it can', () => {
    expect(formatWait(60_000)).toBe('60s');
    expect(formatWait(1500)).toBe('1500ms');
    expect(() => formatWait(-1)).toThrow();
  });
});
