import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';

/** Resolves to 'woken' or 'pending' after pending microtasks/macrotasks settle. */
async function state(p: Promise<unknown>): Promise<'woken' | 'pending'> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then(() => 'woken' as const), new Promise((res) => setImmediate(() => res(marker)))]);
  return r === marker ? 'pending' : 'woken';
}

describe('watches and blocking queries', () => {
  it('a blocking query returns at once with minIndex 0 or an older index', async () => {
    const c = new Catalog();
    c.apply(3, { Type: 'KV', Verb: 'set', Key: 'a' });
    expect((await c.blockingQuery(() => c.kvGet('a'), 0)).index).toBe(3);
    expect((await c.blockingQuery(() => c.kvGet('a'), 2)).index).toBe(3);
  });

  it('wakes a KV watcher on a change under its prefix, not elsewhere', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'KV', Verb: 'set', Key: 'web/a' });
    const q = c.blockingQuery(() => c.kvList('web/'), 1);
    c.apply(2, { Type: 'KV', Verb: 'set', Key: 'db/a' });
    expect(await state(q)).toBe('pending');
    c.apply(3, { Type: 'KV', Verb: 'set', Key: 'web/b' });
    const r = await q;
    expect(r.index).toBe(3);
    expect(r.value.map((e) => e.Key)).toEqual(['web/a', 'web/b']);
  });

  it('wakes a KV watcher on delete and delete-tree', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'KV', Verb: 'set', Key: 'p/a' });
    const q1 = c.blockingQuery(() => c.kvGet('p/a'), 1);
    c.apply(2, { Type: 'KV', Verb: 'delete', Key: 'p/a' });
    expect(await q1).toMatchObject({ index: 2, value: null });
    c.apply(3, { Type: 'KV', Verb: 'set', Key: 'p/b' });
    const q2 = c.blockingQuery(() => c.kvList('p/'), 3);
    c.apply(4, { Type: 'KV', Verb: 'delete-tree', Key: 'p' });
    expect(await q2).toMatchObject({ index: 4, value: [] });
  });

  it('a health/service watcher wakes on its service changes and its node checks, not other services', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'a', Address: '1', Service: { Service: 'web' }, Check: { Name: 'serfHealth', Status: 'passing' } });
    c.apply(2, { Type: 'Register', Node: 'b', Address: '2', Service: { Service: 'db' } });
    const q = c.blockingQuery(() => c.checkServiceNodes('web', { passing: true }), 1);
    c.apply(3, { Type: 'Register', Node: 'b', Address: '2', Service: { Service: 'db', Port: 5 } });
    expect(await state(q)).toBe('pending');
    c.apply(4, { Type: 'CheckStatus', Node: 'a', CheckID: 'serfHealth', Status: 'critical' });
    const r = await q;
    expect(r).toMatchObject({ index: 4, value: [] });
  });

  it('a watcher of a service that does not exist yet wakes when it is registered', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'a', Address: '1' });
    const first = c.serviceNodes('later');
    const q = c.blockingQuery(() => c.serviceNodes('later'), first.index);
    c.apply(2, { Type: 'Register', Node: 'a', Address: '1', Service: { Service: 'later' } });
    expect((await q).value).toHaveLength(1);
  });

  it('returns the current data when the signal aborts (wait expiry) and leaves no waiter behind', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'KV', Verb: 'set', Key: 'a' });
    const ac = new AbortController();
    const q = c.blockingQuery(() => c.kvGet('a'), 1, ac.signal);
    expect(await state(q)).toBe('pending');
    expect(c.watchers).toBe(1);
    ac.abort();
    expect((await q).index).toBe(1);
    expect(c.watchers).toBe(0);
  });

  it('wakes thousands of waiters on one write and cleans them up', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'Register', Node: 'a', Address: '1', Service: { Service: 'web' } });
    const qs = Array.from({ length: 5000 }, () => c.blockingQuery(() => c.checkServiceNodes('web'), 1));
    expect(c.watchers).toBe(5000);
    c.apply(2, { Type: 'Register', Node: 'b', Address: '2', Service: { Service: 'web' } });
    const rs = await Promise.all(qs);
    expect(rs.every((r) => r.index === 2 && r.value.length === 2)).toBe(true);
    expect(c.watchers).toBe(0);
  });

  it('a restore wakes every watcher', async () => {
    const c = new Catalog();
    c.apply(1, { Type: 'KV', Verb: 'set', Key: 'a' });
    const other = new Catalog();
    other.apply(9, { Type: 'KV', Verb: 'set', Key: 'a' });
    const w = c.watch(['nodes']);
    const q = c.blockingQuery(() => c.kvGet('a'), 1);
    c.restore(other.snapshot());
    await w;
    expect((await q).index).toBe(9);
  });

  it('a txn that rolls back wakes nobody', async () => {
    const c = new Catalog();
    const w = c.watch(['kv:a', 'kvs']);
    c.apply(1, { Type: 'Txn', Ops: [{ KV: { Verb: 'set', Key: 'a' } }, { KV: { Verb: 'get', Key: 'missing' } }] });
    expect(await state(w)).toBe('pending');
    c.apply(2, { Type: 'KV', Verb: 'set', Key: 'a' });
    expect(await state(w)).toBe('woken');
  });
});

describe('watch edge cases', () => {
  it('a rolled-back txn in a Batch does not swallow the wake-up of an earlier write', async () => {
    const c = new Catalog();
    const w = c.watch(['kv:a']);
    c.apply(1, {
      Type: 'Batch',
      Commands: [
        { Type: 'KV', Verb: 'set', Key: 'a' },
        { Type: 'Txn', Ops: [{ KV: { Verb: 'set', Key: 'a' } }, { KV: { Verb: 'get', Key: 'missing' } }] },
      ],
    });
    await w;
    expect(c.kvGet('a').index).toBe(1);
  });

  it('a node change (address) moves the index of the services on it', () => {
    const c = new Catalog();
    c.apply(2, { Type: 'Register', Node: 'a', Address: '1', Service: { Service: 'web' } });
    c.apply(3, { Type: 'Register', Node: 'a', Address: '2', Service: { Service: 'web' } });
    expect(c.checkServiceNodes('web')).toMatchObject({ index: 3 });
    expect(c.serviceNodes('web').value[0]?.Address).toBe('2');
  });
});

describe('many KV prefixes', () => {
  it('wakes exactly the watchers whose prefix covers the written key, with more prefixes than key characters', async () => {
    const c = new Catalog();
    const woken: string[] = [];
    const prefixes = ['', 'a', 'a/', 'a/b', 'a/b/c', 'a/bc', 'b', 'ab', ...Array.from({ length: 50 }, (_, i) => `z${i}`)];
    for (const p of prefixes) void c.watch([`kv:${p}`]).then(() => woken.push(p));
    c.apply(1, { Type: 'KV', Verb: 'set', Key: 'a/b' });
    await new Promise((r) => setImmediate(r));
    expect(woken.sort()).toEqual(['', 'a', 'a/', 'a/b']);
  });
});
