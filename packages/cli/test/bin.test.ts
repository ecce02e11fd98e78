// The executable itself: a closed stdout is not a crash.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/proconsul.js', import.meta.url));

it('stops quietly when the reader of stdout goes away (`proconsul version | head -1`)', () => {
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" version | head -c 1 >/dev/null`], { encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).not.toContain('EPIPE');
  expect(r.status).toBe(0);
});

it('prints the version of its package.json', async () => {
  const { version } = (await import('../package.json', { with: { type: 'json' } })).default as { version: string };
  const r = spawnSync(process.execPath, [bin, 'version'], { encoding: 'utf8', timeout: 20_000 });
  expect(r.stdout.split('\n')[0]).toBe(`Proconsul v${version}`);
});

it('`proconsul agent -h` prints every agent flag and exits 0, as `consul agent -h`', () => {
  const r = spawnSync(process.execPath, [bin, 'agent', '-h'], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^Usage: proconsul agent \[options\]/);
  expect(r.stdout).toContain('  -retry-join=<value>\n     Sets retry_join. May be repeated.');
  expect(r.stdout).toContain('  -bootstrap-expect=<int>\n     Sets bootstrap_expect.');
});
