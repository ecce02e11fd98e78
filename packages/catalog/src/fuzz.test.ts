// Garbage in the log (wrong JSON types in any field) never throws out of apply and never
// leaves the state unserialisable or half-changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { Command } from './commands.js';

const TYPES = ['Register', 'Deregister', 'CheckStatus', 'KV', 'SessionCreate', 'SessionDestroy', 'Txn', 'TombstoneReap', 'Batch', 'Noop', 'Bogus'];
const FIELDS = [
  'Node', 'Address', 'ID', 'TaggedAddresses', 'NodeMeta', 'Service', 'Check', 'Checks', 'SkipNodeUpdate', 'ServiceID', 'CheckID',
  'Status', 'Output', 'Verb', 'Key', 'Value', 'Flags', 'Index', 'Session', 'Ops', 'Commands', 'Now',
];

const jsonish = fc.jsonValue({ maxDepth: 3 });
const fieldValue = fc.oneof(
  jsonish,
  fc.constantFrom('n1', 'web', 'a/b', 'set', 'lock', 'delete-tree', 'passing', 'critical', 's1'),
  fc.record({ Service: fc.oneof(fc.constant('web'), jsonish), Tags: jsonish, Port: jsonish, Weights: jsonish, TaggedAddresses: jsonish }, { requiredKeys: [] }),
  fc.array(fc.record({ Name: jsonish, CheckID: jsonish, Status: jsonish, ServiceID: jsonish, Definition: jsonish }, { requiredKeys: [] }), { maxLength: 2 }),
  fc.array(fc.record({ KV: fc.record({ Verb: fc.constantFrom('set', 'get', 'lock', 'cas'), Key: jsonish, Value: jsonish, Index: jsonish }, { requiredKeys: [] }) }, { requiredKeys: [] }), { maxLength: 2 }),
);
const garbage = fc.record({
  Type: fc.constantFrom(...TYPES),
  fields: fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 6 }),
  session: fc.record({ ID: jsonish, Node: fc.oneof(fc.constant('n1'), jsonish), LockDelay: jsonish, NodeChecks: jsonish, ServiceChecks: jsonish, TTL: jsonish }, { requiredKeys: [] }),
});

describe('fuzzed commands', () => {
  it('apply never throws; the state stays serialisable and restorable', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(garbage, fc.anything()), { maxLength: 25 }), (items) => {
        const c = new Catalog();
        c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { Service: 'web' }, Check: { Name: 'c', Status: 'passing' } });
        c.apply(2, { Type: 'SessionCreate', Session: { ID: 's1', Node: 'n1' } });
        items.forEach((item, i) => {
          let cmd: unknown = item;
          if (item && typeof item === 'object' && 'fields' in item && 'session' in item) {
            const g = item as { Type: string; fields: Record<string, unknown>; session: unknown };
            cmd = { Type: g.Type, ...g.fields, ...(g.Type === 'SessionCreate' ? { Session: g.session } : {}) };
          }
          const before = JSON.stringify(c.snapshot());
          const r = c.apply(i + 3, cmd as Command);
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok && !r.txn) {
            // A refused command changes nothing but the applied index.
            expect(JSON.stringify({ ...c.snapshot(), Index: i + 2, Now: JSON.parse(before).Now })).toBe(before);
          }
        });
        const snap = c.snapshot();
        expect(Catalog.fromSnapshot(JSON.parse(JSON.stringify(snap))).snapshot()).toEqual(JSON.parse(JSON.stringify(snap)));
        // Reads still work.
        c.checkServiceNodes('web');
        c.kvList('');
        c.sessionList();
      }),
      { numRuns: 300 },
    );
  });
});
