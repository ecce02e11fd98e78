// A leader's entries are written behind its Ready (RaftNode's write-behind, thesis 10.2.1): it
// sends and commits while its own write goes on. Its own copy must count toward a quorum only
// once persisted() reports it, whatever else happens meanwhile (a membership change rebuilds
// the progress map), or an entry committed on one follower and an unwritten copy is lost when
// the leader crashes before its write ends.

import { describe, expect, it } from 'vitest';
import { bootstrapState, Raft } from '../raft.js';
import { seededRandom } from '../rand.js';

const NOOP = bootstrapState(['a', 'b', 'c']).entries.length + 1;
const X = NOOP + 1;

/** Leader a of {a, b, c}, its no-op committed; entry X proposed, handed to a write not yet done. */
function leaderWritingX(): Raft {
  const l = new Raft({ id: 'a', random: seededRandom(5), preVote: false }, bootstrapState(['a', 'b', 'c']));
  l.campaign();
  l.step({ type: 'voteResp', from: 'b', to: 'a', term: l.term });
  l.ready();
  l.advance(); // the no-op's Ready carried a hard state: written before anything else
  l.step({ type: 'appResp', from: 'b', to: 'a', term: l.term, index: NOOP });
  expect(l.log.committed).toBe(NOOP);
  expect(l.propose('x')).toBe(true);
  expect(l.ready().entries.map((e) => e.index)).toEqual([X]);
  l.advance(false);
  return l;
}

describe("a leader's write-behind", () => {
  it('one follower and the unwritten copy are no quorum; the written copy is', () => {
    const l = leaderWritingX();
    l.step({ type: 'appResp', from: 'b', to: 'a', term: l.term, index: X });
    expect(l.log.committed).toBe(NOOP);
    l.persisted(X, l.term);
    expect(l.log.committed).toBe(X);
  });

  it('both followers commit before the leader write ends', () => {
    const l = leaderWritingX();
    l.step({ type: 'appResp', from: 'b', to: 'a', term: l.term, index: X });
    l.step({ type: 'appResp', from: 'c', to: 'a', term: l.term, index: X });
    expect(l.log.committed).toBe(X);
  });

  it('a membership change meanwhile does not count the unwritten copy', () => {
    const l = leaderWritingX();
    expect(l.changeMembership({ type: 'addLearner', id: 'd' })).toBe(true);
    l.ready();
    l.advance(false);
    l.step({ type: 'appResp', from: 'b', to: 'a', term: l.term, index: X + 1 });
    expect(l.log.committed).toBe(NOOP);
    l.persisted(X + 1, l.term);
    expect(l.log.committed).toBe(X + 1);
  });

  it('a write that reports an entry since replaced counts nothing', () => {
    const l = leaderWritingX();
    l.persisted(X, l.term - 1);
    l.step({ type: 'appResp', from: 'b', to: 'a', term: l.term, index: X });
    expect(l.log.committed).toBe(NOOP);
  });
});
