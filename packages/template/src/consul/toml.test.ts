// toTOML against BurntSushi/toml's encoder. The expected strings are
// consul-template's test case and BurntSushi v1.5.0's own output for the
// others (recorded by running its Encoder on the same values).
import { describe, expect, it } from 'vitest';
import { Template } from '../engine/template.js';
import { helperFuncs } from './helpers.js';
import { Scratch } from './scratch.js';

const funcs = helperFuncs(() => new Scratch());
const toTOML = (v: unknown) => funcs.toTOML!(v) as string;

describe('toTOML', () => {
  it("consul-template's helper_toTOML", () => {
    expect(new Template('t', { funcs }).parse('{{ "{\\"foo\\":\\"bar\\"}" | parseJSON | toTOML }}').execute(null)).toBe('foo = "bar"');
  });

  it('plain keys first, then tables; keys sorted; sub-tables indented', () => {
    const v = { name: 'x', port: 80, ratio: 0.5, ok: true, tags: ['a', 'b'], db: { host: 'h', 'user name': 'u', nested: { deep: 1 } }, top: 'z' };
    expect(toTOML(v)).toBe(
      'name = "x"\nok = true\nport = 80\nratio = 0.5\ntags = ["a", "b"]\ntop = "z"\n\n[db]\n  host = "h"\n  "user name" = "u"\n  [db.nested]\n    deep = 1',
    );
  });

  it('a list of maps is an array of tables', () => {
    expect(toTOML({ servers: [{ name: 'a', ip: '10.0.0.1' }, { name: 'b', ip: '10.0.0.2' }], title: 'T' })).toBe(
      'title = "T"\n\n[[servers]]\n  ip = "10.0.0.1"\n  name = "a"\n\n[[servers]]\n  ip = "10.0.0.2"\n  name = "b"',
    );
  });

  it('quotes keys and strings, inline tables in mixed lists, empty tables', () => {
    expect(toTOML({ mixed: [1, 'two', { three: 3 }], empty: {}, list: [], 'a.b': 'dotted', '': 'empty', q: 'say "hi"\n' })).toBe(
      '"" = "empty"\n"a.b" = "dotted"\nlist = []\nmixed = [1, "two", {three = 3}]\nq = "say \\"hi\\"\\n"\n\n[empty]',
    );
  });

  it('floats with a decimal point and no exponent; nil values left out', () => {
    expect(toTOML({ big: 1e21, small: 1e-7, n: null, a: { n: null, m: 1 } })).toBe('big = 1000000000000000000000.0\nsmall = 0.0000001\n\n[a]\n  m = 1');
  });

  it("BurntSushi's errors", () => {
    expect(toTOML(['a', 'b'])).toBe('["a", "b"]');
    expect(() => toTOML([{ a: 1 }])).toThrow('toTOML: toml: top-level values must be Go maps or structs');
    expect(() => toTOML({ l: [1, null] })).toThrow('toTOML: toml: cannot encode array with nil element');
    expect(() => toTOML(new Map([[80, 'x']]))).toThrow('toTOML: toml: cannot encode a map with non-string key type');
  });
});
