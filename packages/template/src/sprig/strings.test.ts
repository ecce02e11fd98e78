import { describe, expect, it } from 'vitest';
import { SPRIG_STRINGS_CASES } from './testing/strings-cases.js';
import { render, renderError } from './testing/render.js';

describe('sprig string functions', () => {
  it.each(SPRIG_STRINGS_CASES)('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('counts bytes as Go does', () => {
    expect(render('{{ "héllo" | trunc 2 }}|{{ "héllo" | substr 0 3 }}|{{ "abcdef" | substr 2 -1 }}')).toBe('h\uFFFD|hé|cdef');
    expect(render('{{ "Hello World" | wrap 3 }}')).toBe('Hello\nWorld');
    expect(render('{{ wrapWith 3 "|" "Hello World" }}')).toBe('Hel|lo|Wor|ld');
    expect(render('{{ abbrev 3 "hello" }}|{{ abbrev 10 "hello" }}')).toBe('hello|hello');
  });

  it('cases, quoting and splitting', () => {
    expect(render('{{ swapcase "This Is A.Test" }}')).toBe('tHIS iS a.tEST');
    expect(render('{{ title "hello wide-world" }}|{{ upper "abc" }}|{{ lower "ABC" }}')).toBe('Hello Wide-World|ABC|abc');
    expect(render('{{ quote "a\\tb" "é" }}|{{ squote nil "x" }}|{{ cat 1 nil "b" 2.5 }}')).toBe('"a\\tb" "é"|\'x\'|1 b 2.5');
    expect(render('{{ splitList "," "a,b,,c" }}|{{ (splitn "," 2 "a,b,c")._1 }}|{{ replace "" "-" "ab" }}')).toBe('[a b  c]|b,c|-a-b-');
    expect(render('{{ shuffle "aab" | len }}')).toBe('3');
  });

  it('argument types are checked like text/template does', () => {
    expect(renderError('{{ upper 1 }}')).toContain('wrong type for value; expected string; got int');
    expect(renderError('{{ repeat "x" "y" }}')).toContain('expected int; got string');
    expect(renderError('{{ fail "stop here" }}')).toContain('error calling fail: stop here');
  });
});
