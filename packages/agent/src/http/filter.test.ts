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
  it('runs collection expressions over lists and maps (go-bexpr any/all), list indexes and JSON pointers', () => {
    const health = [
      { Node: { Node: 'a' }, Service: { Tags: ['x'] }, Checks: [{ CheckID: 'serfHealth', Status: 'passing' }, { CheckID: 'web', Status: 'critical' }] },
      { Node: { Node: 'b' }, Service: { Tags: [] }, Checks: [{ CheckID: 'serfHealth', Status: 'passing' }, { CheckID: 'web', Status: 'passing' }] },
      { Node: { Node: 'c', Meta: { env: 'prod', rack: 'r1' } }, Service: { Tags: ['x', 'y'] }, Checks: [] },
    ];
    const nodes = (f: string) => applyFilter(health, compileFilter(f)).map((e) => e.Node.Node);
    expect(nodes('any Checks as c { c.Status == critical }')).toEqual(['a']);
    expect(nodes('all Checks as c { c.Status == passing }')).toEqual(['b', 'c']);
    expect(nodes('not any Checks as c { c.Status != passing }')).toEqual(['b', 'c']);
    expect(nodes('any Checks as c { c.CheckID == web and c.Status == passing }')).toEqual(['b']);
    expect(nodes('any Checks as i, c { i == 1 and c.Status == critical }')).toEqual(['a']);
    expect(nodes('any Checks as _, c { "/c/Status" == critical }')).toEqual(['a']);
    expect(nodes('all Service.Tags as t { t == x }')).toEqual(['a', 'b']);
    // A map's default name is its key; `k, v` names both; a missing map has no entries.
    expect(nodes('any Node.Meta as k { k == rack }')).toEqual(['c']);
    expect(nodes('any Node.Meta as k, v { k == env and v == prod }')).toEqual(['c']);
    expect(nodes('all Node.Meta as _, v { v != prod }')).toEqual(['a', 'b']);
    expect(nodes('(any Checks as c { c.Status == critical }) or Node.Node == c')).toEqual(['a', 'c']);
    expect(nodes('Checks.1.Status == critical')).toEqual(['a']);
    expect(nodes('"/Checks/1/Status" == passing')).toEqual(['b']);
    expect(nodes('Node.Meta is nil')).toEqual(['a', 'b']);
    expect(nodes('Node.Meta is not nil')).toEqual(['c']);
    // `any` and `all` stay usable as field names and values.
    expect(applyFilter([{ any: 1 }, { any: 2 }], compileFilter('any == 2'))).toEqual([{ any: 2 }]);
    expect(applyFilter([{ Tags: ['all'] }, { Tags: [] }], compileFilter('all in Tags'))).toEqual([{ Tags: ['all'] }]);
    expect(() => compileFilter('any Node.Meta as k, k { k == a }')).toThrow('"k" cannot be used as a placeholder for both the index and the value');
    expect(() => compileFilter('any Checks as c c.Status == passing')).toThrow(/expected \{/);
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
