// RaftNode itself on virtual time (src/testing/node-sim.ts): its loop, timers, promises,
// background snapshots and storage error handling under crashes, torn saves, EIO, a full
// disk, pauses and partitions; the clients' history must be linearizable.

import { describe, expect, it } from 'vitest';
import { runNodeSimulation } from '../src/testing/node-sim.js';

describe('RaftNode simulation', () => {
  it('60 seeds (3- and 5-node clusters) stay safe and linearizable', async () => {
    const failures: string[] = [];
    const total = { ops: 0, acked: 0, crashes: 0, storageErrors: 0, leaders: 0 };
    for (let seed = 1; seed <= 60; seed++) {
      const nodes = seed % 3 === 0 ? 5 : 3;
      const r = await runNodeSimulation({ seed, nodes });
      if (r.violations.length > 0 || r.linearizable !== 'ok') {
        failures.push(`seed ${seed} (replay: npm run sim -w @proconsul/raft -- --seeds 1 --from ${seed} --nodes ${nodes} --trace --node): ${r.violations[0] ?? r.linearizable}`);
      }
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r.stats[k];
    }
    expect(failures).toEqual([]);
    // The faults happened and the clients got through.
    for (const v of Object.values(total)) expect(v).toBeGreaterThan(50);
  }, 120_000);

  it('is deterministic: a seed replays to the same trace', async () => {
    const a = await runNodeSimulation({ seed: 7, nodes: 3, trace: true });
    const b = await runNodeSimulation({ seed: 7, nodes: 3, trace: true });
    expect(a.trace.length).toBeGreaterThan(10);
    expect(a.trace).toEqual(b.trace);
    expect(a.stats).toEqual(b.stats);
  });
});
