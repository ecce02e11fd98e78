// The 5-node half of the simulation suite (its own file so that vitest runs it in parallel
// with the 3-node half in test/sim.test.ts).

import { describe, it } from 'vitest';
import { runSeeds } from './sim-seeds.js';

describe('simulation (5 nodes)', () => {
  it('400 seeds of 5-node clusters stay safe and linearizable', () => runSeeds(10_001, 400, 5), 120_000);
});
