import { describe, expect, it } from 'vitest';
import { queryKey, ReadMemo } from './read-memo.js';

describe('read memo', () => {
  it('keys a read by its URL without index and wait', () => {
    expect(queryKey('/v1/kv/a?recurse&index=5&wait=10s')).toBe('/v1/kv/a?recurse');
    expect(queryKey('/v1/kv/a?index=5')).toBe('/v1/kv/a');
    expect(queryKey('/v1/kv/a?indexes=1&waiting=2')).toBe('/v1/kv/a?indexes=1&waiting=2');
  });

  it('runs a query once per applied index and encodes its result once', () => {
    let applied = 1;
    let runs = 0;
    const memo = new ReadMemo(() => applied);
    const run = () => ({ index: applied, value: [{ n: ++runs }], watch: [] });
    const a = memo.read('k', run);
    const b = memo.read('k', run);
    expect(b).toBe(a);
    expect(memo.encoded('k', a, false)).toBe(memo.encoded('k', b, false));
    expect([memo.runs, memo.encodings]).toEqual([1, 1]);
    applied = 2;
    const c = memo.read('k', run);
    expect(c.value).toEqual([{ n: 2 }]);
    expect(memo.encoded('k', c, false).toString()).toBe('[{"n":2}]');
    // A result from before the index moved is still encoded correctly, just not shared.
    expect(memo.encoded('k', a, false).toString()).toBe('[{"n":1}]');
    expect(memo.gzipped('k', c, false)).toBeUndefined(); // too small to gzip
  });
});
