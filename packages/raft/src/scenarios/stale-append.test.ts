// An append still in flight from a deposed leader, whose own log has since been overwritten:
// the message must carry the entries the leader sent. The log keeps commands' bytes in shared
// chunks and hands out views of them, so it must never write new bytes where truncated
// entries were (a view in a message, a batch being written or an apply may still read them).

import { describe, expect, it } from 'vitest';
import { decode, encode } from '../codec.js';
import { Cluster, from, to } from '../testing/cluster.js';

const ids = ['s1', 's2', 's3', 's4', 's5'];

describe('an append from a deposed leader', () => {
  it('carries the commands it was sent with after the sender truncated them', () => {
    const c = new Cluster(ids, { preVote: false, checkQuorum: false });
    c.elect('s1', ids);
    c.settle();
    // s1 (term 2) appends a command; its appends are held back.
    const s1 = c.get('s1');
    s1.propose(encode({ k: 'a', v: 'from s1' }));
    c.flush();
    const i = s1.log.lastIndex();
    const held = c.queue.filter((m) => m.from === 's1' && m.type === 'app' && m.to === 's5');
    expect(held).toHaveLength(1);
    c.drop(from('s1'));
    // s2 is elected in term 3 by s3 and s4 (s5 hears nothing and stays in term 2) and
    // overwrites index i on s1 with its no-op and puts a command of the same length after it.
    c.elect('s2', ['s3', 's4']);
    c.get('s2').propose(encode({ k: 'a', v: 'from s2' }));
    for (let round = 0; round < 10; round++) {
      c.flush();
      c.drop(to('s5'));
      if (c.deliver() === 0) break;
    }
    expect(s1.term).toBe(3);
    expect(s1.log.term(i)).toBe(3);
    expect(decode(s1.log.entry(i + 1)!.data as Uint8Array)).toEqual({ k: 'a', v: 'from s2' });
    // The held append reaches s5, still in term 2: it takes s1's entry as s1 sent it.
    c.queue.push(...held);
    c.deliver(to('s5'));
    const s5 = c.get('s5');
    expect(s5.term).toBe(2);
    expect(s5.log.term(i)).toBe(2);
    expect(decode(s5.log.entry(i)!.data as Uint8Array)).toEqual({ k: 'a', v: 'from s1' });
  });
});
