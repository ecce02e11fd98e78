// `npm run bench -- <name>` runs bench/<name>.ts (with tsx); `npm run bench` runs them all.
// Each benchmark starts its peer (../shared/peers/) in the same run and ends with
// `RESULT <name> ...` and `RATIO <name> ...` lines. Benchmarks are never part of `npm test`.
//
// The harness must stay quiet while it measures. An idle node process runs V8's memory reducer
// 8 s after it starts: up to three full collections about 0.6 s apart, on both cores of a small
// machine. Started through `npx tsx`, two harness processes and tsx's loader thread did that in
// the middle of our first measured level, never in the peer's, which runs later.
// So a benchmark runs in one process, loading tsx with --import, with the reducer off. The
// agents it starts are not affected: they get no node flags.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : all;
const unknown = names.filter((n) => !all.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (have: ${all.join(', ') || 'none'})`);
  process.exit(1);
}
let failed = 0;
for (const name of names) {
  console.log(`== bench ${name}`);
  const args = ['--no-memory-reducer', '--import', 'tsx', join(here, `${name}.bench.ts`), ...process.argv.slice(2).filter((a) => a.startsWith('-'))];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
