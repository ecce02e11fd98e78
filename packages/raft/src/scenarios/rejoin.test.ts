// Pre-vote and check-quorum when a partitioned node rejoins (thesis 9.6, etcd's
// TestFreeStuckCandidateWithCheckQuorum family).

import { describe, expect, it } from 'vitest';
import { Cluster } from '../testing/cluster.js';
import type { Raft } from '../raft.js';

function steady(preVote: boolean): { c: Cluster; l: Raft; f: string } {
  const c = new Cluster(['a', 'b', 'c'], { preVote });
  for (let i = 0; i < 100 && !c.leader(); i++) c.tick();
  const l = c.leader()!;
  c.tick(2);
  return { c, l, f: ['a', 'b', 'c'].find((id) => id !== l.id)! };
}

describe('a partitioned node rejoins', () => {
  it('with pre-vote: its term does not grow while cut off, and it rejoins without disturbing the leader', () => {
    const { c, l, f } = steady(true);
    const term = l.term;
    c.isolate(f);
    for (let i = 0; i < 10; i++) l.propose(`w${i}`);
    c.tick(100);
    expect(c.get(f).term).toBe(term);
    c.heal();
    c.tick(3);
    expect(l.role).toBe('leader');
    expect(l.term).toBe(term);
    expect(c.get(f).log.committed).toBe(l.log.committed);
  });

  it('without pre-vote: its inflated term deposes the leader on rejoin (why pre-vote is on by default)', () => {
    const { c, l, f } = steady(false);
    const term = l.term;
    c.isolate(f);
    c.tick(100);
    expect(c.get(f).term).toBeGreaterThan(term + 3);
    c.heal();
    c.tick(1);
    expect(l.term).toBeGreaterThan(term + 3);
    // It cannot win with its stale log, though: the next leader is one of the others or itself, in a later term.
    c.tick(60);
    expect(c.leader()!.term).toBeGreaterThan(term);
  });

  it('an old leader cut off steps down (check-quorum); on rejoin its uncommitted entries are replaced and it follows', () => {
    const { c, l } = steady(true);
    c.isolate(l.id);
    expect(l.propose('lost')).toBe(true);
    c.tick(25);
    expect(l.role).toBe('follower');
    const nl = c.leader()!;
    expect(nl.id).not.toBe(l.id);
    nl.propose('kept');
    c.tick(2);
    const newTerm = nl.term;
    c.heal();
    c.tick(30);
    expect(nl.role).toBe('leader');
    expect(nl.term).toBe(newTerm);
    const data = (r: Raft): unknown[] => r.log.slice(r.log.firstIndex(), r.log.lastIndex() + 1).filter((e) => e.type === 'normal').map((e) => e.data);
    expect(data(l)).toEqual(['kept']);
    expect(l.log.committed).toBe(nl.log.committed);
  });
});
