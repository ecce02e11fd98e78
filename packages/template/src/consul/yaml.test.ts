// toYAML and parseYAML against gopkg.in/yaml.v2. The expected strings are
// consul-template's test cases and yaml.v2's own output for the others
// (recorded by running yaml.v2 v2.4.0's Marshal on the same values).
import { describe, expect, it } from 'vitest';
import { KeyPair } from './data.js';
import { parseYAML, toYAML } from './yaml.js';
import { helperFuncs } from './helpers.js';
import { Template } from '../engine/template.js';
import { Scratch } from './scratch.js';
import { GoFloat, GoInt, GoUint } from '../engine/values.js';

function render(text: string, data: unknown = null): string {
  return new Template('t', { funcs: helperFuncs(() => new Scratch()) }).parse(text).execute(data);
}

describe('toYAML', () => {
  it("consul-template's helper_toYAML", () => {
    expect(render('{{ "{\\"foo\\":\\"bar\\"}" | parseJSON | toYAML }}')).toBe('foo: bar');
  });

  it('sorts keys as yaml.v2 does: digit runs as numbers, letters after other characters', () => {
    expect(toYAML({ b: 1, a: ['x', 'y'], c: { d: true, e: null, f: 1.5 } })).toBe('a:\n- x\n- "y"\nb: 1\nc:\n  d: true\n  e: null\n  f: 1.5');
    expect(toYAML({ a10: 1, a2: 2, a1: 3, B: 4, _x: 5 })).toBe('_x: 5\nB: 4\na1: 3\na2: 2\na10: 1');
  });

  it('quotes strings that YAML 1.1 would read as another type, single-quotes indicators', () => {
    const s = ['', 'true', 'yes', 'n', '1.0', '0x1F', '1:20', '2001-12-14', '~', 'a: b', '#c', '- d', "it's", ' e', 'ünï'];
    expect(toYAML({ s })).toBe(
      's:\n- ""\n- "true"\n- "yes"\n- "n"\n- "1.0"\n- "0x1F"\n- "1:20"\n- "2001-12-14"\n- "~"\n- \'a: b\'\n- \'#c\'\n- \'- d\'\n- it\'s\n- \' e\'\n- ünï',
    );
  });

  it('writes multi-line strings as literal blocks, escapes what is not printable', () => {
    expect(toYAML({ text: 'line1\nline2\n', strip: 'a\nb', lead: '  x\ny', tab: 'a\tb', emoji: '😀' })).toBe(
      'emoji: "\\U0001F600"\nlead: |2-\n    x\n  y\nstrip: |-\n  a\n  b\ntab: "a\\tb"\ntext: |\n  line1\n  line2',
    );
  });

  it('empty collections in flow style, sequences not indented under their key', () => {
    expect(toYAML({ empty: {}, none: [], nested: [[1, 2], { k: 'v' }] })).toBe('empty: {}\nnested:\n- - 1\n  - 2\n- k: v\nnone: []');
    expect(toYAML([{ name: 'web', port: 80 }, { name: 'db', port: 5432 }])).toBe('- name: web\n  port: 80\n- name: db\n  port: 5432');
  });

  it('folds a long plain string after column 80', () => {
    expect(toYAML({ long: 'word '.repeat(20).trim() })).toBe(
      'long: word word word word word word word word word word word word word word word word\n  word word word word',
    );
  });

  it('prints floats as Go does', () => {
    expect([1e21, 0.000001, 1e6 + 0.5].map(toYAML)).toEqual(['1e+21', '1e-06', '1.0000005e+06']);
  });

  it('writes a struct with its field names lowercased', () => {
    const p = new KeyPair({ Key: 'app/port', Value: Buffer.from('80').toString('base64'), LockIndex: 0, Flags: 0, CreateIndex: 3, ModifyIndex: 4 }, 'port');
    expect(toYAML(p)).toBe('path: app/port\nkey: port\nvalue: "80"\nexists: true\ncreateindex: 3\nmodifyindex: 4\nlockindex: 0\nflags: 0\nsession: ""');
  });
});

