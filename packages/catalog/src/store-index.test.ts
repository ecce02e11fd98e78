import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { Command } from './commands.js';

// The node-ID and node -> sessions indexes answer exactly what a scan of the tables would,
// through registrations (renames of an ID, ID changes), deregistrations, sessions created and
// destroyed, checks going critical (which invalidates sessions) and restores.
const name = fc.constantFrom('a', 'b', 'c', 'A');
const id = fc.constantFrom('', '11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222', '33333333-3333-3333-3333-333333333333');
const op: fc.Arbitrary<Command | 'restore'> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ Type: fc.constant('Register' as const), Node: name, ID: id, Address: fc.constant('10.0.0.1'), Check: fc.record({ CheckID: fc.constant('chk'), Name: fc.constant('chk'), Status: fc.constantFrom('passing', 'critical') }) }) },
  { weight: 1, arbitrary: fc.record({ Type: fc.constant('Deregister' as const), Node: name }) },
  { weight: 4, arbitrary: fc.record({ Type: fc.constant('SessionCreate' as const), Session: fc.record({ ID: fc.uuid(), Node: name, NodeChecks: fc.constantFrom<string[]>(['chk'], []) }) }) },
  { weight: 1, arbitrary: fc.constant('restore' as const) },
);

describe('catalog indexes', () => {
  it('finding a node by ID and listing a node\'s sessions match a scan after every write', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 150, size: 'max' }), fc.array(fc.nat(), { maxLength: 150 }), (ops, destroys) => {
        const c = new Catalog();
        let idx = 0;
        for (const [i, o] of ops.entries()) {
          idx++;
          if (o === 'restore') c.restore(c.snapshot());
          else c.apply(idx, o);
          const sessions = c.sessionList().value;
          if (destroys[i] !== undefined && sessions.length > 0) c.apply(++idx, { Type: 'SessionDestroy', ID: sessions[destroys[i]! % sessions.length]!.ID });
          const nodes = c.nodes().value;
          for (const n of ['a', 'b', 'c']) {
            const want = c.sessionList().value.filter((s) => s.Node.toLowerCase() === n).map((s) => s.ID).sort();
            expect(c.sessionsForNode(n).value.map((s) => s.ID)).toEqual(want);
          }
          for (const nodeId of ['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222', '33333333-3333-3333-3333-333333333333']) {
            const holder = nodes.find((n) => n.ID === nodeId);
            expect(c.nodeChecks(nodeId).value).toEqual(holder ? c.nodeChecks(holder.Node).value : []);
          }
        }
      }),
      { numRuns: 300 },
    );
    // About 3 s alone; a machine busy with the other packages' tests has made it 10 times slower.
  }, 120_000);
});
