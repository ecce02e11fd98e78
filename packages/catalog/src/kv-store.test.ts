import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KVStore, type KVRecord } from './kv-store.js';

type Op =
  | { t: 'put'; key: string; session: string }
  | { t: 'delete'; key: string }
  | { t: 'begin' }
  | { t: 'commit' }
  | { t: 'rollback' }
  | { t: 'load' };

const key = fc.integer({ min: 0, max: 20 }).map((n) => `k/${n}`);
const session = fc.constantFrom('', '', 's1', 's2', 's3');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('put' as const), key, session }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.constantFrom<Op>({ t: 'begin' }, { t: 'commit' }, { t: 'rollback' }, { t: 'load' }) },
);

describe('KVStore session index', () => {
  it('heldBy(session) is always the entries whose Session it is, through writes, deletes, rollbacks and loads', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 300, size: 'max' }), (ops) => {
        const kv = new KVStore();
        let idx = 0;
        let inTxn = false;
        for (const o of ops) {
          idx++;
          if (o.t === 'put') {
            const rec: KVRecord = { Key: o.key, Flags: 0, Value: null, LockIndex: 0, Session: o.session, CreateIndex: idx, ModifyIndex: idx };
            kv.put(rec, idx);
          } else if (o.t === 'delete') kv.delete(o.key, idx);
          else if (o.t === 'begin' && !inTxn) {
            kv.begin();
            inTxn = true;
          } else if ((o.t === 'commit' || o.t === 'rollback') && inTxn) {
            if (o.t === 'commit') kv.commit();
            else kv.rollback();
            inTxn = false;
          } else if (o.t === 'load' && !inTxn) kv.load([...kv.all()], kv.tombstoneList(), kv.kvsIndex, kv.tombstonesIndex);
          for (const s of ['s1', 's2', 's3']) expect(kv.heldBy(s)).toEqual([...kv.all()].filter((e) => e.Session === s));
        }
      }),
      { numRuns: 200 },
    );
  });
});
