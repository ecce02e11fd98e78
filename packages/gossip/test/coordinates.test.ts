// Network coordinates in simulation: members placed in a plane, each with an access-link height,
// so the true round trip between two is their distance plus both heights. Probing alone must
// give every member a coordinate from which any pair's RTT can be estimated.
import { describe, expect, it } from 'vitest';
import { lanConfig } from '../src/config.js';
import { distanceSeconds, type Coordinate } from '../src/coordinate.js';
import { decodePacket, encodeMessage } from '../src/messages.js';
import { seededRng } from '../src/rng.js';
import { SimCluster, type SimNode } from '../src/sim/cluster.js';

interface Place { x: number; y: number; h: number }

/** Runs `members` members placed at random (RTT = distance + heights, in ms) for `ms` of virtual time. */
function simulate(members: number, ms: number, seed: number) {
  const rng = seededRng(seed);
  const places: Place[] = Array.from({ length: members }, () => ({ x: rng() * 60, y: rng() * 60, h: 0.5 + rng() * 4.5 }));
  const trueRttMs = (a: number, b: number): number => {
    const p = places[a]!, q = places[b]!;
    return Math.hypot(p.x - q.x, p.y - q.y) + p.h + q.h;
  };
  const jitter = seededRng(seed + 1);
  // One way is half the round trip, with +-5% jitter.
  const latencyMs = (from: SimNode, to: SimNode): number => (trueRttMs(from.index, to.index) / 2) * (0.95 + 0.1 * jitter());
  const sim = new SimCluster({ seed, config: lanConfig(), latencyMs });
  const nodes = sim.bootstrap(members);
  sim.run(ms);
  const errors: number[] = [];
  for (let i = 0; i < members; i++) {
    for (let j = i + 1; j < members; j++) {
      const est = distanceSeconds(nodes[i]!.core.coordinate()!, nodes[j]!.core.coordinate()!) * 1000;
      errors.push(Math.abs(est - trueRttMs(i, j)) / trueRttMs(i, j));
    }
  }
  errors.sort((a, b) => a - b);
  return { median: errors[Math.floor(errors.length / 2)]!, p90: errors[Math.floor(errors.length * 0.9)]!, nodes };
}

