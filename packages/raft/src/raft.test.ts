import { describe, expect, it } from 'vitest';
import { seededRandom } from './rand.js';
import { bootstrapState, Raft } from './raft.js';
import { Net } from './testing/net.js';
import type { Entry, Message } from './types.js';

const normal = (r: Entry[]): Entry[] => r.filter((e) => e.type === 'normal');

describe('config', () => {
  it('rejects inconsistent settings', () => {
    const init = bootstrapState(['a']);
    expect(() => new Raft({ id: 'a', electionTick: 2, heartbeatTick: 2, random: seededRandom(1) }, init)).toThrow(/electionTick/);
    expect(() => new Raft({ id: 'a', readOnly: 'lease', checkQuorum: false, random: seededRandom(1) }, init)).toThrow(/lease/);
  });
});

describe('election (Raft paper 5.2, thesis 9.6)', () => {
  it('a single voter elects itself and commits proposals', () => {
    const net = new Net(['a']);
    net.get('a').campaign();
    net.stabilize();
    expect(net.get('a').role).toBe('leader');
    expect(net.get('a').propose('x')).toBe(true);
    net.stabilize();
    expect(normal(net.applied.get('a')!).map((e) => e.data)).toEqual(['x']);
  });

  it('three nodes elect exactly one leader and replicate', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    expect([...net.nodes.values()].filter((r) => r.role === 'leader')).toHaveLength(1);
    l.propose('cmd');
    net.stabilize();
    net.tickAll(); // a heartbeat carries the commit index
    for (const id of ['a', 'b', 'c']) expect(normal(net.applied.get(id)!).map((e) => e.data)).toEqual(['cmd']);
  });

  it('pre-vote: an isolated follower does not inflate its term, and does not disrupt the leader on return', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    const term = l.term;
    const f = [...net.nodes.values()].find((r) => r !== l)!;
    net.isolate(f.id);
    net.tickAll(100);
    expect(f.term).toBe(term);
    net.heal();
    net.tickAll(5);
    expect(l.role).toBe('leader');
    expect(l.term).toBe(term);
  });

  it('check-quorum: an isolated leader steps down within two election timeouts', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    net.isolate(l.id);
    net.tickAll(20);
    expect(l.role).toBe('follower');
    expect([...net.nodes.values()].filter((r) => r.role === 'leader' && r !== l)).toHaveLength(1);
  });

  it('a node refuses to vote while it recently heard from a leader (leader stickiness)', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    const f = [...net.nodes.values()].find((r) => r !== l)!;
    const before = f.term;
    f.step({ type: 'vote', from: 'z', to: f.id, term: before + 5, index: 100, logTerm: 100 });
    expect(f.term).toBe(before);
    expect(f.ready().messages.filter((m) => m.type === 'voteResp')).toHaveLength(0);
  });
});

describe('restart grace and removal', () => {
  it('a freshly started node refuses votes for an election timeout (a lease granted before a crash still holds)', () => {
    const r = new Raft({ id: 'b', random: seededRandom(2), electionTick: 10 }, bootstrapState(['a', 'b', 'c']));
    const ask = (term: number): Message => ({ type: 'preVote', from: 'c', to: 'b', term, index: 9, logTerm: 9 });
    r.step(ask(2));
    expect(r.ready().messages).toEqual([]);
    r.advance();
    for (let i = 0; i < 10; i++) r.tick();
    r.step(ask(2));
    expect(r.ready().messages.filter((m) => m.type === 'preVoteResp' && !m.reject)).toHaveLength(1);
  });

  it('a leader that removes itself steps down once the change commits', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    net.tickAll();
    expect(l.changeMembership({ type: 'remove', id: l.id })).toBe(true);
    net.stabilize();
    net.tickAll();
    expect(l.role).toBe('follower');
    const rest = [...net.nodes.values()].filter((r) => r !== l);
    for (let i = 0; i < 100 && !rest.some((r) => r.role === 'leader'); i++) net.tickAll();
    const next = rest.find((r) => r.role === 'leader')!;
    expect(next.conf.voters).not.toContain(l.id);
    expect(next.propose('after')).toBe(true);
  });

  it('followers refuse proposals; a new leader answers reads only after committing in its term', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    const f = [...net.nodes.values()].find((r) => r !== l)!;
    expect(f.propose('x')).toBe(false);
    // Before the no-op of its term commits, a ReadIndex waits.
    const fresh = new Net(['a', 'b', 'c'], { preVote: false });
    const a = fresh.get('a');
    a.campaign();
    a.step({ type: 'voteResp', from: 'b', to: 'a', term: a.term });
    expect(a.role).toBe('leader');
    a.readIndex('early');
    expect(a.ready().readStates).toEqual([]);
    a.advance(); // (its first appends were dropped: heartbeats make the followers catch up)
    fresh.tickAll(3);
    expect(fresh.readStates.get('a')!.map((r) => r.context)).toEqual(['early']);
  });
});

