// explode, explodeMap, mergeMap and mergeMapWithOverride, with consul-template's
// test cases (template/template_test.go) and mergo's rules for the rest.
import { describe, expect, it } from 'vitest';
import { Template } from '../engine/template.js';
import { KeyPair } from './data.js';
import { helperFuncs } from './helpers.js';
import { explode, explodeMap, mergeMap } from './maps.js';
import { Scratch } from './scratch.js';

function render(text: string, data: unknown = null): string {
  let scratch = new Scratch();
  const t = new Template('t', { funcs: helperFuncs(() => scratch) });
  scratch = new Scratch();
  return t.parse(text).execute(data);
}

const kv = (key: string, value: string) => new KeyPair({ Key: 'list/' + key, Value: Buffer.from(value).toString('base64'), LockIndex: 0, Flags: 0, CreateIndex: 1, ModifyIndex: 1 }, key);
// consul-template's fixture for helper_explode and helper_mergeMap*.
const list = [kv('', ''), kv('foo/bar', 'a'), kv('zip/zap', 'b')];

describe('explode', () => {
  it("consul-template's helper_explode", () => {
    expect(render('{{ range $k, $v := . | explode }}{{ $k }}{{ $v }}{{ end }}', list)).toBe('foomap[bar:a]zipmap[zap:b]');
  });

  it('nests by "/" segments', () => {
    expect(explode([kv('a/b/c', '1'), kv('a/b/d', '2'), kv('a/e', '3'), kv('f', '4')])).toEqual({ a: { b: { c: '1', d: '2' }, e: '3' }, f: '4' });
  });

  it('fails, as consul-template, when a key is both a value and a folder', () => {
    expect(() => explode([kv('a', 'x'), kv('a/b', '1')])).toThrow('explode: not a map: "a/b": "a" already has value "x"');
    // The error names the key one level up from where it failed.
    expect(() => explode([kv('a/b/c', 'x'), kv('a/b/c/d', '1')])).toThrow('explode: not a map: "b/c/d": "c" already has value "x"');
  });

  it('refuses what is not a KeyPair list', () => {
    expect(() => explode(['a'])).toThrow('wrong type for value; expected []*dependency.KeyPair; got []interface {}');
    expect(explode(null)).toEqual({});
  });
});

describe('explodeMap', () => {
  it("consul-template's helper_explodemap", () => {
    const t = '{{ scratch.MapSet "explode-test" "foo/bar" "a"}}{{ scratch.MapSet "explode-test" "qux" "c"}}{{ scratch.MapSet "explode-test" "zip/zap" "d"}}{{ scratch.Get "explode-test" | explodeMap }}';
    expect(render(t)).toBe('map[foo:map[bar:a] qux:c zip:map[zap:d]]');
  });

  it('takes keys in sorted order, so a folder after its value fails', () => {
    expect(() => explodeMap({ 'a/b': 1, a: 2 })).toThrow("explodeMap: not a map: \"a/b\": \"a\" already has value '\\x02'");
  });

  it('adds to a map value without changing the map given', () => {
    const inner = { x: 1 };
    expect(explodeMap({ a: inner, 'a/b': 2 })).toEqual({ a: { x: 1, b: 2 } });
    expect(inner).toEqual({ x: 1 });
  });
});

describe('mergeMap', () => {
  it("consul-template's helper_mergeMap and helper_mergeMapWithOverride", () => {
    const merge = '{{ $base := "{\\"voo\\":{\\"bar\\":\\"v\\"}}" | parseJSON}}{{ $role := . | explode | mergeMap $base}}{{ range $k, $v := $role }}{{ $k }}{{ $v }}{{ end }}';
    expect(render(merge, list)).toBe('foomap[bar:a]voomap[bar:v]zipmap[zap:b]');
    const override = '{{ $base := "{\\"zip\\":{\\"zap\\":\\"t\\"},\\"voo\\":{\\"bar\\":\\"v\\"}}" | parseJSON}}{{ $role := . | explode | mergeMapWithOverride $base}}{{ range $k, $v := $role }}{{ $k }}{{ $v }}{{ end }}';
    expect(render(override, list)).toBe('foomap[bar:a]voomap[bar:v]zipmap[zap:b]');
  });

  it("mergo's rules: the first map wins unless its value is empty; nested maps merge; nil only with override", () => {
    const dst = { a: 'keep', b: '', c: 0, d: { x: 1 }, e: [1], f: null };
    const src = { a: 'new', b: 'filled', c: 5, d: { x: 2, y: 3 }, e: [2], f: 'set', g: null, h: [] };
    expect(mergeMap(dst, src)).toEqual({ a: 'keep', b: 'filled', c: 5, d: { x: 1, y: 3 }, e: [1], f: 'set', h: [] });
    expect(mergeMap(dst, src, true)).toEqual({ a: 'new', b: 'filled', c: 5, d: { x: 2, y: 3 }, e: [2], f: 'set', g: null, h: [] });
    // mergo changes the first map in place; here both stay as they were.
    expect(dst).toEqual({ a: 'keep', b: '', c: 0, d: { x: 1 }, e: [1], f: null });
  });

  it('takes nil as an empty map and refuses other values', () => {
    expect(mergeMap(null, { a: 1 })).toEqual({ a: 1 });
    expect(() => mergeMap('x', {})).toThrow('wrong type for value; expected map[string]interface {}; got string');
  });
});
