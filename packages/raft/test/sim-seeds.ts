import { expect } from 'vitest';
import { runSimulation } from '../src/testing/sim.js';

/** Runs seeds from..from+count-1; every one must be free of violations and linearizable. */
export async function runSeeds(from: number, count: number, nodes: 3 | 5): Promise<void> {
  const failures: string[] = [];
  let linearizable = 0;
  for (let seed = from; seed < from + count; seed++) {
    const r = await runSimulation({ seed, nodes });
    if (r.violations.length > 0) failures.push(`seed ${seed} (replay: npm run sim -w @proconsul/raft -- --seeds 1 --from ${seed} --nodes ${nodes} --trace): ${r.violations[0]}`);
    if (r.linearizable === 'ok' && r.violations.length === 0) linearizable++;
  }
  expect(failures).toEqual([]);
  expect(linearizable).toBe(count);
}
