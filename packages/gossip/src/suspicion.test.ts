import { describe, expect, it } from 'vitest';
import { Awareness } from './awareness.js';
import { remainingSuspicionTimeout, Suspicion } from './suspicion.js';

describe('Suspicion (memberlist suspicion_test.go table)', () => {
  it('shrinks from max to min as confirmations arrive', () => {
    // k = 3, min 2 s, max 30 s
    expect(remainingSuspicionTimeout(0, 3, 2000, 30_000)).toBe(30_000);
    expect(remainingSuspicionTimeout(1, 3, 2000, 30_000)).toBe(16_000);
    expect(remainingSuspicionTimeout(2, 3, 2000, 30_000)).toBe(7_810);
    expect(remainingSuspicionTimeout(3, 3, 2000, 30_000)).toBe(2000);
    expect(remainingSuspicionTimeout(4, 3, 2000, 30_000)).toBe(2000);
    expect(remainingSuspicionTimeout(0, 0, 2000, 30_000)).toBe(2000);
  });

  it('counts only new, independent confirmations, up to k', () => {
    const s = new Suspicion('a', 2, 1000, 6000, 100);
    expect(s.deadlineMs()).toBe(6100);
    expect(s.confirm('a')).toBe(false); // the accuser itself
    expect(s.confirm('b')).toBe(true);
    expect(s.confirm('b')).toBe(false); // already counted
    expect(s.confirm('c')).toBe(true);
    expect(s.confirm('d')).toBe(false); // k reached
    expect(s.confirmationCount).toBe(2);
    expect(s.deadlineMs()).toBe(1100);
  });
});

describe('Awareness', () => {
  it('scales timeouts by score + 1 within [0, max - 1]', () => {
    const a = new Awareness(8);
    expect(a.scaleTimeout(100)).toBe(100);
    a.applyDelta(3);
    expect(a.scaleTimeout(100)).toBe(400);
    a.applyDelta(100);
    expect(a.getHealthScore()).toBe(7);
    a.applyDelta(-100);
    expect(a.getHealthScore()).toBe(0);
  });
});
