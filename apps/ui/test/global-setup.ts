// Builds the UI before the browser tests when dist/ is missing or older than the source, so the
// tests always run against the current code. An up-to-date dist/ (turbo builds before it tests)
// is left alone: agents started elsewhere may be serving it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

function newestMtimeMs(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtimeMs(join(path, name))), 0);
}

export default function setup(): void {
  const built = join(root, 'dist', 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(root, p));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtimeMs))) return;
  execFileSync(process.execPath, [resolve(root, '../../node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    // vitest sets NODE_ENV=test, which would make vite build a development bundle.
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
