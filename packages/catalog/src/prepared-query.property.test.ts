// Random histories of prepared-query writes and session destroys: the same log gives the same
// state, restore(snapshot()) is identical (through JSON too), and the table's invariants hold:
// names unique without regard to case, one catch-all template at most, no query bound to a
// session that is gone, and the table index never goes backwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { Command } from './commands.js';
import { emptyPreparedQuery, type PreparedQuery } from './prepared-query-types.js';

const IDS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333', '44444444-4444-4444-8444-444444444444'];
const NAMES = ['', 'a', 'A', 'geo', 'geo-db', IDS[0]!];
const SESSIONS = ['s1', 's2', 'missing'];

const queryArb: fc.Arbitrary<PreparedQuery> = fc
  .record({
    ID: fc.constantFrom(...IDS),
    Name: fc.constantFrom(...NAMES),
    Session: fc.constantFrom('', ...SESSIONS),
    template: fc.boolean(),
    Regexp: fc.constantFrom('', '^geo-(.*)$', '('),
    Service: fc.constantFrom('web', '', '${match(1)}', '${name.suffix}', '${nope}'),
    Tags: fc.option(fc.array(fc.constantFrom('v1', '', '${match(1)}'), { maxLength: 3 }), { nil: null }),
  })
  .map((r) => {
    const q = emptyPreparedQuery();
    return {
      ...q,
      ID: r.ID,
      Name: r.Name,
      Session: r.Session,
      Template: r.template ? { Type: 'name_prefix_match', Regexp: r.Regexp, RemoveEmptyTags: true } : q.Template,
      Service: { ...q.Service, Service: r.Service, Tags: r.Tags },
    };
  });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ Type: fc.constant('PreparedQuery' as const), Op: fc.constantFrom('create' as const, 'update' as const, 'delete' as const), Query: queryArb }),
  fc.record({ Type: fc.constant('SessionDestroy' as const), ID: fc.constantFrom(...SESSIONS) }),
  fc.record({ Type: fc.constant('SessionCreate' as const), Session: fc.record({ ID: fc.constantFrom('s1', 's2'), Node: fc.constant('n1'), NodeChecks: fc.constant<string[]>([]) }) }),
);

function replay(cmds: Command[]): Catalog {
  const c = new Catalog();
  c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1' });
  cmds.forEach((cmd, i) => c.apply(i + 2, structuredClone(cmd)));
  return c;
}

describe('prepared queries: random histories', () => {
  it('replay deterministically, survive snapshots, and keep the table invariants', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), (cmds) => {
        const a = replay(cmds);
        expect(replay(cmds).snapshot()).toEqual(a.snapshot());
        const restored = Catalog.fromSnapshot(JSON.parse(JSON.stringify(a.snapshot())));
        expect(restored.snapshot()).toEqual(a.snapshot());
        expect(restored.preparedQueryList()).toEqual(a.preparedQueryList());
        const list = a.preparedQueryList().value;
        const names = list.filter((q) => q.Name !== '').map((q) => q.Name.toLowerCase());
        expect(new Set(names).size).toBe(names.length);
        expect(list.filter((q) => q.Name === '' && q.Template.Type !== '').length).toBeLessThanOrEqual(1);
        for (const q of list) if (q.Session !== '') expect(a.getSession(q.Session)).toBeDefined();
        for (const q of list) expect(q.ModifyIndex).toBeLessThanOrEqual(a.preparedQueryList().index);
        // Every stored query resolves by its ID (a template is refused by ID, never thrown otherwise).
        for (const q of list) {
          if (q.Template.Type === '') expect(a.preparedQueries.resolve(q.ID)?.ID).toBe(q.ID);
          else expect(() => a.preparedQueries.resolve(q.ID)).toThrow('templates can only be resolved');
        }
      }),
      { numRuns: 300 },
    );
  });
});
