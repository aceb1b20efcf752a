// Starts the lab's Vite dev server on a free localhost port (a secure context, so navigator.gpu exists)
// and hands its URL to the tests. Each run optimizes dependencies into its own fresh cache: with a stale
// shared cache, Vite discovers a dependency mid-test (e.g. one only the role workers import) and reloads
// the page, which kills a live run in progress.
import { createServer, type ViteDevServer } from 'vite';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../src/bench/browser-bench.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

let server: ViteDevServer | undefined;

export default async function setup(project: TestProject) {
  const port = await freePort();
  const cacheDir = mkdtempSync(join(tmpdir(), 'infuser-e2e-vite-'));
  server = await createServer({
    cacheDir,
    configFile: 'vite.config.ts',
    server: { host: '127.0.0.1', port, strictPort: true, open: false },
    logLevel: 'warn',
  });
  await server.listen();
  project.provide('baseUrl', `http://localhost:${port}/`);
  return async () => {
    await server?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  };
}
