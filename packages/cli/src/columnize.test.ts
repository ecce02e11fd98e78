import { describe, expect, it } from 'vitest';
import { columnize, tabwrite } from './columnize.js';

describe('columnize', () => {
  it('pads every column but the last, glued by two spaces', () => {
    const out = columnize(['Node\x1fAddress\x1fStatus', 'alpha-node\x1f127.0.0.1:8301\x1falive']);
    expect(out).toBe(['Node        Address         Status', 'alpha-node  127.0.0.1:8301  alive'].join('\n'));
  });
  it('trims cells', () => {
    expect(columnize(['a \x1f b', 'cc\x1fd'])).toBe('a   b\ncc  d');
  });
});

describe('tabwrite', () => {
  it('pads cells to the widest plus 6, as kv get -detailed prints', () => {
    const out = tabwrite('CreateIndex\t6\nFlags\t0\nValue\t1');
    expect(out.split('\n')).toEqual(['CreateIndex      6', 'Flags            0', 'Value            1']);
  });
});
