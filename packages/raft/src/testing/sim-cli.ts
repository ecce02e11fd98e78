// `npm run sim -w @proconsul/raft -- --seeds N [--from S] [--nodes 3|5] [--trace] [--node]`
// Runs seeds S..S+N-1 and ends with `seeds=N violations=V linearizable=L/N`. Each seed runs
// the time-based simulator (on the real storage code) and then the adversarial message
// scheduler (adversary.ts); `--node` runs the RaftNode simulator (node-sim.ts) instead.

import { runAdversary } from './adversary.js';
import { runNodeSimulation } from './node-sim.js';
import { runSimulation } from './sim.js';

function usage(msg: string): never {
  console.error(`sim: ${msg} (usage: --seeds N [--from S] [--nodes 3|5] [--trace] [--node])`);
  process.exit(1);
}

const args = process.argv.slice(2);
let seeds = 100;
let from = 1;
let nodes: 3 | 5 | 'both' = 'both';
let trace = false;
let realNode = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const num = (): number => {
    const v = Number(args[++i]);
    if (!Number.isInteger(v) || v < 0) usage(`${a} needs a non-negative integer`);
    return v;
  };
  if (a === '--seeds') seeds = num();
  else if (a === '--from') from = num();
  else if (a === '--nodes') {
    const v = num();
    if (v !== 3 && v !== 5) usage('--nodes must be 3 or 5');
    nodes = v;
  } else if (a === '--trace') trace = true;
  else if (a === '--node') realNode = true;
  else usage(`unknown argument ${a}`);
}

let violations = 0;
let linearizable = 0;
const t0 = Date.now();
for (let s = from; s < from + seeds; s++) {
  const n: 3 | 5 = nodes === 'both' ? (s % 3 === 0 ? 5 : 3) : nodes;
  const r = realNode ? await runNodeSimulation({ seed: s, nodes: n, trace }) : await runSimulation({ seed: s, nodes: n, trace });
  if (!realNode && r.violations.length === 0) {
    const a = runAdversary({ seed: s, nodes: n, trace });
    if (a.violations.length > 0) {
      r.violations.push(...a.violations.map((v) => `adversary: ${v}`));
      r.trace.push(...a.trace);
    }
  }
  if (r.linearizable === 'ok' && r.violations.length === 0) linearizable++;
  if (r.violations.length > 0) {
    violations++;
    console.log(`FAIL seed=${s} nodes=${n}: ${r.violations.join('; ')}`);
    console.log(`  replay: npm run sim -w @proconsul/raft -- --seeds 1 --from ${s} --nodes ${n} --trace${realNode ? ' --node' : ''}`);
    if (trace) for (const line of r.trace) console.log(`  ${line}`);
  } else if (r.linearizable === 'unknown') {
    console.log(`seed=${s} nodes=${n}: linearizability check ran out of budget`);
  } else if (trace) {
    for (const line of r.trace) console.log(`  ${line}`);
    console.log(`seed=${s} stats ${JSON.stringify(r.stats)}`);
  }
}
console.error(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`seeds=${seeds} violations=${violations} linearizable=${linearizable}/${seeds}`);
process.exit(violations > 0 ? 1 : 0);
