import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import type { KVCommand } from './commands.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const kv = (Verb: KVCommand['Verb'], Key: string, extra: Partial<KVCommand> = {}): KVCommand => ({ Type: 'KV', Verb, Key, ...extra });

function withSession(c: Catalog, idx: number, id: string, extra = {}): void {
  if (!c.getNode('n1')) c.apply(idx - 1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1' });
  const r = c.apply(idx, { Type: 'SessionCreate', Session: { ID: id, Node: 'n1', ...extra } });
  expect(r).toEqual({ ok: true, id });
}

describe('KV', () => {
  it('stores base64 values, flags, and null for an empty value', () => {
    const c = new Catalog();
    expect(c.apply(10, kv('set', 'a', { Value: b64('hi'), Flags: 42 }))).toEqual({ ok: true, value: true });
    expect(c.kvGet('a')).toEqual({
      index: 10,
      value: { LockIndex: 0, Key: 'a', Flags: 42, Value: 'aGk=', CreateIndex: 10, ModifyIndex: 10 },
      watch: ['kv:a'],
    });
    c.apply(11, kv('set', 'a', { Value: '' }));
    expect(c.kvGet('a').value).toEqual({ LockIndex: 0, Key: 'a', Flags: 0, Value: null, CreateIndex: 10, ModifyIndex: 11 });
    expect(JSON.stringify(c.kvGet('a').value)).toBe('{"LockIndex":0,"Key":"a","Flags":0,"Value":null,"CreateIndex":10,"ModifyIndex":11}');
  });

  it('answers a missing key with null and the table index (never 0)', () => {
    const c = new Catalog();
    expect(c.kvGet('x')).toMatchObject({ index: 1, value: null });
    c.apply(3, kv('set', 'a'));
    c.apply(4, kv('delete', 'a'));
    expect(c.kvGet('x').index).toBe(4);
  });

  it('cas: 0 means create-only, N must equal ModifyIndex', () => {
    const c = new Catalog();
    expect(c.apply(1, kv('cas', 'k', { Index: 0, Value: b64('1') })).value).toBe(true);
    expect(c.apply(2, kv('cas', 'k', { Index: 0, Value: b64('2') })).value).toBe(false);
    expect(c.apply(3, kv('cas', 'k', { Index: 7, Value: b64('2') })).value).toBe(false);
    expect(c.apply(4, kv('cas', 'k', { Index: 1, Value: b64('2') })).value).toBe(true);
    expect(c.kvGet('k').value).toMatchObject({ Value: b64('2'), CreateIndex: 1, ModifyIndex: 4 });
    expect(c.apply(5, kv('cas', 'missing', { Index: 3 })).value).toBe(false);
  });

  it('delete-cas: stale index false, missing key true (Consul quirk), cas=0 never deletes an existing key', () => {
    const c = new Catalog();
    c.apply(1, kv('set', 'k'));
    expect(c.apply(2, kv('delete-cas', 'k', { Index: 0 })).value).toBe(false);
    expect(c.apply(3, kv('delete-cas', 'k', { Index: 9 })).value).toBe(false);
    expect(c.kvGet('k').value).not.toBeNull();
    expect(c.apply(4, kv('delete-cas', 'k', { Index: 1 })).value).toBe(true);
    expect(c.kvGet('k').value).toBeNull();
    expect(c.apply(5, kv('delete-cas', 'k', { Index: 1 })).value).toBe(true);
  });

  it('recurse lists in key order; the prefix index counts tombstones so it never goes back', () => {
    const c = new Catalog();
    c.apply(1, kv('set', 'web/b'));
    c.apply(2, kv('set', 'web/a'));
    c.apply(3, kv('set', 'other'));
    expect(c.kvList('web/').value.map((e) => e.Key)).toEqual(['web/a', 'web/b']);
    expect(c.kvList('web/').index).toBe(2);
    c.apply(4, kv('delete', 'web/a'));
    expect(c.kvList('web/')).toMatchObject({ index: 4 });
    c.apply(5, kv('set', 'other'));
    expect(c.kvList('web/').index).toBe(4);
    c.apply(6, kv('delete-tree', 'web/'));
    expect(c.kvList('web/')).toMatchObject({ index: 6, value: [] });
    expect(c.kvList('').index).toBe(6);
    expect(c.kvList('nothing/').index).toBe(6); // no entries, no tombstones: table index
  });

  it('keys with a separator cut after the first separator past the prefix', () => {
    const c = new Catalog();
    for (const [i, k] of ['web/foo', 'web/bar', 'web/subdir/x', 'web/subdir/y', 'webz'].entries()) c.apply(i + 1, kv('set', k));
    expect(c.kvKeys('web/', '/').value).toEqual(['web/bar', 'web/foo', 'web/subdir/']);
    expect(c.kvKeys('web/').value).toEqual(['web/bar', 'web/foo', 'web/subdir/x', 'web/subdir/y']);
    expect(c.kvKeys('', '/').value).toEqual(['web/', 'webz']);
  });

  it('plain set keeps the lock holder and LockIndex', () => {
    const c = new Catalog();
    withSession(c, 2, 's1');
    c.apply(3, kv('lock', 'k', { Session: 's1', Value: b64('a') }));
    c.apply(4, kv('set', 'k', { Value: b64('b') }));
    expect(c.kvGet('k').value).toMatchObject({ Session: 's1', LockIndex: 1, Value: b64('b') });
  });

  it('lock and unlock follow acquire/release semantics', () => {
    const c = new Catalog();
    withSession(c, 2, 's1');
    withSession(c, 3, 's2');
    expect(c.apply(4, kv('lock', 'k', { Session: 's1', Value: b64('1') })).value).toBe(true);
    expect(c.kvGet('k').value).toMatchObject({ LockIndex: 1, Session: 's1', ModifyIndex: 4 });
    // Same holder again: value written, LockIndex unchanged.
    expect(c.apply(5, kv('lock', 'k', { Session: 's1', Value: b64('2') })).value).toBe(true);
    expect(c.kvGet('k').value).toMatchObject({ LockIndex: 1, Value: b64('2') });
    expect(c.apply(6, kv('lock', 'k', { Session: 's2' })).value).toBe(false);
    expect(c.apply(7, kv('unlock', 'k', { Session: 's2' })).value).toBe(false);
    expect(c.apply(8, kv('unlock', 'missing', { Session: 's1' })).value).toBe(false);
    expect(c.apply(9, kv('unlock', 'k', { Session: 's1', Value: b64('3') })).value).toBe(true);
    const e = c.kvGet('k').value!;
    expect(e).toMatchObject({ LockIndex: 1, ModifyIndex: 9, Value: b64('3') });
    expect('Session' in e).toBe(false);
    expect(c.apply(10, kv('lock', 'k', { Session: 's2' })).value).toBe(true);
    expect(c.kvGet('k').value).toMatchObject({ LockIndex: 2, Session: 's2' });
  });

  it('lock with an unknown session is an error, not false', () => {
    const c = new Catalog();
    expect(c.apply(1, kv('lock', 'k', { Session: 'nope' }))).toEqual({ ok: false, error: 'invalid session "nope"' });
    expect(c.kvGet('k').value).toBeNull();
  });

  it('TombstoneReap drops tombstones up to an index', () => {
    const c = new Catalog();
    c.apply(1, kv('set', 'p/a'));
    c.apply(2, kv('delete', 'p/a'));
    c.apply(3, kv('set', 'q'));
    expect(c.kvList('p/').index).toBe(2);
    c.apply(4, { Type: 'TombstoneReap', Index: 2 });
    expect(c.snapshot().Tombstones).toEqual([]);
    expect(c.kvList('p/').index).toBe(4); // falls back to the table index
  });
});

describe('sessions', () => {
  it('creates sessions with Consul defaults and shapes', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '1', Check: { CheckID: 'serfHealth', Name: 'Serf', Status: 'passing' } });
    c.apply(2, { Type: 'SessionCreate', Session: { ID: 'adf4238a-882b-9ddc-4a9d-5b6758e4159e', Node: 'n1', NodeChecks: ['serfHealth'], TTL: '30s' } });
    expect(JSON.stringify(c.sessionInfo('adf4238a-882b-9ddc-4a9d-5b6758e4159e').value)).toBe(
      JSON.stringify([
        {
          ID: 'adf4238a-882b-9ddc-4a9d-5b6758e4159e',
          Name: '',
          Node: 'n1',
          LockDelay: 15000000000,
          Behavior: 'release',
          TTL: '30s',
          NodeChecks: ['serfHealth'],
          ServiceChecks: null,
          CreateIndex: 2,
          ModifyIndex: 2,
        },
      ]),
    );
    expect(c.sessionInfo('unknown')).toEqual({ index: 2, value: [], watch: ['sessions'] });
    expect(c.sessionsForNode('N1').value).toHaveLength(1);
    expect(c.sessionList().value).toHaveLength(1);
  });

  it('refuses a missing node, missing or critical checks, bad behaviour or TTL', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1' } }).error).toBe('Missing node registration');
    c.apply(2, { Type: 'Register', Node: 'n1', Address: '1', Checks: [{ Name: 'bad' }, { Name: 'good', Status: 'passing' }] });
    expect(c.apply(3, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1', NodeChecks: ['nope'] } }).error).toBe("Missing check 'nope' registration");
    expect(c.apply(4, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1', NodeChecks: ['bad'] } }).error).toBe("Check 'bad' is in critical state");
    expect(c.apply(5, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1', Behavior: 'x' as never } }).error).toMatch(/Invalid Behavior/);
    expect(c.apply(6, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1', TTL: '10 parsecs' } }).error).toMatch(/TTL/);
    expect(c.apply(7, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1', NodeChecks: ['good'] } }).ok).toBe(true);
    expect(c.apply(8, { Type: 'SessionCreate', Session: { ID: 's', Node: 'n1' } }).ok).toBe(false);
    expect(c.sessionList().value).toHaveLength(1);
  });

  it('destroy with behavior release clears Session, bumps ModifyIndex, keeps LockIndex, starts lock-delay', () => {
    const c = new Catalog();
    withSession(c, 2, 's1', { LockDelay: 5_000_000_000 });
    withSession(c, 3, 's2');
    c.apply(4, kv('lock', 'k', { Session: 's1', Value: b64('v'), Now: 1_000 }));
    c.apply(5, { Type: 'SessionDestroy', ID: 's1', Now: 2_000 });
    expect(c.sessionInfo('s1').value).toEqual([]);
    const e = c.kvGet('k').value!;
    expect(e).toMatchObject({ LockIndex: 1, ModifyIndex: 5, Value: b64('v') });
    expect('Session' in e).toBe(false);
    expect(c.kvLockDelayUntil('k')).toBe(7_000);
    expect(c.apply(6, kv('lock', 'k', { Session: 's2', Now: 6_999 })).value).toBe(false);
    expect(c.apply(7, kv('lock', 'k', { Session: 's2', Now: 7_000 })).value).toBe(true);
    expect(c.kvLockDelayUntil('k')).toBe(0);
  });

  it('destroy with behavior delete deletes held keys; lock-delay 0 disables the delay', () => {
    const c = new Catalog();
    withSession(c, 2, 's1', { Behavior: 'delete', LockDelay: 0 });
    withSession(c, 3, 's2');
    c.apply(4, kv('lock', 'a', { Session: 's1' }));
    c.apply(5, kv('lock', 'b', { Session: 's1' }));
    c.apply(6, kv('set', 'c'));
    c.apply(7, { Type: 'SessionDestroy', ID: 's1', Now: 10 });
    expect(c.kvKeys('').value).toEqual(['c']);
    expect(c.kvList('a').index).toBe(7);
    expect(c.apply(8, kv('lock', 'a', { Session: 's2', Now: 10 })).value).toBe(true);
  });

  it('is invalidated when a linked check turns critical or is deregistered, or the node goes', () => {
    const c = new Catalog();
    c.apply(1, {
      Type: 'Register',
      Node: 'n1',
      Address: '1',
      Service: { Service: 'web' },
      Checks: [
        { CheckID: 'serfHealth', Name: 'serf', Status: 'passing' },
        { CheckID: 'svc', Name: 'svc', Status: 'passing', ServiceID: 'web' },
      ],
    });
    c.apply(2, { Type: 'SessionCreate', Session: { ID: 'a', Node: 'n1', NodeChecks: ['serfHealth'] } });
    c.apply(3, { Type: 'SessionCreate', Session: { ID: 'b', Node: 'n1', NodeChecks: [], ServiceChecks: [{ ID: 'svc', Namespace: '' }] } });
    c.apply(4, { Type: 'SessionCreate', Session: { ID: 'c', Node: 'n1', NodeChecks: [] } });
    c.apply(5, kv('lock', 'held', { Session: 'a' }));
    c.apply(6, { Type: 'CheckStatus', Node: 'n1', CheckID: 'serfHealth', Status: 'warning' });
    expect(c.sessionList().value.map((s) => s.ID)).toEqual(['a', 'b', 'c']);
    c.apply(7, { Type: 'CheckStatus', Node: 'n1', CheckID: 'serfHealth', Status: 'critical' });
    expect(c.sessionList().value.map((s) => s.ID)).toEqual(['b', 'c']);
    expect(c.kvGet('held').value).toMatchObject({ ModifyIndex: 7 });
    c.apply(8, { Type: 'Deregister', Node: 'n1', ServiceID: 'web' });
    expect(c.sessionList().value.map((s) => s.ID)).toEqual(['c']);
    c.apply(9, { Type: 'Deregister', Node: 'n1' });
    expect(c.sessionList()).toMatchObject({ value: [], index: 9 });
  });

  it('is invalidated when a linked check is re-registered as critical', () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'n1', Address: '1', Check: { CheckID: 'serfHealth', Name: 's', Status: 'passing' } });
    c.apply(2, { Type: 'SessionCreate', Session: { ID: 'a', Node: 'n1', NodeChecks: ['serfHealth'] } });
    c.apply(3, { Type: 'Register', Node: 'n1', Address: '1', Check: { CheckID: 'serfHealth', Name: 's', Status: 'critical' } });
    expect(c.sessionList().value).toEqual([]);
  });

  it('SessionDestroy of an unknown session is a no-op', () => {
    const c = new Catalog();
    expect(c.apply(1, { Type: 'SessionDestroy', ID: 'nope' })).toEqual({ ok: true, value: true });
    expect(c.tableIndex('sessions')).toBe(0);
  });
});

describe('uint64 Flags', () => {
  const LOCK_FLAG = 3304740253564472344n; // the Go client's api.LockFlagValue

  it('keeps a flag above 2^53 exactly, as a bigint, through writes, txn, snapshot and v8 serialisation', async () => {
    const c = new Catalog();
    c.apply(2, { Type: 'Register', Node: 'n1', Address: '1' });
    c.apply(3, { Type: 'SessionCreate', Session: { ID: 's1', Node: 'n1' } });
    expect(c.apply(4, kv('lock', 'lock/.lock', { Session: 's1', Flags: LOCK_FLAG }))).toEqual({ ok: true, value: true });
    expect(c.kvGet('lock/.lock').value?.Flags).toBe(LOCK_FLAG);
    const r = c.apply(5, { Type: 'Txn', Ops: [{ KV: { Verb: 'set', Key: 't', Flags: 18446744073709551615n } }, { KV: { Verb: 'get', Key: 'lock/.lock' } }] });
    expect(r.txn?.Results?.map((x) => x.KV?.Flags)).toEqual([18446744073709551615n, LOCK_FLAG]);
    const { serialize, deserialize } = await import('node:v8');
    const copy = Catalog.fromSnapshot(deserialize(serialize(c.snapshot())));
    expect(copy.kvList('').value).toEqual(c.kvList('').value);
    expect(copy.kvGet('t').value?.Flags).toBe(18446744073709551615n);
  });

  it('stores a small bigint as a number and refuses values outside uint64', () => {
    const c = new Catalog();
    c.apply(1, kv('set', 'a', { Flags: 42n }));
    expect(c.kvGet('a').value?.Flags).toBe(42);
    expect(c.apply(2, kv('set', 'b', { Flags: -1 })).ok).toBe(false);
    expect(c.apply(3, kv('set', 'b', { Flags: 1n << 64n })).ok).toBe(false);
    expect(c.apply(4, kv('set', 'b', { Flags: 1.5 })).ok).toBe(false);
    expect(c.kvGet('b').value).toBeNull();
  });
});
