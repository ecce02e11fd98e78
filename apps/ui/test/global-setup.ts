// Builds the UI before the browser tests so they always run against the current source.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
  execFileSync(process.execPath, [resolve(root, '../../node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
