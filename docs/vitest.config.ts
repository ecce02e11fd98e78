import { defineConfig } from 'vitest/config';

// The tutorials start real agents on fixed addresses (127.0.77.0/24, 127.0.78.0/24): one file at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
