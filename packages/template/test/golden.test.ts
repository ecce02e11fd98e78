// Compares the engine with Go's text/template on every case of
// test/golden/cases.json. expected.json was produced by Go itself
// (test/golden/main.go); Go is not needed to run this test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Template, TemplateExecError, TemplateParseError } from '../src/index.js';

interface Case {
  name: string;
  template: string;
  data?: unknown;
  leftDelim?: string;
  rightDelim?: string;
  missingKey?: 'error' | 'zero';
}
const dir = new URL('./golden/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as { defaultData: unknown; cases: Case[] };
const cases = file.cases;
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, { output: string; error?: string }>;

function render(c: Case): string {
  const t = new Template(c.name, { leftDelim: c.leftDelim, rightDelim: c.rightDelim, missingKey: c.missingKey });
  return t.parse(c.template).execute(c.data === undefined ? file.defaultData : c.data);
}

describe('golden: Go text/template', () => {
  it('has an expected result for every case', () => {
    expect(Object.keys(expected).sort()).toEqual(cases.map((c) => c.name).sort());
  });
  for (const c of cases) {
    it(c.name, () => {
      const want = expected[c.name]!;
      if (want.error === undefined) {
        expect(render(c)).toBe(want.output);
        return;
      }
      let err: unknown;
      try {
        render(c);
      } catch (e) {
        err = e;
      }
      if (err instanceof TemplateParseError) {
        // Go's parse errors name the line only; ours add the column.
        expect(`template: ${err.file}:${err.line}: ${err.detail}`).toBe(want.error);
      } else if (err instanceof TemplateExecError) {
        expect(err.message).toBe(want.error);
      } else {
        expect.fail(`expected an error like ${want.error}, got ${String(err)}`);
      }
    });
  }
});
