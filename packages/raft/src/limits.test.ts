// Byte bounds (etcd's MaxSizePerMsg, MaxInflightBytes, MaxUncommittedEntriesSize, the trailing
// entries behind a snapshot), the configuration checks of the lease, and the review fixes to
// transfer and read modes.

import { describe, expect, it } from 'vitest';
import { encode } from './codec.js';
import { MAX_TICK_CATCH_UP, maxLeaseTick, resolveConfig } from './config.js';
import { entryBytes } from './entry-size.js';
import { RaftLog, TRAILING_MAX_BYTES } from './log.js';
import { seededRandom } from './rand.js';
import { ProposalDroppedError, type Raft } from './raft.js';
import { Net } from './testing/net.js';
import type { Message } from './types.js';

const cmd = (i: number): string => `${i}`.padEnd(300, 'x'); // 303 bytes encoded
const appsTo = (ms: Message[], to: string): Message[] => ms.filter((m) => m.type === 'app' && m.to === to && (m.entries?.length ?? 0) > 0);
const follower = (net: Net, l: Raft): Raft => [...net.nodes.values()].find((r) => r !== l)!;

describe('byte bounds', () => {
  it('measures an entry by its encoded command', () => {
    expect(entryBytes({ index: 1, term: 1, type: 'normal', data: cmd(1) })).toBe(303);
    expect(entryBytes({ index: 1, term: 1, type: 'noop', data: null })).toBe(0);
    // Bytes are measured without encoding them: the same figure as encoding would give.
    for (const n of [0, 1, 255, 256, 65_535, 65_536, 70_000]) {
      const data = new Uint8Array(n);
      expect(entryBytes({ index: 1, term: 1, type: 'normal', data })).toBe(encode(data).length);
    }
  });

  it('keeps trailing entries behind a snapshot up to TRAILING_MAX_BYTES, whatever their number', () => {
    const big = new Uint8Array(6 * 1024 * 1024);
    const ents = [1, 2, 3, 4].map((index) => ({ index, term: 1, type: 'normal' as const, data: big }));
    const log = new RaftLog({ meta: { index: 0, term: 0, conf: { voters: ['a'], learners: [] } }, data: new Uint8Array(0) }, ents);
    log.commitTo(4);
    log.appliedTo(4);
    log.compact({ meta: { index: 4, term: 1, conf: { voters: ['a'], learners: [] } }, data: new Uint8Array(0) }, 1024);
    expect(log.slice(log.firstIndex(), 5).map((e) => e.index)).toEqual([3, 4]); // 12 MiB; a third would be 18
    expect(entryBytes(ents[0]) * 3).toBeGreaterThan(TRAILING_MAX_BYTES);
  });

  it('maxSizePerMsg bounds the bytes of one append, yet a larger command still goes alone', () => {
    const net = new Net(['a', 'b', 'c'], { maxSizePerMsg: 1000, maxInflight: 100 });
    const l = net.elect();
    net.tickAll();
    const big = 'y'.repeat(5000);
    l.proposeBatch([...Array.from({ length: 10 }, (_, i) => cmd(i)), big]);
    const rd = l.ready();
    const apps = appsTo(rd.messages, follower(net, l).id);
    expect(apps.map((m) => m.entries!.length)).toEqual([3, 3, 3, 1, 1]);
    expect(apps[4].entries![0].data).toBe(big);
    l.advance();
  });

  it('maxInflightBytes closes the pipelining window by bytes', () => {
    const net = new Net(['a', 'b', 'c'], { maxSizePerMsg: 1000, maxInflight: 100, maxInflightBytes: 2000 });
    const l = net.elect();
    net.tickAll();
    l.proposeBatch(Array.from({ length: 20 }, (_, i) => cmd(i)));
    const rd = l.ready();
    // 909 + 909 < 2000, the third append fills the window: 3 appends before any acknowledgement.
    expect(appsTo(rd.messages, follower(net, l).id)).toHaveLength(3);
    l.advance();
    for (const m of rd.messages) net.get(m.to).step(m);
    net.stabilize();
    net.tickAll(2);
    for (const r of net.nodes.values()) expect(r.log.committed).toBe(l.log.lastIndex());
  });

  it('maxUncommittedEntriesSize drops proposals (ProposalDroppedError) until commits catch up', () => {
    const net = new Net(['a', 'b', 'c'], { maxUncommittedEntriesSize: 1000 });
    const l = net.elect();
    net.tickAll();
    for (const o of net.nodes.keys()) if (o !== l.id) net.cutLink(l.id, o);
    expect(l.propose(cmd(1))).toBe(true);
    expect(l.propose(cmd(2))).toBe(true);
    expect(l.propose(cmd(3))).toBe(true); // 909 bytes pending
    expect(() => l.propose(cmd(4))).toThrow(ProposalDroppedError);
    expect(() => l.propose(cmd(4))).toThrow(/maxUncommittedEntriesSize/);
    const last = l.log.lastIndex();
    net.heal();
    net.tickAll(2);
    expect(l.log.committed).toBe(last);
    expect(l.propose(cmd(4))).toBe(true);
  });

  it('always accepts one proposal when nothing is uncommitted, whatever its size', () => {
    const net = new Net(['a', 'b', 'c'], { maxUncommittedEntriesSize: 100 });
    const l = net.elect();
    net.tickAll();
    expect(l.propose('z'.repeat(1000))).toBe(true);
    expect(() => l.propose('z')).toThrow(ProposalDroppedError);
  });
});

