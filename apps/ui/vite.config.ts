import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The agent whose /v1 API `vite` (dev server) and `vite preview` forward to, e.g. a real Consul.
const agent = process.env['PROCONSUL_UI_AGENT'] ?? 'http://127.0.0.1:8500';

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
  server: { proxy: { '/v1': { target: agent, changeOrigin: true } } },
  preview: { proxy: { '/v1': { target: agent, changeOrigin: true } } },
});
