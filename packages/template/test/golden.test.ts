// Compares the engine with Go's text/template on every case of
// test/golden/cases.json. expected.json was produced by Go itself
// (test/golden/main.go); Go is not needed to run this test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helperFuncs } from '../src/consul/helpers.js';
import { AgentWeights, HealthService, ServiceAddress, ServiceTags, Template, TemplateExecError, TemplateParseError } from '../src/index.js';

interface Case {
  name: string;
  template: string;
  data?: unknown;
  leftDelim?: string;
  rightDelim?: string;
  missingKey?: 'error' | 'zero';
  /** consul-template service entries, passed as .services (Go: []*dependency.HealthService). */
  services?: Array<Record<string, unknown>>;
}

/** A HealthService with exactly the fields of the JSON, in its order. */
function healthService(j: Record<string, unknown>): HealthService {
  const o = Object.create(HealthService.prototype) as Record<string, unknown>;
  for (const [k, v] of Object.entries(j)) {
    if (k === 'Tags') o[k] = ServiceTags.from_(v as string[]);
    else if (k === 'Weights') o[k] = new AgentWeights((v as AgentWeights).Passing, (v as AgentWeights).Warning);
    else if (k === 'ServiceTaggedAddresses') {
      o[k] = Object.fromEntries(Object.entries(v as Record<string, ServiceAddress>).map(([n, a]) => [n, new ServiceAddress(a.Address, a.Port)]));
    } else o[k] = v;
  }
  return o as unknown as HealthService;
}
// main.go gives every case consul-template's parseJSON and parseYAML.
const helpers = helperFuncs(() => {
  throw new Error('no scratch in the golden cases');
});
const funcs = { parseJSON: helpers.parseJSON!, parseYAML: helpers.parseYAML! };
const dir = new URL('./golden/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as { defaultData: unknown; cases: Case[] };
const cases = file.cases;
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, { output: string; error?: string }>;

function render(c: Case): string {
  const t = new Template(c.name, { leftDelim: c.leftDelim, rightDelim: c.rightDelim, missingKey: c.missingKey, funcs });
  const data = c.services ? { services: c.services.map(healthService) } : c.data === undefined ? file.defaultData : c.data;
  return t.parse(c.template).execute(data);
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
