// The mutation check: plants each bug of catalog.mjs, one at a time, into a temporary copy
// of this package (the shipped source has no mutant switches), runs the simulator's CLI
// (`sim-cli.ts --seeds N`, default settings) there and stops at the first failing seed.
// A mutant the simulator misses is then tried against the targeted scenarios
// (src/scenarios/*.test.ts); one that passes both SURVIVES, and the check fails.
//
//   npm run mutants -w @proconsul/raft [-- --seeds 500] [--only name,name]
//
// Output: one line per mutant, then `mutants=M killed=K (by scenarios only: X) survived=S`;
// exit 1 if any survived,
// 2 if the harness itself cannot run (an anchor no longer matches, the unmutated sim fails).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutants } from './catalog.mjs';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const TIMEOUT_MS = 300_000;

function usage(msg) {
  console.error(`mutants: ${msg} (usage: [--seeds N] [--only name,name])`);
  process.exit(2);
}

let seeds = 500;
let only = null;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seeds') {
    seeds = Number(args[++i]);
    if (!Number.isInteger(seeds) || seeds < 1) usage('--seeds needs a positive integer');
  } else if (args[i] === '--only') {
    only = new Set((args[++i] ?? '').split(','));
    for (const n of only) if (!mutants.some((m) => m.name === n)) usage(`no mutant named ${n}`);
  } else usage(`unknown argument ${args[i]}`);
}

/** The nearest node_modules above the package (the workspace root's). */
function workspaceModules() {
  for (let d = pkg; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', '.bin', 'tsx'))) return join(d, 'node_modules');
  }
  usage('no node_modules with tsx above the package: run npm ci first');
}

/** A copy of the package's source (tests left out) with the mutant's edits applied. */
async function plant(mutant) {
  const dir = await mkdtemp(join(tmpdir(), `raft-mutant-${mutant?.name ?? 'baseline'}-`));
  await cp(join(pkg, 'src'), join(dir, 'src'), { recursive: true });
  for (const f of ['package.json', 'vitest.config.ts']) await cp(join(pkg, f), join(dir, f));
  // The package's tsconfig extends the workspace's: bring that along, next to it.
  const tsconfig = JSON.parse(await readFile(join(pkg, 'tsconfig.json'), 'utf8'));
  await cp(join(pkg, tsconfig.extends), join(dir, 'tsconfig.base.json'));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, extends: './tsconfig.base.json' }));
  await symlink(workspaceModules(), join(dir, 'node_modules'), 'dir');
  for (const e of mutant?.edits ?? []) {
    const path = join(dir, e.file);
    const text = await readFile(path, 'utf8');
    const count = text.split(e.find).length - 1;
    if (count !== 1) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`mutant ${mutant.name}: the text to replace occurs ${count} times in ${e.file} (expected once); update catalog.mjs`);
    }
    await writeFile(path, text.replace(e.find, () => e.replace));
  }
  return dir;
}

/** Runs the simulator CLI in `dir` until its first failing seed (then stops it). */
function runSim(dir) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    // The simulator alone (`npm run sim` runs the scenarios first: a mutant they catch would
    // count as the simulator's crash).
    const child = spawn(join(dir, 'node_modules', '.bin', 'tsx'), ['src/testing/sim-cli.ts', '--seeds', String(seeds)], {
      cwd: dir,
      detached: true, // its own process group, so tsx and the simulator stop together
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    let err = '';
    let result = null;
    const stop = (r) => {
      if (result !== null) return;
      result = r;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stop({ outcome: 'timeout' }), TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^FAIL seed=(\d+) nodes=(\d+): (.*)$/m.exec(out);
      if (m) stop({ outcome: 'fail', seed: Number(m[1]), nodes: Number(m[2]), detail: m[3] });
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Date.now() - t0;
      if (result !== null) return resolve({ ...result, ms });
      const summary = /seeds=\d+ violations=\d+ linearizable=\d+\/\d+/.exec(out)?.[0];
      if (code === 0 && summary) return resolve({ outcome: 'pass', summary, ms });
      // The simulator stopped without a verdict: an exception (the product's own assertions) or a crash.
      const why = /^\w*Error: .*$/m.exec(err)?.[0] ?? `exit ${code}`;
      resolve({ outcome: 'crash', detail: why, ms });
    });
  });
}

/** Runs the targeted scenarios in `dir`; the first failing test's name, or null when all pass. */
function runScenarios(dir) {
  return new Promise((resolve) => {
    const child = spawn(join(dir, 'node_modules', '.bin', 'vitest'), ['run', 'src/scenarios'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', CI: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      if (code === 0) return resolve(null);
      if (process.env.MUTANTS_DEBUG) console.log(out);
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      const failed = /FAIL\s+(src\/scenarios\/\S+ > .*)$/m.exec(plain)?.[1] ?? `vitest exit ${code}`;
      resolve(failed.trim());
    });
  });
}

const t0 = Date.now();
// An equivalent mutant (no execution can tell it from the original) runs only when named.
const chosen = mutants.filter((m) => (only === null ? !m.equivalent : only.has(m.name)));
for (const m of mutants) if (only === null && m.equivalent) console.log(`equivalent ${m.name}: not run - ${m.equivalent}`);
let killed = 0;
let byScenario = 0;
let survived = 0;
try {
  const base = await plant(null);
  const b = await runSim(base);
  const baseScenario = await runScenarios(base);
  await rm(base, { recursive: true, force: true });
  if (b.outcome !== 'pass' || baseScenario !== null) {
    console.log(`baseline: the unmutated copy fails (${b.outcome} ${b.seed ?? ''} ${b.detail ?? ''} ${baseScenario ?? ''}); fix that first`);
    process.exit(2);
  }
  console.log(`baseline   ${b.summary} (${(b.ms / 1000).toFixed(1)} s)`);
  for (const m of chosen) {
    const dir = await plant(m);
    const r = await runSim(dir);
    const failedScenario = r.outcome === 'pass' ? await runScenarios(dir) : null;
    await rm(dir, { recursive: true, force: true });
    const secs = `${(r.ms / 1000).toFixed(1)} s`;
    if (r.outcome === 'pass' && failedScenario !== null) {
      killed++;
      byScenario++;
      console.log(`scenario   ${m.name.padEnd(38)} the simulator missed it (${r.summary}); failed: ${failedScenario}`);
    } else if (r.outcome === 'pass') {
      survived++;
      console.log(`SURVIVED   ${m.name}: ${r.summary} (${secs}), scenarios pass - ${m.why}`);
    } else {
      killed++;
      const how = r.outcome === 'fail' ? `seed=${r.seed} nodes=${r.nodes}` : r.outcome;
      console.log(`killed     ${m.name.padEnd(38)} ${how.padEnd(20)} (${secs}) ${(r.detail ?? '').slice(0, 160)}`);
    }
  }
} catch (e) {
  console.log(`mutants: ${e.message}`);
  process.exit(2);
}
console.error(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`mutants=${chosen.length} killed=${killed} (by scenarios only: ${byScenario}) survived=${survived}`);
process.exit(survived > 0 ? 1 : 0);
