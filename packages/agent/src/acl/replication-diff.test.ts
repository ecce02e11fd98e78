import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffAclType, type ReplicaMeta } from './replication-diff.js';

const m = (id: string, modifyIndex: number, hash: string): ReplicaMeta => ({ id, modifyIndex, hash });

describe('diffAclType (Consul diffACLType)', () => {
  it('deletes what only this datacenter has, upserts what only the primary has', () => {
    const local = [m('b', 5, 'h'), m('d', 5, 'h'), m('a', 5, 'h')];
    const remote = [m('c', 9, 'h'), m('a', 3, 'h'), m('e', 9, 'h')];
    expect(diffAclType(local, remote, 0)).toEqual({ deletes: ['b', 'd'], upserts: ['c', 'e'], localSkipped: 0, remoteSkipped: 0 });
  });

  it('upserts an item on both sides only when the primary changed it since the last round and its hash differs', () => {
    const local = [m('a', 2, 'old'), m('b', 2, 'old'), m('c', 2, 'same')];
    const remote = [m('a', 10, 'new'), m('b', 4, 'new'), m('c', 10, 'same')];
    // b changed at 4, before the last round (5): already seen, not fetched again.
    expect(diffAclType(local, remote, 5).upserts).toEqual(['a']);
    // A full sync (last index 0) looks at every hash.
    expect(diffAclType(local, remote, 0).upserts).toEqual(['a', 'b']);
  });

  it('skips items without an ID on either side', () => {
    const r = diffAclType([m('', 1, 'h'), m('x', 1, 'h')], [m('', 1, 'h'), m('', 2, 'h')], 0);
    expect(r).toEqual({ deletes: ['x'], upserts: [], localSkipped: 1, remoteSkipped: 2 });
  });

  it('brings any local set to the remote set (applying the diff gives the primary\'s IDs and hashes)', () => {
    const item = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), modifyIndex: fc.integer({ min: 1, max: 20 }), hash: fc.constantFrom('x', 'y') });
    const unique = (xs: ReplicaMeta[]): ReplicaMeta[] => [...new Map(xs.map((x) => [x.id, x])).values()];
    fc.assert(
      fc.property(fc.array(item).map(unique), fc.array(item).map(unique), (local, remote) => {
        const d = diffAclType(local, remote, 0);
        const after = new Map(local.map((x) => [x.id, x.hash]));
        for (const id of d.deletes) after.delete(id);
        for (const id of d.upserts) after.set(id, remote.find((x) => x.id === id)!.hash);
        expect([...after.entries()].sort()).toEqual(remote.map((x) => [x.id, x.hash]).sort());
        // Nothing is touched that is already the same.
        for (const id of d.upserts) expect(local.find((x) => x.id === id)?.hash).not.toBe(remote.find((x) => x.id === id)!.hash);
      }),
    );
  });
});
