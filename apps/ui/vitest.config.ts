import { defineConfig } from 'vitest/config';

// Browser tests start a real agent and a headless Chromium: give them room, and run files
// one after another (2 shared cores; each file owns its own 127.0.9.x address).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
