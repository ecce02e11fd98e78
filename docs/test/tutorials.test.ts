// Every tutorial in docs/tutorials runs as written (see run-tutorial.ts for the fence convention).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runTutorial } from './run-tutorial.js';

const dir = join(repoRoot, 'docs/tutorials');
/** Tutorials that drive containers: they need a Docker engine (CI starts one). */
const NEEDS_DOCKER = new Set(['03-registrator.md', '05-the-whole-stack.md']);

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

const tutorials = readdirSync(dir).filter((f) => /^\d\d-.*\.md$/.test(f)).sort();

describe('tutorials run as written', () => {
  it('finds the tutorials', () => {
    expect(tutorials.length).toBeGreaterThanOrEqual(8);
  });
  for (const name of tutorials) {
    // The Docker tutorials may build the base image and the stack's images first.
    it(name, { timeout: NEEDS_DOCKER.has(name) ? 2_400_000 : 600_000 }, async () => {
      if (NEEDS_DOCKER.has(name) && !dockerAnswers()) {
        throw new Error(`${name} needs a Docker engine and none answers (docker info failed); .ci/run starts one`);
      }
      const result = await runTutorial(join(dir, name));
      expect(result.blocksRun, `${name} has no sh blocks`).toBeGreaterThan(0);
      if (!result.ok) expect.fail(result.report);
    });
  }
});
