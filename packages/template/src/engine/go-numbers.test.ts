// Go's number types as templates see them: consul-template's parseUint gives a uint64 (exact, with
// Go's unsigned arithmetic in its math helpers), a float written as `2.0` or `1e3` and a float64
// result that happens to be whole stay float64, and Sprig's toDate keeps nanoseconds.
// Expected texts are Go's (go1.19: fmt, text/template, time) and consul-template's funcs.go rules.
import { describe, expect, it } from 'vitest';
import { helperFuncs } from '../consul/helpers.js';
import { Scratch } from '../consul/scratch.js';
import { sprigFuncs } from '../sprig/index.js';
import { Template } from './template.js';
import { inZone } from '../sprig/testing/render.js';

function render(text: string, data: unknown = { list: ['a', 'b', 'c'] }): string {
  const scratch = new Scratch();
  const funcs = { ...helperFuncs(() => scratch, () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), ...sprigFuncs(() => new Date(Date.UTC(2026, 0, 2, 3, 4, 5))) };
  return new Template('t', { funcs }).parse(text).execute(data);
}

const U = (name: string, text: string) => `{{ $${name} := parseUint "${text}" }}`;
const show = (expr: string) => `{{ $r := ${expr} }}{{ printf "%T=%v " $r $r }}`;

describe('parseUint: a uint64', () => {
  it('prints, compares and indexes as Go does', () => {
    expect(render(`${U('max', '18446744073709551615')}{{ printf "%T %v %d %x %o" $max $max $max $max $max }}`)).toBe('uint64 18446744073709551615 18446744073709551615 ffffffffffffffff 1777777777777777777777');
    expect(render(`${U('max', '18446744073709551615')}{{ printf "%f|%s|%t" $max $max $max }}`)).toBe('%!f(uint64=18446744073709551615)|%!s(uint64=18446744073709551615)|%!t(uint64=18446744073709551615)');
    // funcs.go eq/lt: a uint and an int compare by value whatever their sign; not with a float.
    expect(render(`${U('three', '3')}${U('max', '18446744073709551615')}{{ eq $three 3 }} {{ eq 3 $three }} {{ eq $max -1 }} {{ lt -1 $three }} {{ lt $three 2 }} {{ gt $max 9007199254740991 }} {{ ge $three $three }}`)).toBe('true true false true false true true');
    expect(() => render(`${U('three', '3')}{{ eq $three 3.0 }}`)).toThrow('incompatible types for comparison');
    expect(render(`${U('one', '1')}${U('zero', '0')}{{ index .list $one }} {{ if $zero }}y{{ else }}n{{ end }} {{ not $one }}`)).toBe('b n false');
  });

  it('consul-template math: uint64 with uint64 wraps unsigned, with an int is an int64, with a float a float64', () => {
    const pre = U('max', '18446744073709551615') + U('one', '1') + U('zero', '0') + U('two', '2') + U('seven', '7') + U('big', '4294967296');
    expect(render(pre + show('add $one $max') + show('add 1 $max') + show('subtract $one $zero') + show('multiply $big $big') + show('divide $two $seven') + show('modulo $two $seven'))).toBe(
      'uint64=0 int64=0 uint64=18446744073709551615 uint64=0 uint64=3 uint64=1 ',
    );
    expect(render(pre + show('add 0.5 $two') + show('add 0.0 $two') + show('subtract $one 5') + show('multiply -1 $seven'))).toBe('float64=2.5 float64=2 int64=4 int64=-7 ');
    // minimum/maximum give the chosen operand in its own type (b on a tie).
    expect(render(pre + show('minimum $two 5') + show('maximum 2.5 $seven') + show('minimum 7 $seven') + show('maximum $one 1.0'))).toBe('uint64=2 uint64=7 int64=7 uint64=1 ');
    expect(() => render(pre + '{{ divide $zero $one }}')).toThrow('runtime error: integer divide by zero');
    expect(() => render(pre + '{{ modulo 0.5 $one }}')).toThrow('modulo: unknown type for "0.5" (float64)');
  });

  it('int64 math is exact beyond 2^53 and wraps at 64 bits', () => {
    expect(render(show('add 1 (parseInt "9007199254740993")') + show('add 1 (parseInt "9223372036854775807")') + show('multiply 2 (parseInt "4611686018427387904")'))).toBe(
      'int64=9007199254740994 int64=-9223372036854775808 int64=-9223372036854775808 ',
    );
  });

  it('toJSON, toYAML and toTOML write every digit; Sprig converts it as cast does', () => {
    const pre = U('max', '18446744073709551615');
    expect(render(`${pre}{{ toJSON $max }} {{ parseInt "9007199254740993" | toJSON }} {{ toYAML $max }}`)).toBe('18446744073709551615 9007199254740993 18446744073709551615');
    expect(render(`${pre}{{ $m := sprig_dict "u" $max "f" 2.0 "i" 2 }}{{ toJSON $m }}|{{ toTOML $m }}`)).toBe('{"f":2,"i":2,"u":18446744073709551615}|f = 2.0\ni = 2\nu = 18446744073709551615');
    expect(render(`${pre}{{ sprig_int64 $max }} {{ sprig_float64 (parseUint "2") | printf "%T" }} {{ sprig_kindOf $max }} {{ sprig_typeOf $max }} {{ sprig_empty (parseUint "0") }}`)).toBe('-1 float64 uint64 uint64 true');
  });
});

