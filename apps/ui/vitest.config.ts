import { defineConfig } from 'vitest/config';

// Browser tests start real agents and a headless Chromium: give them room, and run
// files one after another (2 shared cores; each file owns its own agent address).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
