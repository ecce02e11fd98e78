import { defineConfig } from 'vitest/config';
import { topology } from '../deploy/stack.mjs';

// cluster.test.ts needs the cluster topology (three servers and a client), which needs
// clustering in the agent: it runs when that topology is active (deploy/stack.mjs).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: topology() === 'cluster' ? [] : ['test/cluster.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
