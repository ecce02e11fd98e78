// Simulation tests: hundreds of members on virtual time with seeded loss, partitions and heals.
import { describe, expect, it } from 'vitest';
import { lanConfig } from '../src/config.js';
import { SimCluster } from '../src/sim/cluster.js';
import { formatResult, runScenario } from '../src/sim/scenario.js';

describe('simulated clusters', () => {
  it('300 members, 1% loss: no false failures; joins reach all; failures known to all within the suspicion timeout + 2 s', () => {
    const r = runScenario({ members: 300, seeds: 2, loss: 0.01, rounds: 2 });
    expect(r.falsePositives).toBe(0);
    expect(r.joinMs).toHaveLength(4);
    for (const j of r.joinMs) expect(j).toBeLessThan(2000);
    for (const f of r.failMs) expect(f).toBeLessThanOrEqual(r.suspicionTimeoutMs + 2000);
    expect(formatResult(r)).toMatch(/^members=300 seeds=2 join_ms=\d+\/\d+\/\d+ fail_ms=\d+\/\d+\/\d+ false_positives=0 bytes_per_member_s=\d+$/);
  });

  it('a partition makes each side fail the other; after the heal everyone is alive again', () => {
    const sim = new SimCluster({ seed: 21, config: lanConfig(), loss: 0.01 });
    const nodes = sim.bootstrap(40);
    sim.run(1000);
    sim.partition((n) => (n.index < 20 ? 1 : 2));
    sim.run(sim.nowMs + 20_000);
    expect(nodes[0]!.core.member('n30')?.state).toBe('failed');
    expect(nodes[30]!.core.member('n0')?.state).toBe('failed');
    sim.heal();
    const allAlive = () => nodes.every((n) => n.core.members().every((m) => m.state === 'alive') && n.core.liveCount === 40);
    sim.run(sim.nowMs + 120_000, allAlive);
    expect(allAlive()).toBe(true);
  });

  it('a burst of concurrent joins into one seed converges without stragglers (40 seeded runs)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const sim = new SimCluster({ seed, config: lanConfig(), loss: 0.01 });
      const nodes = Array.from({ length: 9 }, () => sim.addNode());
      sim.run(50);
      for (const n of nodes.slice(1)) sim.join(n, [nodes[0]!]);
      const t0 = sim.nowMs;
      const done = () => nodes.every((n) => n.core.liveCount === 9);
      sim.run(t0 + 30_000, done);
      expect({ seed, converged: done(), withinMs2000: sim.nowMs - t0 < 2000 }).toEqual({ seed, converged: true, withinMs2000: true });
    }
  });

  it('with 10% loss the cluster still converges on a join and a failure', () => {
    const r = runScenario({ members: 100, seeds: 1, loss: 0.1 });
    expect(r.joinMs.every(Number.isFinite)).toBe(true);
    expect(r.failMs.every(Number.isFinite)).toBe(true);
  });
});
