import { describe, expect, it } from 'vitest';
import { SPRIG_LISTS_CASES } from './testing/lists-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig list functions', () => {
  it.each(SPRIG_LISTS_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('deep equality and non-list errors', () => {
    expect(render('{{ list (list 1 2) (list 1 2) (dict "a" 1) (dict "a" 1) | uniq | len }}')).toBe('2');
    expect(render('{{ has 1 (list 1.5 1) }} {{ has "1" (list 1) }} {{ has 1 nil }}')).toBe('true false false');
    expect(renderError('{{ first "abc" }}')).toContain('Cannot find first on type string');
    expect(renderError('{{ mustPush 1 2 }}')).toContain('Cannot push on type int');
    expect(renderError('{{ concat (list 1) 2 }}')).toContain('Cannot concat type int as list');
    expect(renderError('{{ slice "abc" 1 }}')).toContain('list should be type of slice or array but string');
  });
});