describe('parseYAML', () => {
  it("consul-template's helper_parseYAML cases", () => {
    expect(render('{{ "foo: bar" | parseYAML }}')).toBe('map[foo:bar]');
    expect(render('{{ "foo: bar\\nbaz: \\"foo\\"" | parseYAML }}')).toBe('map[baz:foo foo:bar]');
    expect(render('{{ "foo:\\n  bar: \\"baz\\"\\n  baz: 7" | parseYAML }}')).toBe('map[foo:map[bar:baz baz:7]]');
    expect(render('{{ "" | parseYAML }}')).toBe('map[]');
  });

  it('reads plain scalars with YAML 1.1 rules, as yaml.v2', () => {
    expect(render('{{ . | parseYAML }}', 'a: yes\nb: off\nc: y\nd: ~\ne: 0777\nf: 0x1F\ng: 1_000\nh: .inf\ni: "1"\nj: 2001-12-14\nk: 1:20\nl: 1e3'))
      .toBe('map[a:true b:false c:true d:<nil> e:511 f:31 g:1000 h:+Inf i:1 j:2001-12-14 k:1:20 l:1000]');
    // Keys too: yaml.v2 reads the key `n` as the boolean false.
    expect(parseYAML('i: "1"\nm: 1\nn: 1')).toEqual({ i: '1', m: 1, false: 1 });
  });

  it('follows aliases and merge keys, later keys winning', () => {
    const doc = 'base: &b\n  p: 1\n  q: 2\nderived:\n  <<: *b\n  p: 3\nboth:\n  <<: [{p: 1}, {p: 2, q: 2}]';
    expect(parseYAML(doc)).toEqual({ base: { p: 1, q: 2 }, derived: { p: 3, q: 2 }, both: { p: 1, q: 2 } });
  });

  it('types numbers as yaml.v2 (resolve.go): int, uint64 above int64, float64 even when whole', () => {
    expect(parseYAML('a: 1\nb: 1.0\nc: 9007199254740993\nd: 18446744073709551615\ne: !!float 2\n')).toEqual({
      a: 1,
      b: new GoFloat(1),
      c: new GoInt(9007199254740993n),
      d: new GoUint(18446744073709551615n),
      e: new GoFloat(2),
    });
    expect(() => parseYAML('a: !!float 18446744073709551615')).toThrow('yaml: cannot decode !!int `18446744073709551615` as a !!float');
  });

  it('reads the first document only; explicit tags', () => {
    expect(parseYAML('---\na: 1\n---\nb: 2')).toEqual({ a: 1 });
    expect(parseYAML('a: !!str 12\nb: !!binary aGVsbG8=\nc: !!float 1')).toEqual({ a: '12', b: 'hello', c: new GoFloat(1) });
    expect(() => parseYAML('a: !!int abc')).toThrow('yaml: cannot decode !!str `abc` as a !!int');
    expect(() => parseYAML('a: *nope')).toThrow("yaml: unknown anchor 'nope' referenced");
    expect(() => parseYAML('[1, 2')).toThrow(/^yaml: /);
  });

  it('a block scalar ending the input without a line break has none, as in libyaml', () => {
    expect(parseYAML('k: |\n  a')).toEqual({ k: 'a' });
    expect(parseYAML('k: |\n  a\n')).toEqual({ k: 'a\n' });
    expect(parseYAML('k: >\n  a\n  b\n  ')).toEqual({ k: 'a b\n' });
  });

  it("refuses yaml.v2's alias bombs and self-referencing anchors", () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, cur] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) {
      levels.push(`${cur}: &${cur} [${Array(9).fill('*' + prev).join(',')}]`);
    }
    expect(() => parseYAML(levels.join('\n'))).toThrow('yaml: document contains excessive aliasing');
    expect(() => parseYAML('a: &a\n  b: *a')).toThrow("yaml: anchor 'a' value contains itself");
  });

  it('round-trips what toYAML writes', () => {
    const v = { a: ['x', 'true', ''], b: { c: 'line1\nline2', d: 1.5, e: null }, f: "it's: here" };
    expect(parseYAML(toYAML(v))).toEqual(v);
  });

  it('keeps keys named like Object.prototype members as keys', () => {
    const v = parseYAML('__proto__: 1\nconstructor: 2') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});
