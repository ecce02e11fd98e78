import { describe, expect, it } from 'vitest';
import { SPRIG_DICTS_CASES } from './testing/dicts-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig dict functions', () => {
  it.each(SPRIG_DICTS_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('merge keeps non-empty values, mergeOverwrite replaces them, nested maps merge', () => {
    const data = { dst: { a: 1, b: '', n: { x: 1 } }, src: { a: 2, b: 'B', c: 3, n: { x: 2, y: 2 } } };
    expect(render('{{ merge .dst .src | toJson }}', structuredClone(data))).toBe('{"a":1,"b":"B","c":3,"n":{"x":1,"y":2}}');
    expect(render('{{ mergeOverwrite .dst .src | toJson }}', structuredClone(data))).toBe('{"a":2,"b":"B","c":3,"n":{"x":2,"y":2}}');
  });

  it('keys, values, dig and odd inputs', () => {
    expect(render('{{ keys (dict "b" 1 "a" 2) | sortAlpha }} {{ values (dict "b" 1 "a" 2) }}')).toBe('[a b] [2 1]');
    expect(render('{{ dict "a" | toJson }} {{ dict 1 2 | toJson }} {{ dict "__proto__" 1 | toJson }}')).toBe('{"a":""} {"1":2} {"__proto__":1}');
    expect(render('{{ dig "a" "b" "def" (dict "a" (dict "b" "v")) }} {{ dig "a" "z" "def" (dict "a" (dict "b" "v")) }}')).toBe('v def');
    expect(renderError('{{ get "x" "y" }}')).toContain('expected map[string]interface {}; got string');
  });
});
