// Any input either parses or fails with a TemplateParseError; any parsed
// template either renders or fails with a TemplateExecError — never another
// exception (a user's typo must not surface as a crash).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TemplateExecError, TemplateParseError } from './errors.js';
import { Template } from './template.js';

const pieces = ['{{', '}}', '{{-', '-}}', ' ', '.', '.a', '.b.c', '$', '$x', ':=', '=', '|', '(', ')', '"s"', '`r`', "'c'", '1', '-2', '3.5',
  'if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true', 'len', 'index', 'printf', 'print',
  'and', 'or', 'not', 'eq', 'lt', 'slice', '"%d %s %v"', ',', '/*', '*/', '\n', 'text'];

const data = { a: [1, 'x', null, { k: 2 }], b: { c: 'deep' }, n: 0, s: 'str' };

describe('engine robustness', () => {
  it('endless template recursion is an execution error, not a stack overflow', () => {
    const t = new Template('main').parse('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}');
    expect(() => t.execute(1)).toThrow(/exceeded maximum template depth/);
    expect(() => t.execute(1)).toThrow(TemplateExecError);
  });

  it('absurdly deep nesting is a parse error, not a stack overflow', () => {
    expect(() => new Template('deep').parse('{{' + '('.repeat(20000) + '1' + ')'.repeat(20000) + '}}')).toThrow(TemplateParseError);
  });

  it('only ever throws template errors', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 25 }), (parts) => {
        const text = parts.join('');
        let t: Template;
        try {
          t = new Template('fuzz').parse(text);
        } catch (e) {
          expect(e).toBeInstanceOf(TemplateParseError);
          return;
        }
        try {
          t.execute(data);
        } catch (e) {
          expect(e).toBeInstanceOf(TemplateExecError);
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
