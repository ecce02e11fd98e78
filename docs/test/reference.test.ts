// The generated sections of docs/reference match what the code generates now.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './run-tutorial.js';

it('docs/reference is what `npm run docs:gen` writes', () => {
  let output = '';
  let code = 0;
  try {
    execFileSync(process.execPath, [join(repoRoot, 'docs/scripts/gen-reference.mjs'), '--check'], { encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
  } catch (err) {
    const e = err as { status: number; stderr: string; stdout: string };
    code = e.status;
    output = `${e.stdout}${e.stderr}`;
  }
  expect(output).toBe('');
  expect(code).toBe(0);
});
