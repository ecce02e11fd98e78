// The release dry run (scripts/release.mjs check) passes, and its tarball rules can fail.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkTarball, publishable, releaseVersion } from '../../scripts/release.mjs';

const script = fileURLToPath(new URL('../../scripts/release.mjs', import.meta.url));
const pkg = { name: '@proconsul/x', exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } }, bin: { x: './bin/x.js' } };
const good = ['package.json', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'bin/x.js'];

describe('release', () => {
  it('every publishable package is at one version', () => {
    const names = (publishable() as Array<{ pkg: { name: string } }>).map((p) => p.pkg.name);
    expect(names).toContain('@proconsul/api');
    expect(names).not.toContain('@proconsul/testing');
    expect(releaseVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses tests, sources and build configuration in a tarball, and a missing entry file', () => {
    expect(checkTarball({ pkg }, good)).toEqual([]);
    const bad = checkTarball({ pkg }, [...good.filter((f) => f !== 'bin/x.js'), 'dist/a.test.js', 'src/index.ts', 'dist/testing/x.js', 'tsconfig.json', 'test/x.js', 'dist/index.js.map']);
    expect(bad).toEqual([
      'dist/a.test.js: a test file',
      'src/index.ts: a source directory',
      'src/index.ts: a TypeScript source',
      'dist/testing/x.js: a test or bench directory',
      'tsconfig.json: build configuration',
      'test/x.js: a test or bench directory',
      'dist/index.js.map: a source map (the sources it points to are not shipped)',
      'bin/x.js is missing',
    ]);
  });

  it('packs every package, installs the tarballs into an empty folder, runs and requires them', () => {
    const r = spawnSync(process.execPath, [script, 'check'], { encoding: 'utf8', timeout: 580_000 });
    expect(`${r.stdout}${r.stderr}`).toContain('release check passed');
    expect(r.status).toBe(0);
  });
});

describe('image tags', () => {
  it('every image of the compose files and the Swarm stack takes its tag from PROCONSUL_TAG, which deploy/.env sets', async () => {
    const { readFileSync } = await import('node:fs');
    const deploy = fileURLToPath(new URL('../../deploy/', import.meta.url));
    expect(readFileSync(`${deploy}.env`, 'utf8')).toMatch(/^PROCONSUL_TAG=\S+$/m);
    for (const file of ['compose.yml', 'compose.cluster.yml', 'swarm.yml']) {
      const images = readFileSync(`${deploy}${file}`, 'utf8').split('\n').filter((l) => /^\s*image:/.test(l));
      expect(images.length, file).toBeGreaterThan(3);
      for (const line of images) expect(line, file).toMatch(/image: proconsul\/[a-z-]+:\$\{PROCONSUL_TAG:\?[^}]*\}$/);
    }
  });
});