describe('lease configuration', () => {
  const base = { id: 'a', random: seededRandom(1) };
  it('defaults the lease to the election timeout less a tick and the clock-drift margin', () => {
    expect(resolveConfig({ ...base, electionTick: 10 }).leaseTick).toBe(8);
    expect(maxLeaseTick(10)).toBe(8);
    expect(maxLeaseTick(1000)).toBe(MAX_TICK_CATCH_UP);
  });
  it('refuses a lease that could outlive a follower’s vote refusal', () => {
    expect(() => resolveConfig({ ...base, electionTick: 10, leaseTick: 9 })).toThrow(/leaseTick 9 must be in \[1, 8\]/);
  });
  it('refuses a lease longer than the tick catch-up cap (a long stall would stretch it)', () => {
    expect(() => resolveConfig({ ...base, electionTick: 300, leaseTick: 150 })).toThrow(/catch-up cap/);
    expect(resolveConfig({ ...base, electionTick: 300, leaseTick: MAX_TICK_CATCH_UP }).leaseTick).toBe(MAX_TICK_CATCH_UP);
  });
  it('refuses zero or fractional byte limits', () => {
    expect(() => resolveConfig({ ...base, maxSizePerMsg: 0 })).toThrow(/maxSizePerMsg/);
    expect(() => resolveConfig({ ...base, maxInflightBytes: 1.5 })).toThrow(/maxInflightBytes/);
  });
});

describe('review fixes', () => {
  it('a leadership transfer gets a full election timeout, whenever in the check-quorum round it starts', () => {
    for (let phase = 0; phase < 10; phase++) {
      const net = new Net(['a', 'b', 'c'], { electionTick: 10 });
      const l = net.elect();
      net.tickAll(phase);
      const to = follower(net, l).id;
      net.isolate(to); // its TimeoutNow is lost: the transfer stays pending
      expect(l.transferLeadership(to)).toBe(true);
      for (let i = 1; i < 10; i++) {
        net.tickAll();
        expect(l.leadTransferTarget(), `phase ${phase}, tick ${i}`).toBe(to);
        expect(l.propose('during')).toBe(false);
      }
      net.tickAll();
      expect(l.leadTransferTarget()).toBe(null);
      expect(l.propose('after')).toBe(true);
    }
  });

  it('a follower asking for a lease read gets a heartbeat round when the leader is configured safe', () => {
    const net = new Net(['a', 'b', 'c'], { readOnly: 'safe' });
    const l = net.elect();
    net.tickAll(2);
    const f = follower(net, l);
    net.sent = [];
    expect(f.readIndex('fr', 'lease')).toBe(true);
    net.stabilize();
    expect(net.readStates.get(f.id)!.map((r) => r.context)).toEqual(['fr']);
    expect(net.sent.some((m) => m.type === 'heartbeat' && m.context !== undefined)).toBe(true);
  });

  it('a local lease request on a leader configured safe needs a quorum: an isolated one answers nothing', () => {
    const net = new Net(['a', 'b', 'c'], { readOnly: 'safe' });
    const l = net.elect();
    net.tickAll(2);
    net.isolate(l.id);
    l.readIndex('lease-asked', 'lease');
    net.stabilize();
    expect(net.readStates.get(l.id)).toEqual([]);
  });
});
