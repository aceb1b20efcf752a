// Starts the lab's Vite dev server on a free localhost port (a secure context, so navigator.gpu exists)
// and hands its URL to the tests.
import { createServer, type ViteDevServer } from 'vite';
import { createServer as netServer } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let server: ViteDevServer | undefined;

export default async function setup(project: TestProject) {
  const port = await freePort();
  server = await createServer({
    configFile: 'vite.config.ts',
    server: { host: '127.0.0.1', port, strictPort: true, open: false },
    logLevel: 'warn',
  });
  await server.listen();
  project.provide('baseUrl', `http://localhost:${port}/`);
  return async () => {
    await server?.close();
  };
}
