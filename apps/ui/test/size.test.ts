// The built UI must stay under 300 KB gzipped (issue 7), and be built for the /ui/ base.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { uiDir } from '../index.js';

const LIMIT_BYTES = 300 * 1024;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('built UI', () => {
  it('exports the absolute path of dist/', () => {
    expect(uiDir).toBe(resolve(fileURLToPath(new URL('..', import.meta.url)), 'dist'));
    expect(statSync(join(uiDir, 'index.html')).isFile()).toBe(true);
  });

  it('is under 300 KB gzipped', () => {
    const all = files(uiDir);
    expect(all.length).toBeGreaterThan(1);
    const gzipped = all.reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0);
    console.log(`dist/: ${all.length} files, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThan(LIMIT_BYTES);
  });

  it('loads its assets from /ui/', () => {
    const html = readFileSync(join(uiDir, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(r.startsWith('/ui/assets/')).toBe(true);
  });
});
