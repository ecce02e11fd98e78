// Followers whose election timers fire in the same tick, as the two survivors of a dead leader
// do now and then (same heartbeat, same drawn timeout): with pre-vote each would grant the
// other's pre-vote, both would stand and split the vote, and the next round only comes an
// election timeout later. Every timeout here is drawn the same (random 0), so without a
// tie-break the split repeats forever.

import { describe, expect, it } from 'vitest';
import { Cluster } from '../testing/cluster.js';

const electionTick = 10;

function sameTimers(ids: string[]): Cluster {
  return new Cluster(ids, { electionTick, random: () => 0 });
}

describe('timers that fire together', () => {
  it('three fresh nodes elect a leader in the first round', () => {
    const c = sameTimers(['a', 'b', 'c']);
    c.tick(electionTick);
    const l = c.leader();
    expect(l).toBeDefined();
    expect(l!.term).toBe(2);
    c.tick(2);
    expect(['a', 'b', 'c'].map((id) => c.get(id).lead)).toEqual([l!.id, l!.id, l!.id]);
  });

  it('the two survivors of a dead leader: the higher ID stands and wins the next term, one election timeout after the last heartbeat', () => {
    const c = sameTimers(['a', 'b', 'c']);
    for (let i = 0; i < 5 * electionTick && !c.leader(); i++) c.tick();
    const old = c.leader()!;
    c.tick(3);
    const [low, high] = ['a', 'b', 'c'].filter((id) => id !== old.id);
    const term = old.term;
    c.crash(old.id);
    // Both survivors heard the last heartbeat together and drew the same timeout.
    c.tick(electionTick);
    const l = c.leader();
    expect(l?.id).toBe(high);
    expect(l!.term).toBe(term + 1);
    expect(c.get(low!).lead).toBe(high);
    expect(c.get(low!).term).toBe(term + 1);
  });

  it('the higher ID does not outrank a pre-candidate whose log is longer', () => {
    const c = sameTimers(['a', 'b', 'c']);
    for (let i = 0; i < 5 * electionTick && !c.leader(); i++) c.tick();
    const old = c.leader()!;
    c.tick(3);
    const [low, high] = ['a', 'b', 'c'].filter((id) => id !== old.id) as [string, string];
    // The last entry reaches only the lower ID before the leader dies.
    c.cutLink(old.id, high);
    old.propose('only-on-low');
    c.tick(1, [low]);
    c.crash(old.id);
    c.heal();
    const onlyOnLow = c.get(low).log.lastIndex();
    expect(onlyOnLow).toBe(c.get(high).log.lastIndex() + 1);
    c.tick(electionTick);
    const l = c.leader();
    expect(l?.id).toBe(low);
    // Its longer log wins, and the entry only it held commits.
    c.tick(2);
    expect(c.get(high).log.committed).toBeGreaterThanOrEqual(onlyOnLow);
  });
});