describe('network coordinates in simulation', () => {
  it('50 members in a 60 ms plane with 0.5-5 ms heights: median relative RTT error < 5%, p90 < 15% after 300 s (one coordinate observation per 1-1.35 s each)', () => {
    for (const seed of [1, 2]) {
      const r = simulate(50, 300_000, seed);
      expect({ seed, median: r.median < 0.05, p90: r.p90 < 0.15 }).toEqual({ seed, median: true, p90: true });
      // Every member learned its peers' coordinates from their acks.
      expect(r.nodes[0]!.core.memberCoordinate('n1')).toBeDefined();
      expect(r.nodes[0]!.core.stats.coordinateRejected).toBe(0);
    }
  });

  it('before any probe the estimates are poor (the test can tell a converged system from an unconverged one)', () => {
    const r = simulate(50, 1, 3);
    expect(r.median).toBeGreaterThan(0.5);
  });

  it('acks stay small: an ack with an 8-dimensional coordinate is at most 56 bytes (float32); a plain ack still decodes', () => {
    // Values a float32 holds exactly survive the round trip unchanged.
    const f = Math.fround;
    const coord = { Vec: [0.1, -0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((x) => f(x / 3)), Error: f(0.3), Adjustment: f(-0.0001), Height: f(0.00123) };
    const withCoord = encodeMessage({ type: 'ack', seq: 0xffffffff, coord });
    expect(withCoord.length).toBeLessThanOrEqual(56);
    const plain = encodeMessage({ type: 'ack', seq: 7 });
    expect(decodePacket(Uint8Array.of(0x92, ...plain, ...withCoord))).toEqual([{ type: 'ack', seq: 7 }, { type: 'ack', seq: 0xffffffff, coord }]);
  });

  it('float32 on the wire keeps an estimate within 1e-6 relative of float64', () => {
    const c = { Vec: [0.0123456789, -0.0011, 0.00042, 0, 0, 0, 0, 1e-7], Error: 0.987654321, Adjustment: -0.000123456, Height: 0.0000123456 };
    const [back] = decodePacket(Uint8Array.of(0x91, ...encodeMessage({ type: 'ack', seq: 1, coord: c }))) as unknown as [{ coord: typeof c }];
    const o = { ...c, Vec: new Array(8).fill(0) };
    expect(Math.abs(distanceSeconds(back.coord, o) / distanceSeconds(c, o) - 1)).toBeLessThan(1e-6);
  });

  it('an ack with an unusable coordinate still counts as an ack (the coordinate is dropped)', () => {
    const tooMany = encodeMessage({ type: 'ack', seq: 9, coord: { Vec: new Array(17).fill(0), Error: 1, Adjustment: 0, Height: 0 } });
    expect(decodePacket(Uint8Array.of(0x91, ...tooMany))).toEqual([{ type: 'ack', seq: 9 }]);
    const notFinite = encodeMessage({ type: 'ack', seq: 9, coord: { Vec: [Number.NaN], Error: 1, Adjustment: 0, Height: 0 } });
    expect(decodePacket(Uint8Array.of(0x91, ...notFinite))).toEqual([{ type: 'ack', seq: 9 }]);
  });

  it('members without coordinates (an older version) interoperate: they get plain acks and nobody is suspected', () => {
    const sim = new SimCluster({ seed: 7, config: lanConfig(), latencyMsMin: 1, latencyMsMax: 3 });
    const oldConfig = { ...lanConfig(), coordinates: false };
    const newer = Array.from({ length: 4 }, () => sim.addNode());
    const legacy = sim.addNodeWith(oldConfig);
    sim.run(50);
    for (const n of [...newer.slice(1), legacy]) sim.join(n, [newer[0]!]);
    let suspicions = 0;
    sim.onEvent = (_o, e) => { if (e.type === 'fail') suspicions++; };
    // What an old decoder would refuse: a five-element ping or a three-element ack sent to the legacy member.
    let acksToLegacy = 0;
    let coordAcksToLegacy = 0;
    let coordAcksElsewhere = 0;
    let coordPingsToLegacy = 0;
    sim.onPacket = (_from, to, bytes) => {
      for (const m of decodePacket(bytes) ?? []) {
        if (m.type === 'ping' && m.wantCoord && to === legacy) coordPingsToLegacy++;
        if (m.type !== 'ack') continue;
        if (to === legacy) { acksToLegacy++; if (m.coord) coordAcksToLegacy++; } else if (m.coord) coordAcksElsewhere++;
      }
    };
    sim.run(30_000);
    expect(suspicions).toBe(0);
    expect(acksToLegacy).toBeGreaterThan(10);
    expect(coordAcksToLegacy).toBe(0);
    expect(coordPingsToLegacy).toBe(0);
    expect(coordAcksElsewhere).toBeGreaterThan(10);
    expect(newer[0]!.core.liveCount).toBe(5);
    expect(legacy.core.coordinate()).toBeUndefined();
    expect(legacy.core.stats.droppedMalformed).toBe(0);
    // New members measured each other, but never got (or sent) a coordinate from/to the legacy one.
    expect(newer[0]!.core.memberCoordinate(newer[1]!.name)).toBeDefined();
    expect(newer[0]!.core.memberCoordinate(legacy.name)).toBeUndefined();
    // The tag that advertises support is not part of the tags the layer above sees.
    expect(Object.keys(newer[1]!.core.member(newer[0]!.name)!.tags)).toEqual([]);
  });
});

describe('coordinates in the core', () => {
  it('a ping that asks gets our coordinate on its ack, a plain ping a plain ack; asks go out at most once a second', () => {
    const sim = new SimCluster({ seed: 11, config: lanConfig(), latencyMsMin: 1, latencyMsMax: 2 });
    const nodes = sim.bootstrap(5);
    let asks = 0;
    const asksBy = new Map<string, number>();
    sim.onPacket = (from, _to, bytes) => {
      for (const m of decodePacket(bytes) ?? []) {
        if (m.type === 'ping' && m.wantCoord) { asks++; asksBy.set(from.name, (asksBy.get(from.name) ?? 0) + 1); }
      }
    };
    sim.run(20_000);
    // 5 members, 20 s: each asks on the first probe at least 1 s after its last ask (with probes
    // every 450 ms, every third probe: 1.35 s), never more than once a second.
    const { probeIntervalMs, coordinateIntervalMs } = lanConfig();
    const askEveryMs = Math.ceil(coordinateIntervalMs / probeIntervalMs) * probeIntervalMs;
    expect(asks).toBeGreaterThanOrEqual(5 * (Math.floor(20_000 / askEveryMs) - 1));
    for (const n of nodes) expect(asksBy.get(n.name)!).toBeLessThanOrEqual(21);
    const core = nodes[0]!.core;
    core.receivePacket({ addr: 'sim', port: 2 }, Uint8Array.of(0x91, ...encodeMessage({ type: 'ping', seq: 77, target: core.name, source: 'n1', wantCoord: true })), sim.nowMs);
    core.receivePacket({ addr: 'sim', port: 2 }, Uint8Array.of(0x91, ...encodeMessage({ type: 'ping', seq: 78, target: core.name, source: 'n1' })), sim.nowMs);
    const acks = core.takeOutput().packets.flatMap((p) => decodePacket(p.bytes) ?? []).filter((m) => m.type === 'ack');
    expect(acks).toEqual([{ type: 'ack', seq: 77, coord: expect.any(Object) }, { type: 'ack', seq: 78 }]);
    const c = (acks[0] as unknown as { coord: Coordinate }).coord;
    const ours = core.coordinate()!;
    // Ours, as float32 holds it.
    expect(c).toEqual({ Vec: ours.Vec.map(Math.fround), Error: Math.fround(ours.Error), Adjustment: Math.fround(ours.Adjustment), Height: Math.fround(ours.Height) });
    expect(c.Vec.some((x) => x !== 0)).toBe(true);
  });
});
