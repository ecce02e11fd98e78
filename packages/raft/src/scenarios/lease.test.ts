// Stale lease reads after a partition, checked with the tick accounting: an old leader cut
// off from the cluster must stop answering lease reads before any other node can be elected
// (and so before a write can commit elsewhere), even when the other clocks run fast.

import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_DRIFT } from '../config.js';
import { Cluster } from '../testing/cluster.js';
import type { Raft } from '../raft.js';

const ids = ['a', 'b', 'c'];

function steady(): { c: Cluster; l: Raft } {
  const c = new Cluster([...ids], { readOnly: 'lease', electionTick: 10 });
  for (let i = 0; i < 100 && !c.leader(); i++) c.tick();
  const l = c.leader()!;
  c.tick(3);
  return { c, l };
}

/** Ticks (every follower clock running `fast` times the leader's) until someone else leads. */
function partitionLeader(fast: number): { lastLeaseRead: number; newLeaderAt: number; writeAt: number } {
  const { c, l } = steady();
  c.isolate(l.id);
  const others = ids.filter((id) => id !== l.id);
  let lastLeaseRead = -1;
  let newLeaderAt = -1;
  let writeAt = -1;
  let followerClock = 0;
  for (let t = 1; t <= 60 && writeAt < 0; t++) {
    c.tick(1, [l.id]);
    followerClock += fast;
    for (; followerClock >= 1; followerClock--) c.tick(1, others);
    // A lease read is answered inside ready() at once, or not at all (the leader is cut off).
    const before = c.readStates.get(l.id)!.length;
    if (l.role === 'leader') l.readIndex(`r${t}`, 'lease');
    c.flush();
    if (c.readStates.get(l.id)!.length > before) lastLeaseRead = t;
    const nl = others.map((id) => c.get(id)).find((r) => r.role === 'leader');
    if (nl && newLeaderAt < 0) {
      newLeaderAt = t;
      nl.propose('w');
    }
    if (nl && nl.log.committed >= nl.log.lastIndex() && newLeaderAt > 0) writeAt = t;
  }
  return { lastLeaseRead, newLeaderAt, writeAt };
}

describe('leader lease after a partition', () => {
  it('an isolated leader answers lease reads for a while, and stops before another node is elected', () => {
    const r = partitionLeader(1);
    expect(r.lastLeaseRead).toBeGreaterThanOrEqual(5); // the lease is useful: reads went on without a quorum
    expect(r.newLeaderAt).toBeGreaterThan(r.lastLeaseRead);
    expect(r.writeAt).toBeGreaterThanOrEqual(r.newLeaderAt);
  });

  it(`stays safe when the other clocks run ${MAX_CLOCK_DRIFT * 100}% fast`, () => {
    const r = partitionLeader(1 + MAX_CLOCK_DRIFT);
    expect(r.lastLeaseRead).toBeGreaterThanOrEqual(5);
    expect(r.newLeaderAt).toBeGreaterThan(r.lastLeaseRead);
  });

  it('a follower cut off from the leader alone cannot be elected while the others still hear the leader', () => {
    const { c, l } = steady();
    const [f, v] = ids.filter((id) => id !== l.id);
    const term = l.term;
    c.cutLink(l.id, f);
    c.tick(60);
    expect(l.role).toBe('leader');
    expect(l.term).toBe(term); // pre-vote: f's attempts never raised a term
    expect(c.get(f).role).not.toBe('leader');
    expect(c.get(v).term).toBe(term);
    expect(l.leaseValid()).toBe(true);
  });
});
