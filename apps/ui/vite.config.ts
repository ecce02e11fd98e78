import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Built to dist/ and served by the agent at /ui/ (deep links fall back to index.html there).
export default defineConfig({
  base: '/ui/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
