import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('txn', () => {
  it('applies KV ops atomically with Consul result shapes', () => {
    const c = new Catalog();
    c.apply(11, { Type: 'KV', Verb: 'set', Key: 'x', Value: b64('old') });
    const r = c.apply(12, {
      Type: 'Txn',
      Ops: [
        { KV: { Verb: 'set', Key: 'a', Value: b64('1') } },
        { KV: { Verb: 'get', Key: 'a' } },
        { KV: { Verb: 'cas', Key: 'x', Index: 11, Value: b64('new'), Flags: 3 } },
        { KV: { Verb: 'delete', Key: 'zzz' } },
        { KV: { Verb: 'get-tree', Key: '' } },
        { KV: { Verb: 'check-not-exists', Key: 'nope' } },
      ],
    });
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r.txn)).toBe(
      JSON.stringify({
        Results: [
          { KV: { LockIndex: 0, Key: 'a', Flags: 0, Value: null, CreateIndex: 12, ModifyIndex: 12 } },
          { KV: { LockIndex: 0, Key: 'a', Flags: 0, Value: b64('1'), CreateIndex: 12, ModifyIndex: 12 } },
          { KV: { LockIndex: 0, Key: 'x', Flags: 3, Value: null, CreateIndex: 11, ModifyIndex: 12 } },
          { KV: { LockIndex: 0, Key: 'a', Flags: 0, Value: b64('1'), CreateIndex: 12, ModifyIndex: 12 } },
          { KV: { LockIndex: 0, Key: 'x', Flags: 3, Value: b64('new'), CreateIndex: 11, ModifyIndex: 12 } },
        ],
        Errors: null,
      }),
    );
  });

  it('rolls back everything and lists every failing op', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'KV', Verb: 'set', Key: 'b', Value: b64('keep') });
    const before = c.snapshot();
    const r = c.apply(2, {
      Type: 'Txn',
      Ops: [
        { KV: { Verb: 'set', Key: 'a', Value: b64('1') } },
        { KV: { Verb: 'cas', Key: 'b', Index: 99, Value: b64('x') } },
        { KV: { Verb: 'delete', Key: 'b' } },
        { KV: { Verb: 'get', Key: 'missing' } },
        { KV: { Verb: 'delete-cas', Key: 'a', Index: 5 } },
      ],
    });
    expect(r).toEqual({
      ok: false,
      error: 'failed to set key "b", index is stale',
      txn: {
        Results: null,
        Errors: [
          { OpIndex: 1, What: 'failed to set key "b", index is stale' },
          { OpIndex: 3, What: 'key "missing" doesn\'t exist' },
          { OpIndex: 4, What: 'failed to delete key "a", index is stale' },
        ],
      },
    });
    expect({ ...c.snapshot(), Index: 1 }).toEqual(before);
    expect(c.kvGet('b').value?.Value).toBe(b64('keep'));
  });

  it('lock/unlock/check-session inside a txn', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '1' });
    c.apply(2, { Type: 'SessionCreate', Session: { ID: 's1', Node: 'n1' } });
    const ok = c.apply(3, {
      Type: 'Txn',
      Ops: [
        { KV: { Verb: 'lock', Key: 'l', Session: 's1' } },
        { KV: { Verb: 'check-session', Key: 'l', Session: 's1' } },
        { KV: { Verb: 'check-index', Key: 'l', Index: 3 } },
      ],
    });
    expect(ok.ok).toBe(true);
    expect(ok.txn?.Results?.[1]?.KV).toMatchObject({ Key: 'l', Session: 's1', LockIndex: 1 });
    const bad = c.apply(4, {
      Type: 'Txn',
      Ops: [
        { KV: { Verb: 'unlock', Key: 'l', Session: 'other' } },
        { KV: { Verb: 'check-session', Key: 'l', Session: 'other' } },
        { KV: { Verb: 'lock', Key: 'm', Session: 'ghost' } },
      ],
    });
    expect(bad.txn?.Errors?.map((e) => e.OpIndex)).toEqual([0, 1, 2]);
    expect(bad.txn?.Errors?.[0]?.What).toBe('failed to unlock key "l", lock isn\'t held, or is held by another session');
    expect(c.kvGet('m').value).toBeNull();
  });

  it('readTxn serves read-only transactions and refuses writes', () => {
    const c = new Catalog();
    c.apply(5, { Type: 'KV', Verb: 'set', Key: 'a', Value: b64('v') });
    expect(Catalog.isReadOnlyTxn([{ KV: { Verb: 'get', Key: 'a' } }])).toBe(true);
    expect(Catalog.isReadOnlyTxn([{ KV: { Verb: 'get', Key: 'a' } }, { KV: { Verb: 'set', Key: 'a' } }])).toBe(false);
    const r = c.readTxn([{ KV: { Verb: 'get', Key: 'a' } }, { KV: { Verb: 'get-or-empty', Key: 'b' } }]);
    expect(r.index).toBe(5);
    expect(r.response.Errors).toBeNull();
    expect(r.response.Results?.[1]?.KV).toEqual({ LockIndex: 0, Key: 'b', Flags: 0, Value: null, CreateIndex: 0, ModifyIndex: 0 });
    expect(c.readTxn([{ KV: { Verb: 'set', Key: 'a' } }]).response.Results).toBeNull();
  });

  it('reports malformed and empty ops as errors of their index', () => {
    const c = new Catalog();
    const r = c.apply(1, { Type: 'Txn', Ops: [{ KV: { Verb: 'set', Key: 'a' } }, { Node: {} } as never, {} as never, { Check: { Verb: 'get', Check: 7 } } as never] });
    expect(r.txn?.Errors).toEqual([
      { OpIndex: 1, What: 'Invalid Node.Node: expected an object' },
      { OpIndex: 2, What: 'no operation specified' },
      { OpIndex: 3, What: 'Invalid Check.Check: expected an object' },
    ]);
    expect(c.kvGet('a').value).toBeNull();
  });
});
