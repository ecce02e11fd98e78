import { describe, expect, it } from 'vitest';
import { Template } from '../engine/template.js';
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
});
