// The adversarial scheduler (also run by `npm run sim` for every seed): 1,000 seeds of
// arbitrary message order, loss, duplication, crashes, partitions, clock drift, membership
// changes and transfers, checked after every step.

import { describe, expect, it } from 'vitest';
import { runAdversary } from '../src/testing/adversary.js';

describe('adversarial scheduler', () => {
  it('1,000 seeds of 3/4- and 5-voter clusters stay safe', () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 1000; seed++) {
      const r = runAdversary({ seed, nodes: seed % 3 === 0 ? 5 : 3 });
      if (r.violations.length > 0) failures.push(`seed ${seed}: ${r.violations[0]}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('exercises what it claims: elections, commits, reads, crashes, transfers, membership changes, snapshots', () => {
    const total: Record<string, number> = {};
    for (let seed = 1; seed <= 50; seed++) {
      for (const [k, v] of Object.entries(runAdversary({ seed, nodes: 3 }).stats)) total[k] = (total[k] ?? 0) + v;
    }
    for (const [k, v] of Object.entries(total)) expect(v, k).toBeGreaterThan(20);
  });

  it('is deterministic: a seed replays to the same trace', () => {
    const a = runAdversary({ seed: 7, nodes: 5, trace: true });
    const b = runAdversary({ seed: 7, nodes: 5, trace: true });
    expect(a.trace.length).toBeGreaterThan(50);
    expect(a.trace).toEqual(b.trace);
  });
});
