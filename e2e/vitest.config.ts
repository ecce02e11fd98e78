import { defineConfig } from 'vitest/config';
import { topology } from '../deploy/stack.mjs';

// cluster.test.ts is about the cluster topology (three servers and a client): it runs when
// that topology is active (deploy/stack.mjs: PROCONSUL_TOPOLOGY, else deploy/.env).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: topology() === 'cluster' ? [] : ['test/cluster.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
