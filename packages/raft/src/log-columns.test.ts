import { describe, expect, it } from 'vitest';
import { entryBytes } from './entry-size.js';
import { CHUNK_BYTES, EntryColumns } from './log-columns.js';
import { seededRandom } from './rand.js';
import type { Entry } from './types.js';

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('EntryColumns', () => {
  it('keeps a copy of a command that is bytes, and objects as they are', () => {
    const cols = new EntryColumns(5);
    const cmd = bytes(100, 7);
    const obj = { k: 'a' };
    cols.push({ index: 5, term: 2, type: 'normal', data: cmd });
    cols.push({ index: 6, term: 2, type: 'conf', data: obj });
    cols.push({ index: 7, term: 3, type: 'noop', data: null });
    cmd.fill(0); // the caller's buffer is reused (a socket read, an encoder's scratch)
    expect(cols.entry(5)).toEqual({ index: 5, term: 2, type: 'normal', data: bytes(100, 7) });
    expect(cols.entry(6).data).toBe(obj);
    expect(cols.entry(7)).toEqual({ index: 7, term: 3, type: 'noop', data: null });
    expect(cols.size(5)).toBe(entryBytes({ index: 5, term: 2, type: 'normal', data: cmd }));
    expect(() => cols.entry(8)).toThrow(/no entry 8/);
    expect(() => cols.push({ index: 9, term: 3, type: 'noop', data: null })).toThrow(/push 9 after 7/);
  });

  it('never writes over the bytes of entries it truncated: views handed out keep their commands', () => {
    const cols = new EntryColumns(1);
    cols.push({ index: 1, term: 1, type: 'normal', data: bytes(10, 1) });
    cols.push({ index: 2, term: 1, type: 'normal', data: bytes(10, 2) });
    const view = cols.entry(2).data as Uint8Array;
    cols.truncateFrom(2);
    cols.push({ index: 2, term: 2, type: 'normal', data: bytes(10, 9) });
    expect(view).toEqual(bytes(10, 2));
    expect(cols.entry(2).data).toEqual(bytes(10, 9));
  });

  it('lets go of a chunk once every entry in it is dropped', () => {
    const cols = new EntryColumns(1);
    const quarter = CHUNK_BYTES / 4;
    for (let i = 1; i <= 12; i++) cols.push({ index: i, term: 1, type: 'normal', data: bytes(quarter, i) });
    expect(cols.chunkCount()).toBe(3);
    cols.dropBefore(5);
    expect(cols.chunkCount()).toBe(2);
    cols.dropBefore(12);
    expect(cols.chunkCount()).toBe(1);
    expect(cols.entry(12).data).toEqual(bytes(quarter, 12));
    cols.dropBefore(13);
    cols.push({ index: 13, term: 1, type: 'normal', data: bytes(1, 13) });
    expect(cols.chunkCount()).toBe(1);
  });

  it('matches a plain array of entries through appends, truncations and compactions across chunks', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = seededRandom(seed);
      const cols = new EntryColumns(1, 4);
      let model: Entry[] = [];
      let first = 1;
      for (let step = 0; step < 400; step++) {
        const op = rng(10);
        const last = first + model.length - 1;
        if (op < 7) {
          // Sizes around a chunk's remainder, some over a quarter chunk (kept as they came).
          const n = [0, 1, 300, CHUNK_BYTES / 8, CHUNK_BYTES / 4, CHUNK_BYTES / 4 + 1][rng(6)];
          const data: unknown = rng(5) === 0 ? { n: step } : bytes(n, step & 0xff);
          const e: Entry = { index: last + 1, term: 1 + (step >> 5), type: 'normal', data };
          cols.push(e);
          model.push(data instanceof Uint8Array ? { ...e, data: data.slice() } : e);
        } else if (op < 8) {
          const at = first + rng(model.length + 1);
          cols.truncateFrom(at);
          model = model.slice(0, at - first);
        } else {
          const to = first + rng(model.length + 1);
          cols.dropBefore(to);
          model = model.slice(to - first);
          first = to;
        }
        expect(cols.firstIndex()).toBe(first);
        expect(cols.lastIndex()).toBe(first + model.length - 1);
      }
      for (const e of model) {
        const got = cols.entry(e.index);
        expect({ ...got, data: null }).toEqual({ ...e, data: null });
        if (e.data instanceof Uint8Array) expect(Buffer.compare(got.data as Uint8Array, e.data)).toBe(0);
        else expect(got.data).toBe(e.data);
        expect(cols.term(e.index)).toBe(e.term);
        expect(cols.size(e.index)).toBe(entryBytes(e));
      }
    }
  });
});
