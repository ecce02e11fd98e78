import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedKeys, type FrozenKeys } from './sorted-keys.js';

const inOrder = (keys: Iterable<string>): string[] => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('SortedKeys', () => {
  it('keeps the keys of any sequence of adds and deletes in order, across block splits and empty blocks', () => {
    // Few distinct keys, so that deletes often hit and empty whole blocks.
    const key = fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 300 }).map((n) => `k/${n}`));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { minLength: 100, maxLength: 3000, size: 'max' }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 5 }), fc.constantFrom(2, 4, 1024), (ops, prefixes, blockMax) => {
        const s = new SortedKeys(blockMax);
        const model = new Set<string>();
        for (const [add, k] of ops) {
          if (add) {
            s.add(k);
            model.add(k);
          } else {
            s.delete(k);
            model.delete(k);
          }
        }
        const sorted = inOrder(model);
        expect(s.all()).toEqual(sorted);
        expect(s.size).toBe(sorted.length);
        for (const p of [...prefixes, 'k/1', 'k/', '']) expect([...s.withPrefix(p)]).toEqual(sorted.filter((k) => k.startsWith(p)));
        for (const [, k] of ops.slice(0, 50)) expect(s.has(k)).toBe(model.has(k));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps every frozen copy as it was while adds and deletes go on', () => {
    const key = fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 300 }).map((n) => `k/${n}`));
    // An op is an add, a delete, or a frozen copy taken at that point.
    const op = fc.oneof(fc.tuple(fc.constantFrom('add', 'delete'), key), fc.constant(['freeze', ''] as const));
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 2000, size: 'max' }), fc.constantFrom(2, 4, 1024), (ops, blockMax) => {
        const s = new SortedKeys(blockMax);
        const model = new Set<string>();
        const copies: { frozen: FrozenKeys; expected: string[] }[] = [];
        for (const [kind, k] of ops) {
          if (kind === 'add') {
            s.add(k);
            model.add(k);
          } else if (kind === 'delete') {
            s.delete(k);
            model.delete(k);
          } else {
            copies.push({ frozen: s.frozen(), expected: inOrder(model) });
          }
        }
        for (const c of copies) {
          expect([...c.frozen]).toEqual(c.expected);
          expect(c.frozen.size).toBe(c.expected.length);
        }
        expect(s.all()).toEqual(inOrder(model));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps 200,000 keys inserted in the middle in order (many block splits)', () => {
    // bench/<n % 2>/<n>: the keys kv-single writes. One sorted array moved half of itself on each
    // of these inserts (33-100 µs each past 100,000 keys); a block moves at most 1,024 keys.
    const s = new SortedKeys();
    const keys: string[] = [];
    for (let i = 0; i < 200_000; i++) keys.push(`bench/${i % 2}/${i}`);
    for (const k of keys) s.add(k);
    expect(s.size).toBe(200_000);
    expect(s.all()).toEqual(keys.sort());
    expect([...s.withPrefix('bench/1/19999')]).toEqual(['bench/1/19999', 'bench/1/199991', 'bench/1/199993', 'bench/1/199995', 'bench/1/199997', 'bench/1/199999']);
  });
});
