import { describe, expect, it } from 'vitest';
import { SPRIG_NUMERIC_CASES } from './testing/numeric-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig math functions', () => {
  it.each(SPRIG_NUMERIC_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('int64 through cast, decimals for the *f functions', () => {
    expect(render('{{ add "0x10" "010" "1.0" true "junk" nil }}')).toBe('26');
    expect(render('{{ addf 0.1 0.2 }} {{ subf 1 0.9 }} {{ mulf 1.1 3 }} {{ divf 1 3 }}')).toBe('0.3 0.1 3.3 0.3333333333333333');
    expect(render('{{ mul 3 "4" 2.9 }} {{ div 7 -2 }} {{ mod -7 2 }}')).toBe('24 -3 -1');
    expect(render('{{ round -1.5 0 }} {{ round 2.345 2 }} {{ round 2.5 0 0.6 }}')).toBe('-2 2.35 2');
    expect(render('{{ randInt 5 6 }} {{ until 3 }} {{ untilStep 10 0 -4 }}')).toBe('5 [0 1 2] [10 6 2]');
    expect(renderError('{{ div 1 0 }}')).toContain('integer divide by zero');
    expect(renderError('{{ randInt 3 3 }}')).toContain('invalid argument to Intn');
  });

  it("Go's int and int64 stay apart: the math gives int64, len and atoi int", () => {
    expect(render('{{ typeOf (add 1 2) }} {{ kindOf (sub 1 2) }} {{ typeOf (int (add 1 2)) }} {{ typeOf (int64 1) }} {{ typeOf (max 1 2) }} {{ typeOf (toDecimal "777") }} {{ typeOf (atoi "3") }} {{ typeOf (len "ab") }}'))
      .toBe('int64 int64 int int64 int64 int64 int int');
    expect(render('{{ printf "%T %d %x %5d|%v" (add 1 2) (sub 10 3) (mul 255 1) (add1 1) (list (add 1 0)) }} {{ printf "%f" (add 1 2) }}')).toBe('int64 7 ff     2|[1] %!f(int64=3)');
    // An int64 is not an int: Go's text/template refuses it for an int parameter.
    expect(renderError('{{ until (add 1 2) }}')).toContain('wrong type for value; expected int; got int64');
    expect(render('{{ until (int (add 1 2)) }} {{ eq (add 1 1) 2 }} {{ lt (add 1 1) 3 }} {{ index (list "a" "b") (add1 0) }} {{ if sub 1 1 }}t{{ else }}f{{ end }}')).toBe('[0 1 2] true true b f');
    // reflect.DeepEqual tells them apart too.
    expect(render('{{ deepEqual (add 1 0) 1 }} {{ has 1 (list (add 1 0)) }} {{ empty (sub 2 2) }} {{ add 1 2 | toJson }}')).toBe('false false true 3');
    // Exact 64-bit wrap-around.
    expect(render('{{ add "9223372036854775807" 1 }} {{ mul 3037000500 3037000500 }} {{ max "9007199254740993" 1 }}')).toBe('-9223372036854775808 -9223372036709301616 9007199254740993');
  });
});
