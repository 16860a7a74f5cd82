// vite.config.ts - builds the dashboard to web/dist (served by `yaa serve` at /); in dev,
// proxies the API to a local `yaa serve` (YAA_API, default http://127.0.0.1:8000).
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': process.env.YAA_API ?? 'http://127.0.0.1:8000',
      '/health': process.env.YAA_API ?? 'http://127.0.0.1:8000',
      '/openapi.json': process.env.YAA_API ?? 'http://127.0.0.1:8000',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    setupFiles: ['tests/setup.ts'],
  },
});
