import { describe, expect, it } from 'vitest';
import { BroadcastQueue } from './queue.js';

const b = (s: string) => new TextEncoder().encode(s);
const str = (xs: Uint8Array[]) => xs.map((x) => new TextDecoder().decode(x));

describe('BroadcastQueue', () => {
  it('sends fewest-transmitted first, newest first among equals', () => {
    const q = new BroadcastQueue(100);
    q.queue('a', b('a1'));
    q.queue('b', b('b1'));
    expect(str(q.take(0, 1000, 10))).toEqual(['b1', 'a1']);
    q.queue('c', b('c1'));
    expect(str(q.take(0, 1000, 10))).toEqual(['c1', 'b1', 'a1']);
  });

  it('a newer broadcast about a member invalidates the older one', () => {
    const q = new BroadcastQueue(100);
    q.queue('a', b('alive-1'));
    q.queue('a', b('suspect-1'));
    expect(q.length).toBe(1);
    expect(str(q.take(0, 1000, 10))).toEqual(['suspect-1']);
  });

  it('drops an item after the transmit limit', () => {
    const q = new BroadcastQueue(100);
    q.queue('a', b('x'));
    expect(q.take(0, 1000, 2)).toHaveLength(1);
    expect(q.has('a')).toBe(true);
    expect(q.take(0, 1000, 2)).toHaveLength(1);
    expect(q.has('a')).toBe(false);
    expect(q.take(0, 1000, 2)).toHaveLength(0);
  });

  it('respects the byte limit with per-message overhead, skipping what does not fit', () => {
    const q = new BroadcastQueue(100);
    q.queue('big', new Uint8Array(90));
    q.queue('small', new Uint8Array(10));
    const got = q.take(2, 50, 10);
    expect(got.map((x) => x.length)).toEqual([10]);
    expect(q.length).toBe(2);
  });

  it('is bounded, dropping the most-sent items', () => {
    const q = new BroadcastQueue(3);
    q.queue('old', b('old'));
    q.take(0, 1000, 10);
    for (const n of ['n1', 'n2', 'n3']) q.queue(n, b(n));
    expect(q.length).toBe(3);
    expect(q.has('old')).toBe(false);
  });
});