describe('replication', () => {
  it('commits only entries of the current term by counting replicas (paper 5.4.2)', () => {
    // b leads term 3 with an entry of term 2 at index 4; c acknowledges index 4 only.
    const init = bootstrapState(['a', 'b', 'c']);
    init.entries.push({ index: 4, term: 2, type: 'normal', data: 'old' });
    init.hardState = { term: 2, vote: null };
    const b = new Raft({ id: 'b', random: seededRandom(3), preVote: false }, init);
    b.campaign();
    b.step({ type: 'voteResp', from: 'c', to: 'b', term: 3 });
    expect(b.role).toBe('leader');
    expect(b.log.lastIndex()).toBe(5); // the noop of term 3
    b.ready();
    b.advance(); // b's own copy is durable
    b.step({ type: 'appResp', from: 'c', to: 'b', term: 3, index: 4 });
    expect(b.log.committed).toBeLessThan(4);
    b.step({ type: 'appResp', from: 'c', to: 'b', term: 3, index: 5 });
    expect(b.log.committed).toBe(5);
  });

  it('batches proposals into one append per follower and pipelines several appends', () => {
    const net = new Net(['a', 'b', 'c'], { maxEntriesPerMsg: 10, maxInflight: 3 });
    const l = net.elect();
    net.tickAll();
    expect(l.proposeBatch(Array.from({ length: 100 }, (_, i) => i))).toBe(true);
    const rd = l.ready();
    expect(rd.entries).toHaveLength(100); // one persist (one fsync) for the whole batch
    const apps = rd.messages.filter((m) => m.type === 'app' && (m.entries?.length ?? 0) > 0);
    const perFollower = new Map<string, Message[]>();
    for (const m of apps) perFollower.set(m.to, [...(perFollower.get(m.to) ?? []), m]);
    for (const ms of perFollower.values()) {
      expect(ms).toHaveLength(3); // the in-flight window, without waiting for acknowledgements
      expect(ms.map((m) => m.entries!.length)).toEqual([10, 10, 10]);
    }
    l.advance();
    for (const m of rd.messages) net.get(m.to).step(m);
    net.stabilize();
    net.tickAll();
    for (const id of ['a', 'b', 'c']) expect(normal(net.applied.get(id)!)).toHaveLength(100);
  });

  it('keeps trailing entries after compaction, so a slightly lagging follower gets entries, not a snapshot', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    const lagger = [...net.nodes.values()].find((r) => r !== l)!;
    net.isolate(lagger.id);
    for (let i = 0; i < 5; i++) l.propose(`c${i}`);
    net.stabilize();
    net.tickAll();
    l.compact(l.log.applied, new Uint8Array([1]), 10);
    expect(l.log.firstIndex()).toBeLessThanOrEqual(lagger.log.lastIndex());
    net.heal();
    net.sent = [];
    net.tickAll(3);
    expect(net.sent.filter((m) => m.type === 'snap')).toHaveLength(0);
    expect(lagger.log.lastIndex()).toBe(l.log.lastIndex());
    expect(normal(net.applied.get(lagger.id)!).map((e) => e.data)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('sends a snapshot in chunks to a follower that fell behind the compacted log', () => {
    const net = new Net(['a', 'b', 'c'], { snapshotChunkBytes: 16 });
    const l = net.elect();
    const lagger = [...net.nodes.values()].find((r) => r !== l)!;
    net.isolate(lagger.id);
    for (let i = 0; i < 20; i++) l.propose(`c${i}`);
    net.stabilize();
    net.tickAll();
    const data = new TextEncoder().encode('the whole state machine, more than one chunk long');
    l.compact(l.log.applied, data);
    net.heal();
    net.sent = [];
    net.tickAll(3);
    const chunks = net.sent.filter((m) => m.type === 'snap' && m.to === lagger.id);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(data.length / 16));
    expect(lagger.log.snapshot.meta.index).toBe(l.log.snapshot.meta.index);
    expect(new TextDecoder().decode(lagger.log.snapshot.data)).toBe('the whole state machine, more than one chunk long');
    expect(lagger.log.committed).toBe(l.log.committed);
  });
});

describe('reads (thesis 6.4)', () => {
  it('safe ReadIndex needs a heartbeat quorum: an isolated leader answers nothing', () => {
    const net = new Net(['a', 'b', 'c'], { readOnly: 'safe' });
    const l = net.elect();
    net.tickAll();
    l.readIndex('r1');
    net.stabilize();
    expect(net.readStates.get(l.id)).toEqual([{ index: l.log.committed, context: 'r1' }]);
    net.isolate(l.id);
    l.readIndex('r2');
    net.stabilize();
    expect(net.readStates.get(l.id)!.map((r) => r.context)).toEqual(['r1']);
  });

  it('lease reads are answered at once while the lease holds, and not after it lapses', () => {
    const net = new Net(['a', 'b', 'c'], { readOnly: 'lease', electionTick: 10, leaseTick: 8 });
    const l = net.elect();
    net.tickAll(2);
    net.isolate(l.id);
    l.readIndex('fast');
    const rd = l.ready();
    expect(rd.readStates.map((r) => r.context)).toEqual(['fast']);
    l.advance();
    for (let i = 0; i < 9; i++) l.tick();
    net.stabilize();
    expect(l.leaseValid()).toBe(false);
    l.readIndex('late');
    net.stabilize();
    expect(net.readStates.get(l.id)!.map((r) => r.context)).not.toContain('late');
  });

  it('a per-request safe read on a lease leader still needs a heartbeat quorum', () => {
    const net = new Net(['a', 'b', 'c'], { readOnly: 'lease' });
    const l = net.elect();
    net.tickAll(2);
    net.isolate(l.id);
    expect(l.leaseValid()).toBe(true);
    l.readIndex('safe-one', 'safe');
    l.readIndex('lease-one', 'lease');
    net.stabilize();
    expect(net.readStates.get(l.id)!.map((r) => r.context)).toEqual(['lease-one']);
  });

  it('a follower read is forwarded to the leader and comes back as a ReadState', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    net.tickAll();
    const f = [...net.nodes.values()].find((r) => r !== l)!;
    expect(f.readIndex('fr')).toBe(true);
    net.stabilize();
    expect(net.readStates.get(f.id)).toEqual([{ index: l.log.committed, context: 'fr' }]);
  });
});

describe('membership and transfer (thesis 4.1, 3.10)', () => {
  it('allows one change at a time', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    net.tickAll();
    expect(l.changeMembership({ type: 'addLearner', id: 'd' })).toBe(true);
    expect(l.changeMembership({ type: 'addLearner', id: 'e' })).toBe(false);
    expect(l.conf.learners).toEqual(['d']);
    net.stabilize();
    net.tickAll();
    expect(l.changeMembership({ type: 'promote', id: 'd' })).toBe(true);
    expect(l.conf.voters).toContain('d');
    expect(l.changeMembership({ type: 'promote', id: 'b' })).toBe(false);
  });

  it('transfers leadership to an up-to-date voter', () => {
    const net = new Net(['a', 'b', 'c']);
    const l = net.elect();
    net.tickAll();
    const to = [...net.nodes.keys()].find((id) => id !== l.id)!;
    expect(l.transferLeadership(to)).toBe(true);
    net.stabilize();
    expect(net.get(to).role).toBe('leader');
    expect(l.role).toBe('follower');
  });
});
