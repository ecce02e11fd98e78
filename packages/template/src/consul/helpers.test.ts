import { describe, expect, it } from 'vitest';
import { Template } from '../engine/template.js';
import { CatalogSnippet, KeyPair, ServiceTags } from './data.js';
import { helperFuncs } from './helpers.js';
import { Scratch } from './scratch.js';

function render(text: string, data: unknown = null): string {
  let scratch = new Scratch();
  const t = new Template('t', { funcs: helperFuncs(() => scratch, () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5))) });
  scratch = new Scratch();
  return t.parse(text).execute(data);
}

describe('consul-template helpers', () => {
  it('collections', () => {
    expect(render('{{ .l | contains "b" }} {{ .l | contains "z" }} {{ in .l "a" }} {{ in "hello" "ell" }}', { l: ['a', 'b'] })).toBe('true false true true');
    expect(render('{{ .l | containsAll .n }} {{ .l | containsAny .n }} {{ .l | containsNone .n }} {{ .l | containsNotAll .n }}', { l: ['a', 'b'], n: ['a', 'c'] })).toBe('false true false true');
    expect(render('{{ .l | join "," }}|{{ split "," "a,b,c" }}|{{ split "," "  " | len }}', { l: ['x', 'y'] })).toBe('x,y|[a b c]|0');
  });
  it('strings and regular expressions', () => {
    expect(render('{{ "a-b-c" | replaceAll "-" "+" }} {{ "Hello World" | toLower }} {{ "hi" | toUpper }} {{ "hello big world" | toTitle }} [{{ "  x  " | trimSpace }}]')).toBe('a+b+c hello world HI Hello Big World [x]');
    expect(render('{{ "web-01" | regexMatch "^web-[0-9]+$" }} {{ "web-01" | regexReplaceAll "web-([0-9]+)" "node$1" }} {{ "ab" | regexReplaceAll "(?P<x>a)" "${x}${x}" }}')).toBe('true node01 aab');
  });
  it('JSON like Go: sorted keys, HTML escaped', () => {
    expect(render('{{ toJSON . }}', { b: 1, a: ['<x>', true, null] })).toBe('{"a":["\\u003cx\\u003e",true,null],"b":1}');
    expect(render('{{ toJSONPretty . }}', { a: { c: 1 } })).toBe('{\n  "a": {\n    "c": 1\n  }\n}');
    expect(render('{{ with parseJSON `{"x":[1,2]}` }}{{ index .x 1 }}{{ end }}')).toBe('2');
  });
  it('math takes (b, a) so pipes read naturally', () => {
    expect(render('{{ add 1 2 }} {{ 10 | subtract 3 }} {{ multiply 4 5 }} {{ 10 | divide 4 }} {{ 10.5 | divide 2 }} {{ 10 | modulo 3 }}')).toBe('3 7 20 2 5.25 1');
    expect(() => render('{{ 1 | divide 0 }}')).toThrow(/integer divide by zero/);
  });
  it('loop, scratch and timestamp', () => {
    expect(render('{{ range loop 3 }}{{ . }}{{ end }} {{ range $i := loop 5 8 }}{{ $i }}{{ end }}')).toBe('012 567');
    expect(render('{{ scratch.Set "a" "1" }}{{ scratch.SetX "a" "2" }}{{ scratch.Get "a" }} {{ scratch.Key "a" }} {{ scratch.Key "b" }}{{ scratch.MapSet "m" "z" 1 }}{{ scratch.MapSet "m" "y" 2 }} {{ scratch.MapValues "m" }}')).toBe('1 true false [2 1]');
    expect(render('{{ timestamp }} {{ timestamp "unix" }} {{ timestamp "2006-01-02 15:04:05 Jan Mon" }}')).toBe('2026-01-02T03:04:05Z 1767323045 2026-01-02 03:04:05 Jan Fri');
  });

  // Go maps take any string as a key; JS objects must not mistake these for Object.prototype's members.
  describe('keys named like Object.prototype members', () => {
    const kv = (key: string) => new KeyPair({ Key: key, Value: '', LockIndex: 0, Flags: 0, CreateIndex: 1, ModifyIndex: 1 }, key);
    it('byKey', () => {
      const pairs = ['constructor/a', '__proto__/b', 'toString/c', 'toString/d', 'app/__proto__', 'app/e'].map(kv);
      expect(render('{{ range $k, $ps := byKey . }}{{ $k }}:{{ range $ps }}{{ .Key }},{{ end }};{{ end }}', pairs)).toBe('__proto__:b,;app:__proto__,e,;constructor:a,;toString:c,d,;');
    });
    it('byTag', () => {
      const svc = (name: string, tags: string[]) => new CatalogSnippet(name, ServiceTags.from_(tags));
      const list = [svc('a', ['constructor', '__proto__']), svc('b', ['toString', 'constructor'])];
      expect(render('{{ range $t, $ss := byTag . }}{{ $t }}:{{ range $ss }}{{ .Name }}{{ end }} {{ end }}', list)).toBe('__proto__:a constructor:ab toString:b ');
    });
    it('scratch', () => {
      expect(render('{{ scratch.Key "constructor" }} {{ scratch.Get "toString" }} {{ scratch.MapValues "valueOf" }}')).toBe('false <no value> []');
      expect(render('{{ scratch.Set "constructor" "c" }}{{ scratch.SetX "__proto__" "p" }}{{ scratch.SetX "__proto__" "q" }}{{ scratch.Get "constructor" }}{{ scratch.Get "__proto__" }} {{ scratch.Key "__proto__" }}')).toBe('cp true');
      const maps = '{{ scratch.MapSet "__proto__" "constructor" 1 }}{{ scratch.MapSet "__proto__" "__proto__" 2 }}{{ scratch.MapSetX "__proto__" "toString" 3 }}{{ scratch.MapSetX "__proto__" "__proto__" 4 }}';
      expect(render(maps + '{{ scratch.MapValues "__proto__" }} {{ range $k, $v := scratch.Get "__proto__" }}{{ $k }}={{ $v }} {{ end }}')).toBe('[2 1 3] __proto__=2 constructor=1 toString=3 ');
    });
    it('toJSON', () => {
      expect(render('{{ toJSON . }}', JSON.parse('{"__proto__":{"constructor":1},"a":2}'))).toBe('{"__proto__":{"constructor":1},"a":2}');
    });
  });
});
