// The simulator's proof obligations: 1,000+ seeded cluster histories with faults, each
// checked for election safety, log matching, leader completeness and state machine safety
// after every step, and for linearizability of the clients' KV history at the end.

import { describe, expect, it } from 'vitest';
import { runSimulation } from '../src/testing/sim.js';
import { runSeeds } from './sim-seeds.js';
import { checkKvHistory } from '../src/testing/linearizability.js';

describe('simulation', () => {
  it('600 seeds of 3-node clusters stay safe and linearizable', () => runSeeds(1, 600, 3), 120_000);

  it('is deterministic: a seed replays to the same trace', async () => {
    const a = await runSimulation({ seed: 42, nodes: 3, trace: true });
    const b = await runSimulation({ seed: 42, nodes: 3, trace: true });
    expect(a.trace.length).toBeGreaterThan(10);
    expect(a.trace).toEqual(b.trace);
    expect(a.stats).toEqual(b.stats);
  });

  it('exercises faults: elections, crashes, snapshots, membership changes, disk faults and client operations', async () => {
    const total = { elections: 0, crashes: 0, snapshotsSent: 0, confChanges: 0, ops: 0, tornCrashes: 0, failStops: 0, diskFull: 0, refusals: 0, wipes: 0, pauses: 0 };
    for (let seed = 1; seed <= 50; seed++) {
      const s = (await runSimulation({ seed, nodes: 3 })).stats;
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
    }
    for (const v of Object.values(total)) expect(v).toBeGreaterThan(10);
  });
});

describe('linearizability checker', () => {
  it('rejects a stale read after a completed write', () => {
    expect(
      checkKvHistory([
        { clientId: 0, key: 'a', kind: 'put', value: '1', call: 1, ret: 2 },
        { clientId: 1, key: 'a', kind: 'get', output: undefined, call: 3, ret: 4 },
      ]),
    ).toBe('illegal');
  });
  it('accepts a read concurrent with a write either way', () => {
    for (const output of [undefined, '1']) {
      expect(
        checkKvHistory([
          { clientId: 0, key: 'a', kind: 'put', value: '1', call: 1, ret: 5 },
          { clientId: 1, key: 'a', kind: 'get', output, call: 2, ret: 3 },
        ]),
      ).toBe('ok');
    }
  });
  it('an unanswered write may take effect late but reads cannot see it come and go', () => {
    const base = [
      { clientId: 0, key: 'a', kind: 'put' as const, value: '1', call: 1, ret: Infinity },
      { clientId: 1, key: 'a', kind: 'get' as const, output: '1', call: 3, ret: 4 },
    ];
    expect(checkKvHistory(base)).toBe('ok');
    expect(checkKvHistory([...base, { clientId: 1, key: 'a', kind: 'get', output: undefined, call: 5, ret: 6 }])).toBe('illegal');
  });
});
