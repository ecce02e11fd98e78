import { describe, expect, it } from 'vitest';
import { Template } from '../engine/template.js';
import { CatalogSnippet, HealthService, KeyPair, ServiceTags } from './data.js';
import { helperFuncs } from './helpers.js';
import { Scratch } from './scratch.js';

function render(text: string, data: unknown = null): string {
  let scratch = new Scratch();
  const t = new Template('t', { funcs: helperFuncs(() => scratch, () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5))) });
  scratch = new Scratch();
  return t.parse(text).execute(data);
}

describe('consul-template helpers', () => {
  it('integer math, parseInt and loop give int64s, as reflect.Value.Int does in Go', () => {
    expect(render('{{ printf "%T %T %T %T" (add 1 2) (multiply 2 3) (parseInt "42") (add 1.5 1) }}')).toBe('int64 int64 int64 float64');
    expect(render('{{ range loop 2 }}{{ printf "%T=%d " . . }}{{ end }}{{ add 2 (add 1 2) }} {{ subtract 1 (parseInt "5") }} {{ parseInt "7" | toJSON }}')).toBe('int64=0 int64=1 5 4 7');
  });
  it('collections', () => {
    expect(render('{{ .l | contains "b" }} {{ .l | contains "z" }} {{ in .l "a" }} {{ in "hello" "ell" }}', { l: ['a', 'b'] })).toBe('true false true true');
    expect(render('{{ .l | containsAll .n }} {{ .l | containsAny .n }} {{ .l | containsNone .n }} {{ .l | containsNotAll .n }}', { l: ['a', 'b'], n: ['a', 'c'] })).toBe('false true false true');
    expect(render('{{ .l | join "," }}|{{ split "," "a,b,c" }}|{{ split "," "  " | len }}', { l: ['x', 'y'] })).toBe('x,y|[a b c]|0');
  });
  it('strings and regular expressions', () => {
    expect(render('{{ "a-b-c" | replaceAll "-" "+" }} {{ "Hello World" | toLower }} {{ "hi" | toUpper }} {{ "hello big world" | toTitle }} [{{ "  x  " | trimSpace }}]')).toBe('a+b+c hello world HI Hello Big World [x]');
    expect(render('{{ "web-01" | regexMatch "^web-[0-9]+$" }} {{ "web-01" | regexReplaceAll "web-([0-9]+)" "node$1" }} {{ "ab" | regexReplaceAll "(?P<x>a)" "${x}${x}" }}')).toBe('true node01 aab');
    // Go's RE2 syntax: POSIX classes and inline flags work, lookarounds are errors.
    expect(render('{{ "web-01" | regexMatch "^[[:alpha:]]+-[[:digit:]]+$" }} {{ "A-b" | regexReplaceAll "(?i)[a-z]" "x$$" }}')).toBe('true x$-x$');
    expect(() => render('{{ "ab" | regexMatch "a(?=b)" }}')).toThrow('error calling regexMatch: error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
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

  // The cases below are consul-template's (template/funcs_test.go, template/template_test.go).
  it('containsAll and containsNone (helper_containsAll, helper_containsNone)', () => {
    const required = '{{ $t := parseJSON "[\\"prod\\",\\"us-realm\\"]" }}{{ range . }}{{ if .Tags | containsAll $t }}{{ .Address }}{{ end }}{{ end }}';
    expect(render(required, [{ Address: '1.2.3.4', Tags: ['prod', 'us-realm'] }, { Address: '5.6.7.8', Tags: ['prod', 'ca-realm'] }])).toBe('1.2.3.4');
    const forbidden = '{{ $t := parseJSON "[\\"devel\\",\\"staging\\"]" }}{{ range . }}{{ if .Tags | containsNone $t }}{{ .Address }}{{ end }}{{ end }}';
    expect(render(forbidden, [{ Address: '1.2.3.4', Tags: ['prod', 'v1'] }, { Address: '5.6.7.8', Tags: ['devel', 'v2'] }])).toBe('1.2.3.4');
    expect(render('{{ .l | containsAll .e }} {{ .l | containsNone .e }}', { l: ['a'], e: [] })).toBe('true true');
  });
  it('parseUint (helper_parseUint) with Go\'s errors', () => {
    // A uint64, exact (helper_parseUint returns strconv.ParseUint's uint64).
    expect(render('{{ "1" | parseUint }} {{ "" | parseUint }} {{ $u := parseUint "18446744073709551615" }}{{ printf "%d %x %T" $u $u $u }}')).toBe('1 0 18446744073709551615 ffffffffffffffff uint64');
    expect(render('{{ "18446744073709551615" | parseUint | printf "%.0f" }}')).toBe('%!f(uint64=18446744073709551615)');
    expect(() => render('{{ "-1" | parseUint }}')).toThrow('error calling parseUint: parseUint: strconv.ParseUint: parsing "-1": invalid syntax');
    expect(() => render('{{ "18446744073709551616" | parseUint }}')).toThrow('parseUint: strconv.ParseUint: parsing "18446744073709551616": value out of range');
  });
  it('splitToMap (helper_splitToMap)', () => {
    expect(render('{{ "a:x,b:y,c:z" | splitToMap "," ":" }}')).toBe('map[a:x b:y c:z]');
    expect(render('{{ " a=1=2;skip;b=;a=3 " | splitToMap ";" "=" }}|{{ "  " | splitToMap "," ":" }}')).toBe('map[a:3 b:]|map[]');
  });
  it('toUnescapedJSON (helper_toUnescapedJSON) leaves <, > and & as they are', () => {
    expect(render('{{ "a?b&c,x?y&z" | split "," | toUnescapedJSON }}')).toBe('["a?b&c","x?y&z"]');
    expect(render('{{ toUnescapedJSONPretty . }}', { k: '<>&&', l: '\u2028' })).toBe('{\n  "k": "<>&&",\n  "l": "\\u2028"\n}');
  });
  it('sha256Hex, md5sum, hmacSHA256Hex', () => {
    expect(render('{{ "bladibla" | sha256Hex }}')).toBe('54cf4c66bcabb5c20e25331c01dd600b73369e97a947861bd8d3a0e0b8b3d70b');
    expect(render('{{ "bladibla" | md5sum }}')).toBe('c6886abd136f7daece35aebb01f1b713');
    expect(render('{{ hmacSHA256Hex "bladibla" "foobar" }}')).toBe('82cd4c36fa45a1936e93d005ea2fd008350339bb9246a3ba0c8dfecb9d77155b');
    expect(render('{{ hmacSHA256Hex "somemessage" "somekey" }}')).toBe('6116e95f2827172aa6ef8b22b883f6a77e966aefc129c6b8228ebd0aac74e98d');
  });
  it('base64URLEncode and base64URLDecode, with Go\'s decoding errors', () => {
    expect(render('{{ base64URLEncode "testing123" }} {{ base64URLDecode "dGVzdGluZzEyMw==" }}')).toBe('dGVzdGluZzEyMw== testing123');
    expect(render('{{ base64URLEncode "??>~" }}')).toBe('Pz8-fg==');
    expect(() => render('{{ base64URLDecode "aGVsxxbG8=" }}')).toThrow('error calling base64URLDecode: base64URLDecode: illegal base64 data at input byte 9');
    expect(() => render('{{ base64URLDecode "a+==" }}')).toThrow('illegal base64 data at input byte 1');
    expect(() => render('{{ base64URLDecode "YQ" }}')).toThrow('illegal base64 data at input byte 0');
    expect(render('{{ base64URLDecode "Y\\nQ==" }}')).toBe('a');
  });

  describe('byPort and byMeta on service instances', () => {
    const svc = (id: string, port: number, meta: Record<string, string> = {}) =>
      new HealthService({ Node: { Node: 'n1', Address: '10.0.0.1' }, Service: { ID: id, Service: 'web', Port: port, Meta: meta }, Checks: [] } as never, 'passing');
    it('byPort groups by port, in numeric order (Test_byPort)', () => {
      const list = [svc('svcA', 8080), svc('svcB', 8080), svc('svcC', 9090), svc('svcD', 443)];
      expect(render('{{ range $p, $s := byPort . }}{{ $p }}:{{ range $s }}{{ .ID }},{{ end }} {{ end }}', list)).toBe('443:svcD, 8080:svcA,svcB, 9090:svcC, ');
      expect(render('{{ index (byPort .) 9090 | len }}', list)).toBe('1');
      expect(render('{{ byPort . | len }}', [])).toBe('0');
      expect(() => render('{{ byPort . }}', [new CatalogSnippet('svcA', ServiceTags.from_([]))])).toThrow('error calling byPort: byPort: wrong argument type []*dependency.CatalogSnippet');
    });
    it('byMeta groups by meta values, |int zero-padded (Test_byMeta)', () => {
      const meta = (version: string, num: string, env: string) => ({ version, version_num: num, bad_version_num: '1zz', env });
      const list = [svc('svcA', 80, meta('v2', '2', 'dev')), svc('svcB', 80, meta('v11', '11', 'prod')), svc('svcC', 80, meta('v11', '11', 'prod'))];
      const groups = (spec: string) => render(`{{ range $k, $s := byMeta "${spec}" . }}{{ $k }}:{{ range $s }}{{ .ID }},{{ end }} {{ end }}`, list);
      expect(groups('version')).toBe('v11:svcB,svcC, v2:svcA, ');
      expect(groups('version_num|int')).toBe('00002:svcA, 00011:svcB,svcC, ');
      expect(groups('env,version_num|int,version')).toBe('dev_00002_v2:svcA, prod_00011_v11:svcB,svcC, ');
      expect(() => groups('bad_version_num|int')).toThrow('byMeta: cannot parse 1zz as number : strconv.Atoi: parsing "1zz": invalid syntax');
    });
    it('byMeta: missing values, negative numbers, characters outside [a-zA-Z0-9_-]', () => {
      const list = [svc('a', 80, { v: '1.2/x' }), svc('b', 80, { n: '-7' }), svc('c', 80)];
      expect(render('{{ range $k, $s := byMeta "v,n|int" . }}{{ $k }}={{ range $s }}{{ .ID }}{{ end }} {{ end }}', list)).toBe('1_2_x_00000=a _no_v__-0007=b _no_v__00000=c ');
    });
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
