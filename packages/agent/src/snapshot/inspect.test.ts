import { serialize } from 'node:v8';
import { Catalog } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import { snapshotStats } from './inspect.js';

function catalog(): Catalog {
  const c = new Catalog();
  c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web1', Service: 'web', Port: 80 }, Check: { CheckID: 'c1', Name: 'c1', Status: 'passing', ServiceID: 'web1' } });
  c.apply(2, { Type: 'Register', Node: 'n2', Address: '10.0.0.2' });
  c.apply(3, { Type: 'KV', Verb: 'set', Key: 'vault/logical/a/x', Value: Buffer.from('1').toString('base64') });
  c.apply(4, { Type: 'KV', Verb: 'set', Key: 'vault/logical/a/y', Value: Buffer.alloc(300).toString('base64') });
  c.apply(5, { Type: 'KV', Verb: 'set', Key: 'vault/core', Value: null });
  c.apply(6, { Type: 'KV', Verb: 'set', Key: 'app', Value: null });
  c.apply(7, { Type: 'KV', Verb: 'set', Key: 'gone', Value: null });
  c.apply(8, { Type: 'KV', Verb: 'delete', Key: 'gone' });
  return c;
}

describe('snapshotStats', () => {
  it("counts records under Consul's message type names, largest first", () => {
    const snap = catalog().snapshot();
    const s = snapshotStats(snap);
    const byName = Object.fromEntries(s.Stats.map((r) => [r.Name, r.Count]));
    // Two nodes, one service, one check; four keys and one tombstone.
    expect(byName).toMatchObject({ Register: 4, KVS: 4, Tombstone: 1 });
    expect(byName['Index']).toBe(Object.keys(snap.Tables).length + Object.keys(snap.ServiceIndexes).length);
    expect(s.Stats.map((r) => r.Sum)).toEqual([...s.Stats.map((r) => r.Sum)].sort((a, b) => b - a));
    expect(s.TotalSize).toBe(s.Stats.reduce((t, r) => t + r.Sum, 0));
    const kvs = s.Stats.find((r) => r.Name === 'KVS')!;
    expect(kvs.Sum).toBe(snap.KVs.reduce((t, r) => t + serialize(r).length, 0));
    expect(s.StatsKV).toBeNull();
  });

  it('counts the virtual IP tables as ServiceVirtualIP and FreeVirtualIP records (the counter is one)', () => {
    const c = catalog();
    c.apply(9, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { ID: 'a', Service: 'a', Port: 81, Connect: { Native: true } } });
    c.apply(10, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', Service: { ID: 'b', Service: 'b', Port: 82, Connect: { Native: true } } });
    c.apply(11, { Type: 'Deregister', Node: 'n1', ServiceID: 'a' });
    const byName = Object.fromEntries(snapshotStats(c.snapshot()).Stats.map((r) => [r.Name, r.Count]));
    expect(byName).toMatchObject({ ServiceVirtualIP: 1, FreeVirtualIP: 2 });
    expect(snapshotStats(catalog().snapshot()).Stats.map((r) => r.Name)).not.toContain('ServiceVirtualIP');
  });

  it('groups KV records by key prefix (-kvdetails, -kvdepth, -kvfilter)', () => {
    const snap = catalog().snapshot();
    const rows = (depth: number, filter = ''): [string, number][] => snapshotStats(snap, { depth, filter }).StatsKV?.map((r) => [r.Name, r.Count]) ?? [];
    // By size: the two keys under vault/logical (one of 300 bytes) first; a longer key is a larger record.
    expect(rows(2)).toEqual([['vault/logical', 2], ['vault/core', 1], ['app', 1]]);
    expect(rows(1)).toEqual([['vault', 3], ['app', 1]]);
    expect(rows(5, 'vault/logical')).toEqual(expect.arrayContaining([['vault/logical/a/x', 1], ['vault/logical/a/y', 1]]));
    expect(rows(2, 'nothing')).toEqual([]);
    expect(snapshotStats(snap, { depth: 2, filter: 'vault/' }).TotalSizeKV).toBe(snapshotStats(snap, { depth: 1, filter: 'vault' }).TotalSizeKV);
  });
});
