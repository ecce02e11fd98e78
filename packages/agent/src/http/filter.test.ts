import { describe, expect, it } from 'vitest';
import { applyFilter, compileFilter } from './filter.js';

const entries = [
  { Node: { Node: 'a', Meta: { rack: 'r1' } }, Service: { Service: 'web', Tags: ['primary', 'v1'], Port: 80, Meta: { 'a.b': 'x' } } },
  { Node: { Node: 'b', Meta: { rack: 'r2' } }, Service: { Service: 'web', Tags: ['v2'], Port: 8080, Meta: {} } },
];
const names = (f: string) => applyFilter(entries, compileFilter(f)).map((e) => e.Node.Node);

describe('compileFilter', () => {
  it('evaluates bexpr operators', () => {
    expect(names('Service.Tags contains "primary"')).toEqual(['a']);
    expect(names('"v2" in Service.Tags')).toEqual(['b']);
    expect(names('"v2" not in Service.Tags')).toEqual(['a']);
    expect(names('Node.Meta.rack == r2 or Service.Port == 80')).toEqual(['a', 'b']);
    expect(names('Node.Meta.rack != "r2" and Service.Port == 80')).toEqual(['a']);
    expect(names('not (Service.Port == 80)')).toEqual(['b']);
    expect(names('Node.Node matches "^[ab]$" and Service.Meta is not empty')).toEqual(['a']);
    expect(names('Service.Meta is empty')).toEqual(['b']);
    expect(names('Service.Meta["a.b"] == "x"')).toEqual(['a']);
    expect(names('Node.Node not matches "a"')).toEqual(['b']);
  });
  it('filters the values of a map', () => {
    expect(Object.keys(applyFilter({ w1: { Port: 1 }, w2: { Port: 2 } }, compileFilter('Port == 2')))).toEqual(['w2']);
  });
  it('refuses bad expressions with Consul text', () => {
    expect(() => compileFilter('Service.Tags ==')).toThrow(/^Failed to create boolean expression evaluator: /);
    expect(() => compileFilter('(Port == 1')).toThrow(/Failed to create boolean expression evaluator/);
    expect(() => compileFilter('Port ~ 1')).toThrow(/Failed to create boolean expression evaluator/);
  });
});
