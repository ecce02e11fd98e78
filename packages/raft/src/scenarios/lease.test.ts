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

  it('after sending TimeoutNow the old leader has no lease for the rest of its term, even once the transfer is abandoned', () => {
    const { c, l } = steady();
    const [t, v] = ids.filter((id) => id !== l.id);
    expect(l.transferLeadership(t)).toBe(true);
    c.flush();
    c.deliver((m) => m.type === 'timeoutNow');
    c.cutLink(l.id, t); // l never hears from t again
    c.flush(); // t campaigns with forced votes; hold its request to v for a while
    const held = c.queue.filter((m) => m.type === 'vote');
    c.drop((m) => m.type === 'vote');
    c.tick(4, [l.id, v]); // v keeps acknowledging l's heartbeats meanwhile
    c.queue.push(...held);
    c.cutLink(v, l.id, false); // v's answers in the new term do not reach l either
    c.settle();
    const nt = c.get(t);
    expect(nt.role).toBe('leader');
    expect(nt.log.committed).toBe(nt.log.lastIndex());
    // l still believes it leads; the transfer is abandoned after an election timeout, but
    // its lease must not come back (t leads and commits in a later term).
    for (let i = 0; i < 10 && l.role === 'leader'; i++) {
      c.tick(1, [l.id]);
      expect(l.leaseValid(), `tick ${i + 1}, transfer target ${String(l.leadTransferTarget())}`).toBe(false);
    }
    expect(l.leadTransferTarget()).toBe(null);
  });
});

describe("the leader's view of its followers' contact", () => {
  it('counts the ticks since each follower last answered a heartbeat', () => {
    const { c, l } = steady();
    const [cut, kept] = ids.filter((id) => id !== l.id) as [string, string];
    expect(l.followerContactTicks(l.id)).toBe(0);
    // Heartbeats every tick (heartbeatTick 1), answered within the tick's settle.
    expect(l.followerContactTicks(cut)).toBeLessThanOrEqual(1);
    c.isolate(cut);
    c.tick(4, [l.id, kept]);
    expect(l.followerContactTicks(cut)).toBeGreaterThanOrEqual(4);
    expect(l.followerContactTicks(kept)).toBeLessThanOrEqual(1);
    expect(c.get(kept).followerContactTicks(l.id)).toBeUndefined(); // only a leader knows
    c.heal();
    c.tick(2, [l.id, kept, cut]);
    expect(l.followerContactTicks(cut)).toBeLessThanOrEqual(1);
  });
});
