// `npm run bench -- <name>` runs bench/<name>.ts (with tsx); `npm run bench` runs them all.
// Each benchmark starts its peer (../shared/peers/) in the same run and ends with
// `RESULT <name> ...` and `RATIO <name> ...` lines. Benchmarks are never part of `npm test`.
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
  const r = spawnSync('npx', ['tsx', join(here, `${name}.bench.ts`), ...process.argv.slice(2).filter((a) => a.startsWith('-'))], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
