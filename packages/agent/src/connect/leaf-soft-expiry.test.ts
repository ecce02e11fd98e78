// The renewal point of a kept leaf certificate (Consul's agent/leafcert/util.go
// calculateSoftExpiry and its draw in generate.go attemptLeafRefresh).
import { describe, expect, it } from 'vitest';
import { drawSoftExpiryMs, softExpiryWindow } from './leaf-soft-expiry.js';

const HOUR_MS = 3_600_000;
const after = Date.parse('2026-01-01T00:00:00Z');
/** A 72 h certificate, Consul's default LeafCertTTL. */
const cert = { ValidAfter: new Date(after).toISOString(), ValidBefore: new Date(after + 72 * HOUR_MS).toISOString() };
const at = (fraction: number): number => after + 72 * HOUR_MS * fraction;

describe('softExpiryWindow', () => {
  it('is 60% to 90% of the lifetime before the window', () => {
    expect(softExpiryWindow(at(0.1), after, at(1))).toEqual({ minMs: at(0.6), maxMs: at(0.9) });
  });

  it('starts at now inside the window', () => {
    expect(softExpiryWindow(at(0.75), after, at(1))).toEqual({ minMs: at(0.75), maxMs: at(0.9) });
  });

  it('is now past 90%, and for a lifetime under 10 minutes', () => {
    expect(softExpiryWindow(at(0.95), after, at(1))).toEqual({ minMs: at(0.95), maxMs: at(0.95) });
    expect(softExpiryWindow(after + 1_000, after, after + 9 * 60_000)).toEqual({ minMs: after + 1_000, maxMs: after + 1_000 });
    expect(softExpiryWindow(after, NaN, after)).toEqual({ minMs: after, maxMs: after });
  });
});

describe('drawSoftExpiryMs', () => {
  it('draws uniformly over the window from the time of the fetch', () => {
    expect(drawSoftExpiryMs(at(0.1), cert, () => 0)).toBe(at(0.6));
    expect(drawSoftExpiryMs(at(0.1), cert, () => 0.5)).toBe(at(0.75));
    // A later fetch inside the window draws between its own now and 90%, never before now.
    expect(drawSoftExpiryMs(at(0.8), cert, () => 0)).toBe(at(0.8));
    expect(drawSoftExpiryMs(at(0.8), cert, () => 0.5)).toBeCloseTo(at(0.85), -1);
  });

  it('is a new point at every fetch of the same certificate', () => {
    const points = new Set(Array.from({ length: 20 }, () => drawSoftExpiryMs(at(0.1), cert)));
    expect(points.size).toBeGreaterThan(1);
    for (const p of points) {
      expect(p).toBeGreaterThanOrEqual(at(0.6));
      expect(p).toBeLessThan(at(0.9));
    }
  });
});
