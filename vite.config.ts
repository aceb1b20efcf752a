import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// COOP/COEP make the page cross-origin isolated, so onnxruntime-web's wasm threads work.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation, port: 5173 },
  preview: { headers: isolation },
  worker: { format: 'es' },
  // Pre-bundle the role worker's imports at start, so Vite never re-optimises (and reloads) mid-run.
  optimizeDeps: { entries: ['index.html', 'src/workers/role.worker.ts'] },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One GPU device per worker process; two cores on CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
