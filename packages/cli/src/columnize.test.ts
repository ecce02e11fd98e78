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

  it("keeps a column's width to the lines that run together, with a minimum width (Consul's snapshot inspect)", () => {
    const text = [
      ' ID\t2-13-1602222343947', ' Size\t5141', ' Index\t13', ' Term\t2', ' Version\t1', '',
      ' Type\tCount\tSize', ' ----\t----\t----', ' Register\t3\t1.7KB', ' ConnectCAProviderState\t1\t1.1KB', ' Index\t12\t344B', ' ----\t----\t----', ' Total\t\t5KB',
    ].join('\n');
    // Consul's command/snapshot/inspect/testdata/TestSnapshotInspectCommand.golden, rows shortened.
    expect(tabwrite(text, 6, 8).split('\n')).toEqual([
      ' ID           2-13-1602222343947',
      ' Size         5141',
      ' Index        13',
      ' Term         2',
      ' Version      1',
      '',
      ' Type                        Count      Size',
      ' ----                        ----       ----',
      ' Register                    3          1.7KB',
      ' ConnectCAProviderState      1          1.1KB',
      ' Index                       12         344B',
      ' ----                        ----       ----',
      ' Total                                  5KB',
    ]);
  });
});
