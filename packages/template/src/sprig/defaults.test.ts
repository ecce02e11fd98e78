import { describe, expect, it } from 'vitest';
import { SPRIG_DEFAULTS_CASES } from './testing/defaults-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig defaults and JSON functions', () => {
  it.each(SPRIG_DEFAULTS_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('empty values, coalesce, ternary', () => {
    expect(render('{{ .Nothing | default "123" }}', { Nothing: null })).toBe('123');
    expect(render('{{ empty 0 }} {{ empty 0.0 }} {{ empty "" }} {{ empty (list) }} {{ empty (dict) }} {{ empty false }} {{ empty nil }} {{ empty "a" }}')).toBe('true true true true true true true false');
    expect(render('{{ coalesce 0 "" "x" }} {{ all 1 "a" }} {{ any 0 "" }} {{ ternary "y" "n" false }}')).toBe('x true false n');
    expect(renderError('{{ ternary "y" "n" "true" }}')).toContain('expected bool; got string');
  });

  it('JSON as Go encodes it', () => {
    expect(render('{{ toJson (dict "b" "<x>" "a" 1) }} {{ toRawJson (dict "b" "<x>") }}')).toBe('{"a":1,"b":"\\u003cx\\u003e"} {"b":"<x>"}');
    expect(render('{{ toPrettyJson (list 1) }}')).toBe('[\n  1\n]');
    expect(render('{{ (fromJson "{\\"a\\":[1,2]}").a }} {{ fromJson "nope" }}')).toBe('[1 2] <no value>');
    expect(renderError('{{ mustFromJson "nope" }}')).toContain('error calling mustFromJson');
  });
});
