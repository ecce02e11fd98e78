import { describe, expect, it } from 'vitest';
import { GoTime } from '../consul/gotime.js';
import { HealthService } from '../consul/data.js';
import { Template } from '../engine/template.js';
import { sdump, spewFuncs } from './spew.js';

// Expected strings follow go-spew's own spew/dump_test.go (the []interface{}
// and map[string]interface{} cases) and its default ConfigState.
describe('go-spew Sdump', () => {
  it('dumps an interface slice like dump_test.go', () => {
    expect(sdump([['one', 2, 3.5, null]])).toBe('([]interface {}) (len=4 cap=4) {\n (string) (len=3) "one",\n (int) 2,\n (float64) 3.5,\n (interface {}) <nil>\n}\n');
  });

  it('dumps a map with a nil value like dump_test.go, keys sorted', () => {
    expect(sdump([{ nil: null }])).toBe('(map[string]interface {}) (len=1) {\n (string) (len=3) "nil": (interface {}) <nil>\n}\n');
    expect(sdump([{ b: [true], a: {} }])).toBe('(map[string]interface {}) (len=2) {\n (string) (len=1) "a": (map[string]interface {}) {\n },\n (string) (len=1) "b": ([]interface {}) (len=1 cap=1) {\n  (bool) true\n }\n}\n');
  });

  it('one line per argument; empty strings and nil', () => {
    expect(sdump(['', null, 1e21, -0.5])).toBe('(string) ""\n(interface {}) <nil>\n(float64) 1e+21\n(float64) -0.5\n');
  });

  it('prints a Stringer value by String(), refuses pointers', () => {
    expect(sdump([new GoTime(new Date(Date.UTC(2020, 0, 2, 3, 4, 5)))])).toBe('(time.Time) 2020-01-02 03:04:05 +0000 UTC\n');
    expect(() => sdump([Object.create(HealthService.prototype)])).toThrow(/cannot dump a \*dependency\.HealthService/);
  });

  it('spew_sdump and spew_sprintf in a template; spew_dump writes out', () => {
    const written: string[] = [];
    const t = new Template('t', { funcs: spewFuncs((s) => written.push(s)) });
    expect(t.parse('{{ spew_sdump "a" 1 }}|{{ spew_sprintf "%v-%q" 1 "x" }}|{{ spew_dump 2 }}|{{ spew_printf "%s!" "hi" }}').execute(null)).toBe('(string) (len=1) "a"\n(int) 1\n|1-"x"||');
    expect(written).toEqual(['(int) 2\n', 'hi!']);
  });
});
