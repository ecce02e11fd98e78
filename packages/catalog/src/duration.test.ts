import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatGoDuration, parseGoDuration, parseGoDurationMs } from './duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['-1m', -60_000],
    ['0', 0],
    ['+3s', 3_000],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['250ns', 0.00025],
    ['.5s', 500],
    ['5.s', 5_000],
  ])('parses %s', (input, ms) => {
    expect(parseGoDuration(input)).toBeCloseTo(ms, 9);
  });

  it('reads JSON numbers as nanoseconds', () => {
    expect(parseGoDuration(10_000_000_000)).toBe(10_000);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['10', 'time: missing unit in duration "10"'],
    ['10x', 'time: unknown unit "x" in duration "10x"'],
    ['s', 'time: invalid duration "s"'],
    ['1s.', 'time: invalid duration "1s."'],
    ['-', 'time: invalid duration "-"'],
  ])('rejects %j like Go', (input, message) => {
    expect(() => parseGoDuration(input)).toThrow(message);
  });
});

describe('parseGoDurationMs', () => {
  it('gives undefined where parseGoDuration throws', () => {
    expect(parseGoDurationMs('15000ms')).toBe(15_000);
    expect(parseGoDurationMs('-2s')).toBe(-2_000);
    for (const text of ['10', '', '5x', 's', '5 s']) expect(parseGoDurationMs(text)).toBeUndefined();
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [60_000, '1m0s'],
    [3_600_000, '1h0m0s'],
    [500, '500ms'],
    [1_500, '1.5s'],
    [0.001, '1µs'],
    [-2_000, '-2s'],
    [1.5, '1.5ms'],
    [86_400_000, '24h0m0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it('round-trips whole milliseconds through parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e10, max: 1e10 }), (ms) => {
        expect(parseGoDuration(formatGoDuration(ms))).toBe(ms);
      }),
    );
  });
});