describe('float64 results stay float64 when whole', () => {
  it('literals, parseFloat and Sprig\'s float functions', () => {
    expect(render('{{ printf "%T %T %T %T %T" 2.0 1e3 2 (parseFloat "2") (parseFloat "2.5") }}')).toBe('float64 float64 int float64 float64');
    expect(render('{{ 2.0 }} {{ 1e3 }} {{ parseFloat "4" }} {{ printf "%d" 2.0 }}')).toBe('2 1000 4 %!d(float64=2)');
    expect(render(show('sprig_addf 1.5 0.5') + show('sprig_float64 "3"') + show('sprig_ceil 1.2') + show('sprig_floor 1.8') + show('sprig_round 2.4 0') + show('sprig_maxf 1 2') + show('sprig_add 1 2'))).toBe(
      'float64=2 float64=3 float64=2 float64=1 float64=2 float64=2 int64=3 ',
    );
    expect(render('{{ sprig_round 2.5 0 1.0 }} {{ toTOML (sprig_dict "x" 2.0) }} {{ toYAML (sprig_dict "x" 2.0) }} {{ sprig_toString 2.0 }}')).toBe('2 x = 2.0 x: 2 2');
    expect(render('{{ eq (parseFloat "2") 2.0 }} {{ sprig_deepEqual 2.0 (parseFloat "2") }} {{ sprig_deepEqual 2.0 2 }} {{ sprig_has 2.0 (sprig_list 1 2.0) }}')).toBe('true true false true');
  });
});

describe('sprig_toDate keeps nanoseconds (time.Time)', () => {
  inZone('UTC');

  it('parses up to 9 digits and formats them with each fraction layout', () => {
    const t = '(sprig_toDate "2006-01-02T15:04:05.999999999Z07:00" "2020-01-02T03:04:05.123456789Z")';
    expect(render(`{{ ${t} }}`)).toBe('2020-01-02 03:04:05.123456789 +0000 UTC');
    expect(render(`{{ ${t}.Format "05.000|05.000000|05.000000000|05.999|05.999999" }}`)).toBe('05.123|05.123456|05.123456789|05.123|05.123456');
    expect(render(`{{ ${t} | toJSON }} {{ sprig_unixEpoch ${t} }}`)).toBe('"2020-01-02T03:04:05.123456789Z" 1577934245');
    // Trailing zeros: .999 drops them, .000 keeps them; more than 9 digits are cut (parseNanoseconds).
    expect(render('{{ sprig_toDate "15:04:05.000000000" "03:04:05.000001000" }} {{ (sprig_toDate "15:04:05" "03:04:05.1234567891").Format "05.000000000" }}')).toBe(
      '0000-01-01 03:04:05.000001 +0000 UTC 05.123456789',
    );
    // Adding a duration keeps them.
    expect(render(`{{ sprig_mustDateModify "1.5s" ${t} }}`)).toBe('2020-01-02 03:04:06.623456789 +0000 UTC');
  });
});

describe('an int beyond 2^53: exact, as Go 64-bit int', () => {
  it('from a literal, sprig_int and sprig_atoi, through the integer math', () => {
    expect(render(`${show('9007199254740993')}${show('sprig_int "9007199254740993"')}${show('sprig_atoi "-9007199254740993"')}`)).toBe(
      'int=9007199254740993 int=9007199254740993 int=-9007199254740993 ',
    );
    // funcs.go and Sprig's math take Go's ints as int64 (cast.ToInt64, reflect's Int()).
    expect(render(`${show('add 9007199254740993 1')}${show('sprig_add 9007199254740993 1')}${show('sprig_int64 9007199254740993')}`)).toBe(
      'int64=9007199254740994 int64=9007199254740994 int64=9007199254740993 ',
    );
    expect(render('{{ printf "%d %x %f" 9007199254740993 9007199254740993 9007199254740993 }} {{ eq 9007199254740993 9007199254740992 }} {{ toJSON (sprig_list 9007199254740993) }}')).toBe(
      '9007199254740993 20000000000001 %!f(int=9007199254740993) false [9007199254740993]',
    );
  });
});

