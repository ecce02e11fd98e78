// The core, driven through the in-process simulator (the seam we own) with small clusters.
import { describe, expect, it } from 'vitest';
import { lanConfig, type Config } from './config.js';
import { compound, encodeMessage, type Tags } from './messages.js';
import { SimCluster, type SimNode } from './sim/cluster.js';
import type { MemberEvent } from './state.js';

function cluster(n: number, seed = 1, cfg: Partial<Config> = {}) {
  const sim = new SimCluster({ seed, config: { ...lanConfig(), ...cfg } });
  const events: { at: number; obs: string; e: MemberEvent }[] = [];
  sim.onEvent = (obs, e, at) => events.push({ at, obs: obs.name, e });
  const nodes = sim.bootstrap(n);
  return { sim, nodes, events };
}
const stateOf = (n: SimNode, name: string) => n.core.member(name)?.state;

describe('membership core', () => {
  it('a joiner is announced to everyone once, and learns everyone', () => {
    const { sim, nodes, events } = cluster(8);
    sim.run(1000);
    const j = sim.addNode({ role: 'client' });
    sim.join(j, [nodes[3]!]);
    sim.run(sim.nowMs + 5000);
    for (const n of nodes) {
      expect(events.filter((x) => x.obs === n.name && x.e.type === 'join' && x.e.member.name === j.name)).toHaveLength(1);
      expect(n.core.member(j.name)).toMatchObject({ state: 'alive', tags: { role: 'client' } });
    }
    expect(events.filter((x) => x.obs === j.name && x.e.type === 'join').map((x) => x.e.member.name).sort()).toEqual(nodes.map((n) => n.name).sort());
  });

  it('a killed member is suspected, then failed by all, then reaped', () => {
    const { sim, nodes, events } = cluster(8, 2, { reconnectTimeoutMs: 20_000 });
    sim.run(1000);
    const victim = nodes[5]!;
    sim.kill(victim);
    sim.run(sim.nowMs + 15_000);
    const survivors = nodes.filter((n) => n !== victim);
    for (const n of survivors) expect(stateOf(n, victim.name)).toBe('failed');
    expect(events.filter((x) => x.e.type === 'fail').every((x) => x.e.member.name === victim.name)).toBe(true);
    expect(events.filter((x) => x.e.type === 'fail')).toHaveLength(survivors.length);
    sim.run(sim.nowMs + 25_000);
    for (const n of survivors) expect(n.core.member(victim.name)).toBeUndefined();
    expect(events.filter((x) => x.e.type === 'reap')).toHaveLength(survivors.length);
  });

  it('a failed member is reaped after the reconnect timeout, one that left after the tombstone timeout', () => {
    const { sim, nodes, events } = cluster(8, 5, { reconnectTimeoutMs: 20_000, tombstoneTimeoutMs: 60_000 });
    sim.run(1000);
    const [failed, left] = [nodes[1]!, nodes[2]!];
    sim.leave(left);
    sim.run(sim.nowMs + 2000);
    sim.kill(left);
    sim.kill(failed);
    sim.run(sim.nowMs + 15_000);
    const survivors = nodes.filter((n) => n !== failed && n !== left);
    for (const n of survivors) expect([stateOf(n, failed.name), stateOf(n, left.name)]).toEqual(['failed', 'left']);
    sim.run(sim.nowMs + 25_000);
    for (const n of survivors) expect([stateOf(n, failed.name), stateOf(n, left.name)]).toEqual([undefined, 'left']);
    sim.run(sim.nowMs + 45_000);
    for (const n of survivors) expect(stateOf(n, left.name)).toBeUndefined();
    expect(events.filter((x) => x.e.type === 'reap').map((x) => x.e.member.name).sort()).toEqual([...survivors.map(() => failed.name), ...survivors.map(() => left.name)].sort());
  });

  it("a member's own reconnect timeout from its tags overrides the configured one", () => {
    const override = (_: string, tags: Tags) => (tags.rc === undefined ? undefined : Number(tags.rc));
    const { sim, nodes, events } = cluster(6, 6, { reconnectTimeoutMs: 3600_000, reconnectTimeoutOverride: override });
    const quick = sim.addNode({ rc: '12000' });
    sim.join(quick, [nodes[0]!]);
    sim.run(sim.nowMs + 3000);
    sim.kill(quick);
    sim.kill(nodes[5]!);
    sim.run(sim.nowMs + 40_000);
    const at = (obs: string, type: string, name: string) => events.find((x) => x.obs === obs && x.e.type === type && x.e.member.name === name)?.at;
    for (const n of nodes.slice(0, 5)) {
      const failedAt = at(n.name, 'fail', quick.name)!;
      expect(at(n.name, 'reap', quick.name)! - failedAt).toBeGreaterThan(12_000);
      expect(at(n.name, 'reap', quick.name)! - failedAt).toBeLessThanOrEqual(13_000); // reaps are looked for every second
      expect(stateOf(n, 'n5')).toBe('failed');
    }
  });

  it('a leave is seen as a leave, not a failure', () => {
    const { sim, nodes, events } = cluster(8, 3);
    sim.run(1000);
    sim.leave(nodes[2]!);
    sim.run(sim.nowMs + 2000);
    sim.kill(nodes[2]!);
    sim.run(sim.nowMs + 15_000);
    for (const n of nodes.filter((x) => x !== nodes[2])) expect(stateOf(n, 'n2')).toBe('left');
    expect(events.some((x) => x.e.type === 'fail')).toBe(false);
    expect(events.filter((x) => x.e.type === 'leave')).toHaveLength(7);
  });

  it('a member refutes a suspicion about itself with a higher incarnation', () => {
    const { sim, nodes, events } = cluster(6, 4);
    sim.run(1000);
    const accused = nodes[1]!;
    const lie = compound([encodeMessage({ type: 'suspect', incarnation: 0, node: accused.name, from: 'n0' })]);
    for (const n of nodes) n.core.receivePacket({ addr: 'sim', port: 1 }, lie, sim.nowMs);
    expect(stateOf(nodes[2]!, accused.name)).toBe('suspect');
    sim.run(sim.nowMs + 10_000);
    expect(accused.core.stats.refutes).toBe(1);
    for (const n of nodes) expect(n.core.member(accused.name)).toMatchObject({ state: 'alive', incarnation: 1 });
    expect(events.some((x) => x.e.type === 'fail')).toBe(false);
  });

  it('ignores stale incarnations', () => {
    const { sim, nodes } = cluster(4, 5);
    const a = nodes[0]!;
    const alive = (inc: number, tags: Record<string, string>) =>
      compound([encodeMessage({ type: 'alive', incarnation: inc, node: 'n1', addr: 'sim', port: 2, tags })]);
    a.core.receivePacket({ addr: 'sim', port: 2 }, alive(3, { v: 'new' }), 0);
    a.core.receivePacket({ addr: 'sim', port: 2 }, alive(2, { v: 'old' }), 0);
    expect(a.core.member('n1')).toMatchObject({ incarnation: 3, tags: { v: 'new' } });
    a.core.receivePacket({ addr: 'sim', port: 2 }, compound([encodeMessage({ type: 'dead', incarnation: 2, node: 'n1', from: 'n2' })]), 0);
    expect(stateOf(a, 'n1')).toBe('alive');
    const ev = a.core.takeOutput().events;
    expect(ev.map((e) => e.type)).toEqual(['update']);
  });

  it('spreads tag updates as update events', () => {
    const { sim, nodes, events } = cluster(10, 6);
    sim.run(500);
    nodes[4]!.core.setTags({ version: '2' }, sim.nowMs);
    sim.run(sim.nowMs + 3000);
    const ups = events.filter((x) => x.e.type === 'update' && x.e.member.name === 'n4');
    expect(ups).toHaveLength(9);
    expect(ups.every((x) => x.e.member.tags.version === '2')).toBe(true);
  });

  it('drops and counts malformed and oversized packets', () => {
    const { nodes } = cluster(3, 7);
    const c = nodes[0]!.core;
    c.receivePacket({ addr: 'sim', port: 2 }, new Uint8Array([0xc1, 0xff, 0x00]), 0);
    c.receivePacket({ addr: 'sim', port: 2 }, new Uint8Array([0x92, 0x92, 0x02]), 0);
    c.receivePacket({ addr: 'sim', port: 2 }, new Uint8Array(5000), 0);
    expect(c.handleStream({ addr: 'sim', port: 2 }, new Uint8Array([1, 2, 3]), 0)).toBeUndefined();
    expect(c.stats.droppedMalformed).toBe(3);
    expect(c.stats.droppedOversized).toBe(1);
  });

  it('keeps every packet within the limit while many broadcasts are queued', () => {
    const { sim, nodes } = cluster(100, 8);
    sim.run(500);
    for (let i = 0; i < 60; i++) sim.join(sim.addNode({ role: 'x'.repeat(100) }), [nodes[i]!]);
    sim.run(sim.nowMs + 5000);
    expect(sim.packetBytesMaxSeen).toBeGreaterThan(1000); // the limit was actually exercised
    expect(sim.packetBytesMaxSeen).toBeLessThanOrEqual(1400);
    expect(nodes[0]!.core.liveCount).toBe(160);
  });

  it('an isolated member raises its own awareness score (Lifeguard)', () => {
    const { sim, nodes } = cluster(10, 9);
    sim.run(1000);
    sim.partition((n) => (n === nodes[0] ? 1 : 0));
    sim.run(sim.nowMs + 3000);
    expect(nodes[0]!.core.healthScore).toBeGreaterThan(0);
    expect(nodes[1]!.core.healthScore).toBe(0);
  });

  it('replays exactly from its seed', () => {
    const trace = (seed: number) => {
      const { sim, nodes, events } = cluster(20, seed);
      sim.run(500);
      sim.kill(nodes[7]!);
      sim.run(10_000);
      return events.map((x) => `${x.at.toFixed(3)} ${x.obs} ${x.e.type} ${x.e.member.name}`).join('\n');
    };
    expect(trace(11)).toBe(trace(11));
    expect(trace(11)).not.toBe(trace(12));
  });
});
