import { describe, expect, it } from 'vitest';
import { seededRandom } from '../rand.js';
import { bootstrapState, Raft } from '../raft.js';
import type { Message } from '../types.js';

describe('InstallSnapshot over a log that already holds the snapshot entry', () => {
  it('acknowledges the snapshot index, not a possibly stale suffix after it', () => {
    const init = bootstrapState(['a', 'b', 'c']);
    init.hardState = { term: 2, vote: null };
    for (const i of [4, 5, 6]) init.entries.push({ index: i, term: 2, type: 'normal', data: `old${i}` });
    const c = new Raft({ id: 'c', random: seededRandom(1) }, init);
    const snap: Message = {
      type: 'snap',
      from: 'a',
      to: 'c',
      term: 3,
      snapMeta: { index: 4, term: 2, conf: { voters: ['a', 'b', 'c'], learners: [] } },
      offset: 0,
      chunk: new Uint8Array([1]),
      done: true,
    };
    c.step(snap);
    const acks = c.ready().messages.filter((m) => m.type === 'appResp');
    expect(acks.map((m) => m.index)).toEqual([4]);
    expect(c.log.committed).toBe(4);
    expect(c.log.lastIndex()).toBe(6); // kept (fast-forward), to be checked by the leader's probes
  });
});
