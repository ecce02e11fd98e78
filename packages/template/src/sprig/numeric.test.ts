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
});
