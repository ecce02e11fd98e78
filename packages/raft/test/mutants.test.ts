// The mutation check in CI: every classic Raft bug of mutants/catalog.mjs, planted into a
// copy of the source, must be caught (by the simulator within 500 seeds, or by a targeted
// scenario). About a minute on two cores.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));

it('no planted bug survives (npm run mutants)', () => {
  const r = spawnSync(process.execPath, [join(pkg, 'mutants', 'run.mjs')], { cwd: pkg, encoding: 'utf8', timeout: 590_000 });
  const summary = /mutants=(\d+) killed=(\d+) \(by scenarios only: (\d+)\) survived=(\d+)/.exec(r.stdout);
  expect(r.stdout).not.toMatch(/SURVIVED/);
  expect(summary, r.stdout + r.stderr).not.toBeNull();
  const [, total, killed, , survived] = summary!.map(Number);
  expect(survived).toBe(0);
  expect(killed).toBe(total);
  expect(total).toBeGreaterThanOrEqual(15);
  expect(r.status).toBe(0);
}, 600_000);
