// node only: runs the matmul bench inside headless Chromium. Starts the lab's Vite dev server through
// its JS API on a free localhost port (vite.config.ts adds the COOP/COEP headers, so the page is
// cross-origin isolated and ORT's wasm threads work), opens bench.html in Debian's Chromium with the
// e2e harness's flags (WebGPU on SwiftShader without a GPU), calls the page's bench and closes both.
import { createServer as netServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../e2e/browser.ts';
import {
  PAGE_API, PAGE_EMIT, type PageBenchApi, type PageBenchRequest, type PageBenchResult, type PageProductRequest,
} from './page-protocol.ts';
import type { BenchRow } from '../engine/bench/report.ts';
import type { SkippedCase } from '../engine/bench/matmul-bench.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BrowserBenchOptions {
  /** Each row (or skipped case) as the page measures it. */
  onRow?: (row: BenchRow | SkippedCase) => void;
  /** The page's console warnings and errors (default: stderr). */
  onConsole?: (line: string) => void;
  /** Milliseconds to wait for the page to load and expose its bench (default 120 s). */
  loadTimeoutMs?: number;
}

/** A free localhost TCP port (the bench's and the e2e tests' Vite servers). */
export function freePort(): Promise<number> {
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

async function startVite(): Promise<{ server: ViteDevServer; url: string }> {
  const port = await freePort();
  const server = await createServer({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    // Its own pre-bundle cache, so a dev server running beside it (npm run dev, the e2e suite's) never
    // races it re-optimizing the same dependency folder.
    cacheDir: `${ROOT}node_modules/.vite-bench`,
    // Pre-bundle the bench page's imports at start, so Vite never re-optimises (and reloads) mid-run.
    optimizeDeps: { entries: ['bench.html'] },
    server: { host: '127.0.0.1', port, strictPort: true, open: false },
    logLevel: 'warn',
  });
  await server.listen();
  return { server, url: `http://localhost:${port}/bench.html` };
}

async function openBenchPage(browser: Browser, url: string, opts: BrowserBenchOptions): Promise<Page> {
  const page = await browser.newPage();
  const log = opts.onConsole ?? ((line: string) => process.stderr.write(`${line}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log(`[bench page ${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (err) => log(`[bench page error] ${err.message}`));
  await page.exposeFunction(PAGE_EMIT, (json: string) => opts.onRow?.(JSON.parse(json) as BenchRow | SkippedCase));
  await page.goto(url);
  try {
    await page.waitForFunction((name) => name in globalThis, PAGE_API, { timeout: opts.loadTimeoutMs ?? 120_000 });
  } catch (err) {
    throw new Error(`bench page ${url} did not load its bench (window.${PAGE_API} missing): ${(err as Error).message}`);
  }
  return page;
}

/** Calls `work` with the bench page of a fresh Vite server and headless Chromium; both closed after. */
export async function withBenchPage<T>(work: (page: Page) => Promise<T>, opts: BrowserBenchOptions = {}): Promise<T> {
  const { server, url } = await startVite();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium().catch((err: Error) => {
      const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
      throw new Error(`--browser could not start Chromium at ${path} (apt-get install chromium, or set CHROMIUM_PATH): ${err.message}`);
    });
    return await work(await openBenchPage(browser, url, opts));
  } finally {
    await browser?.close();
    await server.close();
  }
}

type Api = Record<string, PageBenchApi>;

/** Runs the matmul bench in an open bench page. */
export function pageBench(page: Page, req: PageBenchRequest): Promise<PageBenchResult> {
  return page.evaluate(([name, r]) => (globalThis as unknown as Api)[name].run(r), [PAGE_API, req] as const);
}

/** One product computed in an open bench page by the engine or onnxruntime-web. */
export function pageProduct(page: Page, req: PageProductRequest): Promise<number[]> {
  return page.evaluate(([name, r]) => (globalThis as unknown as Api)[name].product(r), [PAGE_API, req] as const);
}

/** Runs `req` in the bench page of a fresh Vite server and headless Chromium. */
export function runBrowserBench(req: PageBenchRequest, opts: BrowserBenchOptions = {}): Promise<PageBenchResult> {
  return withBenchPage((page) => pageBench(page, req), opts);
}
