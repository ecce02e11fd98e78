// Where things are in the checkout, for tests that run the built programs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (this file is packages/testing/src/paths.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The built agent entry point: `node <agentEntry> -dev ...` is what `proconsul agent` runs. */
export const agentEntry = resolve(repoRoot, 'packages/agent/dist/run.js');
