import { describe, expect, it } from 'vitest';
import { render, renderError } from './testing/render.js';

// Expected values from Masterminds/sprig regex_test.go and Go's regexp semantics.
describe('sprig regex functions (Go RE2)', () => {
  it('match, find, findAll', () => {
    const email = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\\\.[A-Za-z]{2,}';
    expect(render(`{{ regexMatch "${email}" "test@acme.com" }} {{ regexMatch "${email}" "test@acme" }}`)).toBe('true false');
    expect(render('{{ regexFindAll "a{2}" "aaaa" -1 | len }} {{ regexFindAll "a{2}" "aaaaaaaa" 1 | len }} {{ regexFindAll "a{2}" "none" -1 }}')).toBe('2 1 []');
    expect(render('{{ regexFind "fo.?" "foorbar" }}|{{ regexFind "x" "none" }}')).toBe('foo|');
    expect(render('{{ regexFindAll "a*" "baaac" -1 }}')).toBe('[ aaa ]');
  });

  it('replace expands $1, ${1}, names; the literal form does not', () => {
    expect(render('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "T" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}')).toBe('-T-T- --xx- --- -W-xxW-');
    expect(render('{{ regexReplaceAll "(?P<k>\\\\w+)=(?P<v>\\\\w+)" "a=1" "$v:$k $$" }}')).toBe('1:a $');
    expect(render('{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}')).toBe('-${1}-${1}-');
  });

  it('split and quoteMeta', () => {
    expect(render('{{ regexSplit "a" "banana" -1 | len }} {{ regexSplit "a" "banana" 0 | len }} {{ regexSplit "a" "banana" 2 }} {{ regexSplit "z+" "pizza" -1 }}')).toBe('4 0 [b nana] [pi a]');
    expect(render('{{ regexQuoteMeta "1.2.3" }} {{ regexQuoteMeta "pretzel" }}')).toBe('1\\.2\\.3 pretzel');
  });

  it("Go's syntax: POSIX classes and (?i) work, lookarounds and backreferences do not", () => {
    expect(render('{{ regexMatch "^[[:alpha:]]+$" "abc" }} {{ regexMatch "(?i)^ABC\\\\z" "abc" }}')).toBe('true true');
    expect(render('{{ regexMatch "a(?=b)" "ab" }}')).toBe('false');
    expect(renderError('{{ mustRegexMatch "a(?=b)" "ab" }}')).toContain('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect(renderError('{{ regexFind "(a)\\\\1" "aa" }}')).toContain('regexp: Compile(`(a)\\1`): error parsing regexp: invalid escape sequence: `\\1`');
  });
});
