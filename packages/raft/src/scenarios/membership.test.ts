// Membership changes under faults: the leader removes itself and crashes before the change
// commits; a voter is added while a follower is partitioned.

import { describe, expect, it } from 'vitest';
import { Cluster } from '../testing/cluster.js';

const normal = (c: Cluster, id: string): unknown[] => c.applied.get(id)!.filter((e) => e.type === 'normal').map((e) => e.data);

describe('membership changes under faults', () => {
  it('removing the leader: it crashes with the change on one follower; that follower wins and the old leader stays out', () => {
    const c = new Cluster(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
    c.elect('a', ['b', 'c']);
    c.tick(2);
    const a = c.get('a');
    expect(a.changeMembership({ type: 'remove', id: 'a' })).toBe(true);
    expect(a.conf.voters).toEqual(['b', 'c']); // takes effect on append (thesis 4.1)
    c.flush();
    c.drop((m) => m.to !== 'b');
    c.deliver(); // only b appends the change
    c.flush();
    c.crash('a');
    expect(c.get('b').conf.voters).toEqual(['b', 'c']);
    expect(c.get('c').conf.voters).toEqual(['a', 'b', 'c']);
    // c cannot win: its configuration needs a or b, and b's log is more up to date.
    expect(() => c.elect('c', ['b'])).toThrow(/not elected/);
    // b needs c (a majority of {b, c}) and gets it.
    c.tick(1);
    const b = c.elect('b', ['c']);
    c.settle();
    c.tick(2);
    expect(c.get('c').conf.voters).toEqual(['b', 'c']);
    expect(b.log.committed).toBe(b.log.lastIndex());
    // The removed node restarts from its disk, knows it was removed and never campaigns.
    const a2 = c.start('a');
    expect(a2.conf.voters).toEqual(['b', 'c']);
    c.tick(60);
    expect(a2.role).toBe('follower');
    expect(b.role).toBe('leader');
    expect(b.propose('after')).toBe(true);
    c.tick(2);
    expect(normal(c, 'c')).toEqual(['after']);
  });

  it('adding a voter while a follower is partitioned: nothing commits until the new voter catches up', () => {
    const c = new Cluster(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
    c.elect('a', ['b', 'c']);
    c.tick(2);
    const a = c.get('a');
    c.isolate('c');
    c.join('d');
    c.isolate('d'); // d is not reachable yet
    expect(a.changeMembership({ type: 'addVoter', id: 'd' })).toBe(true);
    expect(a.conf.voters).toEqual(['a', 'b', 'c', 'd']);
    const conf = a.log.lastIndex();
    c.tick(5, ['a', 'b']);
    // A quorum of four is three: a and b alone cannot commit the change (or anything after it).
    expect(a.log.committed).toBeLessThan(conf);
    expect(a.propose('w1')).toBe(true);
    c.tick(3, ['a', 'b']);
    expect(a.log.committed).toBeLessThan(conf);
    // d becomes reachable, catches up, and {a, b, d} commit while c is still cut off.
    c.heal();
    c.isolate('c');
    c.tick(5, ['a', 'b', 'd']);
    expect(a.log.committed).toBe(a.log.lastIndex());
    expect(a.role).toBe('leader');
    expect(normal(c, 'd')).toEqual(['w1']);
    // c rejoins and learns the new configuration from the log.
    c.heal();
    c.tick(5);
    expect(c.get('c').conf.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(normal(c, 'c')).toEqual(['w1']);
  });

  it('a new leader changes membership only after an entry of its term commits (thesis 4.1 errata)', () => {
    // a adds e on its own log only and crashes; b leads term 2 and wants to remove d. Were b
    // allowed to before its no-op commits, {b, c} could commit under {a, b, c} while a, back
    // with {a, b, c, d, e}, wins with d and e and overwrites it (Ongaro, raft-dev, 2015).
    const c = new Cluster(['a', 'b', 'c', 'd'], { preVote: false, checkQuorum: false });
    c.elect('a', ['b', 'c', 'd']);
    c.tick(2);
    c.join('e');
    expect(c.get('a').changeMembership({ type: 'addVoter', id: 'e' })).toBe(true);
    c.flush();
    c.drop((m) => m.from === 'a');
    c.crash('a');
    const b = c.elect('b', ['c', 'd']);
    expect(b.log.committed).toBe(b.log.lastIndex() - 1); // everything before its no-op is known committed
    expect(b.changeMembership({ type: 'remove', id: 'd' })).toBe(false);
    c.flush();
    c.drop((m) => m.to === 'a' || m.to === 'e');
    c.settle(); // the no-op of term 2 commits on b, c, d
    expect(b.changeMembership({ type: 'remove', id: 'd' })).toBe(true);
    c.flush();
    c.drop((m) => m.to !== 'c');
    c.settle();
    c.start('a');
    expect(c.get('a').conf.voters).toEqual(['a', 'b', 'c', 'd', 'e']);
    // d holds the term-2 no-op, so a cannot win with d and e.
    expect(() => c.elect('a', ['d', 'e'])).toThrow(/not elected/);
  });
});