describe("an int beyond 2^53 as a function's int argument: exact, as Go passes it", () => {
  // No Go here to run: the expected texts follow go1.19's text/template funcs.go (indexArg: the
  // int64, a uint64 converted), fmt/print.go (intFromArg, tooLarge: widths up to 1e6), Sprig's
  // numeric.go (untilStep, seq, randInt: rand.Intn(max-min)+min) and consul-template's loop.
  it('index and slice say the exact index that is out of range; a uint64 of 2^63 or more turns negative', () => {
    expect(() => render('{{ index .list 9007199254740993 }}')).toThrow('error calling index: index out of range: 9007199254740993');
    expect(() => render('{{ slice .list 1 9007199254740993 }}')).toThrow('error calling slice: index out of range: 9007199254740993');
    expect(() => render('{{ index .list (sprig_int64 -9007199254740993) }}')).toThrow('error calling index: index out of range: -9007199254740993');
    expect(() => render(`${U('u', '18446744073709551615')}{{ index .list $u }}`)).toThrow('error calling index: index out of range: -1');
    expect(render('{{ index .list (sprig_int64 2) }} {{ slice .list (sprig_add 0 1) }}')).toBe('c [b c]');
  });

  it("printf's * width and precision take any integer kind exactly, up to 1e6", () => {
    expect(render('{{ printf "[%*d][%-*d][%.*f]" (sprig_add 2 3) 1 (sprig_int64 4) 2 (sprig_int64 2) 3.14159 }}')).toBe('[    1][2   ][3.14]');
    expect(render(`${U('w', '3')}{{ printf "[%*d][%*d]" $w 7 (sprig_int64 -3) 7 }}`)).toBe('[  7][7  ]');
    expect(render('{{ printf "[%*d][%.*d][%*d]" 9007199254740993 1 9007199254740993 2 1000001 3 }}')).toBe('[%!(BADWIDTH)1][%!(BADPREC)2][%!(BADWIDTH)3]');
    expect(render('{{ printf "[%*d][%*d]" 2.0 1 "2" 2 }}')).toBe('[%!(BADWIDTH)1][%!(BADWIDTH)2]');
  });

  it("Sprig's until, untilStep, seq and randInt, and loop, count from the exact value", () => {
    expect(render('{{ sprig_untilStep 9007199254740993 9007199254740996 1 }} {{ sprig_seq 9007199254740993 9007199254740995 }} {{ sprig_seq 9007199254740993 -1 9007199254740991 }}')).toBe(
      '[9007199254740993 9007199254740994 9007199254740995] 9007199254740993 9007199254740994 9007199254740995 9007199254740993 9007199254740992 9007199254740991',
    );
    expect(render(`{{ range sprig_untilStep 9007199254740993 9007199254740994 1 }}${show('.')}{{ end }}{{ sprig_randInt 9007199254740993 9007199254740994 }}`)).toBe('int=9007199254740993 9007199254740993');
    // Go's int addition wraps: seq up to the largest int asks for nothing past it.
    expect(render('[{{ sprig_seq 9223372036854775807 }}] {{ sprig_until -2 }}')).toBe('[] [0 -1]');
    expect(render('{{ range loop 9007199254740993 9007199254740995 }}{{ . }} {{ end }}{{ range loop "9007199254740993" "9007199254740994" }}{{ . }}{{ end }}')).toBe('9007199254740993 9007199254740994 9007199254740993');
    expect(() => render('{{ sprig_until 2.5 }}')).toThrow('wrong type for value; expected int; got float64');
    expect(() => render('{{ sprig_randInt 9007199254740994 9007199254740993 }}')).toThrow('invalid argument to Intn');
  });
});

describe('parseJSON numbers: float64, as encoding/json into interface{}', () => {
  it('prints as Go does and refuses an int verb', () => {
    expect(render('{{ $j := parseJSON `{"n": 1, "l": [2]}` }}{{ printf "%T %v %d %T" $j.n $j.n $j.n (index $j.l 0) }}')).toBe('float64 1 %!d(float64=1) float64');
    // A float64 result of consul-template's math stays a float64.
    expect(render('{{ $j := parseJSON `{"n": 1}` }}{{ $r := add $j.n 1 }}{{ printf "%T %v" $r $r }} {{ toJSON $j }} {{ toTOML $j }}')).toBe('float64 2 {"n":1} n = 1.0');
  });
});
