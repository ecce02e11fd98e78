// The Raft paper's Figure 8 (section 5.4.2), played message by message on five nodes. The
// bootstrap configuration fills indexes 1-5, so the paper's index 2 is index 7 here.

import { describe, expect, it } from 'vitest';
import { Cluster, to } from '../testing/cluster.js';

const ids = ['s1', 's2', 's3', 's4', 's5'];

/** Figure 8 (a)-(c): s1 (term 4) holds 7@2 on s1, s2, s3 - a majority - and 8@4 on s1, s2 only. */
function figure8(): Cluster {
  // One entry per append, so an old entry can travel without the leader's own.
  const c = new Cluster(ids, { preVote: false, checkQuorum: false, maxSizePerMsg: 1 });
  c.elect('s1', ids);
  c.settle(); // 6@2 (s1's no-op) everywhere, committed
  c.tick(1);
  // (a) s1 leads term 2 and replicates 7@2 to s2 only.
  c.get('s1').propose('x');
  c.flush();
  c.drop((m) => m.type === 'app' && m.to !== 's2');
  c.deliver();
  c.flush();
  c.deliver();
  expect(c.get('s2').log.term(7)).toBe(2);
  // (b) s1 crashes; s5 is elected in term 3 by s3, s4 and itself and appends 7@3 alone.
  c.crash('s1');
  c.elect('s5', ['s3', 's4']);
  c.flush();
  c.drop((m) => m.from === 's5');
  expect(c.get('s5').log.term(7)).toBe(3);
  // (c) s5 crashes; s1 restarts, is elected in term 4 (by s2, s3) and appends 8@4.
  c.crash('s5');
  c.start('s1');
  const s1 = c.elect('s1', ['s2', 's3']);
  expect(s1.term).toBe(4);
  c.flush();
  // s2 takes 8@4; s3 (which lacks index 7) is probed down and takes 7@2, but not yet 8@4.
  c.drop((m) => m.type === 'app' && m.to !== 's2' && m.to !== 's3');
  c.deliver(to('s2'));
  c.deliver(to('s3')); // rejected: s3 has no index 7
  c.flush();
  c.deliver(to('s1'));
  c.flush();
  c.drop((m) => m.type === 'app' && m.to === 's3' && m.entries![0]?.index !== 7);
  c.deliver(to('s3'));
  c.flush();
  expect(c.get('s3').log.term(7)).toBe(2);
  expect(c.get('s3').log.lastIndex()).toBe(7);
  c.deliver(to('s1'));
  c.flush();
  c.drop((m) => m.from === 's1');
  return c;
}

describe('Figure 8: a leader commits entries of earlier terms only through one of its own', () => {
  it('does not commit 7@2 from a majority of replicas, so s5 may still overwrite it safely', () => {
    const c = figure8();
    const s1 = c.get('s1');
    expect(s1.prs.get('s3')!.match).toBe(7);
    expect(s1.prs.get('s2')!.match).toBe(8);
    expect(s1.log.committed).toBeLessThan(7); // 7@2 is on s1, s2, s3 - yet not committed (5.4.2)
    // (d) s1 crashes; s5 restarts and wins term 5 with s3 and s4 (its 7@3 is more up to date).
    c.crash('s1');
    c.start('s5');
    const s5 = c.elect('s5', ['s3', 's4']);
    expect(s5.term).toBe(5);
    c.settle();
    c.tick(2, ['s2', 's3', 's4', 's5']);
    // 7@2 is replaced by 7@3 everywhere s5 reaches; the cluster's check saw no committed entry change.
    for (const id of ['s2', 's3', 's4', 's5']) expect(c.get(id).log.term(7)).toBe(3);
    expect(c.committed.get(7)?.term).toBe(3);
  });

  it('(e) once its own 8@4 is on a majority, 7@2 commits with it and s5 can no longer win', () => {
    const c = figure8();
    c.tick(1, ['s1', 's2', 's3']); // the heartbeat round lets s3 catch up with 8@4
    const s1 = c.get('s1');
    expect(s1.log.committed).toBe(8);
    expect(c.committed.get(7)?.term).toBe(2);
    c.crash('s1');
    c.start('s5');
    expect(() => c.elect('s5', ['s2', 's3', 's4'])).toThrow(/not elected/);
  });
});
