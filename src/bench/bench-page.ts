// The bench page (bench.html, served by Vite): runs the matmul bench inside Chromium with the engine
// in the page, beside onnxruntime-web's webgpu execution provider on the same adapter and its wasm EP,
// all in one run. Node drives it (browser-bench.ts) through `window.infuserBench.run` and receives each
// row as it is measured through the function it exposes as `window.infuserBenchEmit`.
// onnxruntime-web's webgpu build fetches its wasm binary and the JS glue that loads it (workers use the
// glue too); Vite serves both files from the package by URL, so the page names them explicitly.
import * as ort from 'onnxruntime-web/webgpu';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { acquireGpu, describeGpu } from '../engine/device.ts';
import { Engine } from '../engine/engine.ts';
import { autotune, memoryStore } from '../engine/autotune.ts';
import { gflopsOf, runMatmulBench } from '../engine/bench/matmul-bench.ts';
import { runOrtCase, timeOrtCase, type OrtProvider } from '../engine/bench/ort-model.ts';
import type { BenchRow, Layout } from '../engine/bench/report.ts';
import { MATMUL_TUNABLE, matmul } from '../engine/ops/matmul.ts';
import {
  PAGE_API, PAGE_EMIT, type AutotunePick, type PageBenchApi, type PageBenchRequest, type PageBenchResult, type PageProductRequest,
} from './page-protocol.ts';

ort.env.wasm.wasmPaths = { wasm: ortWasmUrl, mjs: ortMjsUrl };

type Emit = (json: string) => Promise<void> | void;
const page = globalThis as unknown as Record<string, unknown>;

async function ortRow(provider: OrtProvider, n: number, layout: Layout, req: PageBenchRequest, threads: number): Promise<BenchRow> {
  const c = { M: n, N: n, K: n, transA: layout[0] === 't', transB: layout[1] === 't' };
  const t = await timeOrtCase(ort, c, { provider, threads, repeat: req.repeat, budgetMs: req.budgetMs });
  const variant = provider === 'webgpu' ? 'webgpu' : `wasm x${t.threads}`;
  return { impl: 'onnxruntime-web', variant, layout, n, ms: t.ms, gflops: gflopsOf(n, t.ms), repeat: t.repeat, method: 'wall-clock', io: t.io };
}

async function pickVariant(e: Engine): Promise<AutotunePick> {
  const r = await autotune(e, MATMUL_TUNABLE, { store: memoryStore(), retune: true });
  return { variant: r.variant, method: r.method, timingsMs: r.timingsMs };
}

async function run(req: PageBenchRequest): Promise<PageBenchResult> {
  const emit = page[PAGE_EMIT] as Emit | undefined;
  const gpu = await acquireGpu();
  const e = new Engine(gpu);
  // Without cross-origin isolation there is no SharedArrayBuffer, so ORT's wasm runs one thread.
  const threads = crossOriginIsolated ? req.threads : 1;
  try {
    const selected = req.autotune ? await pickVariant(e) : null;
    const peers = async (n: number, layout: Layout): Promise<BenchRow[]> => {
      const rows: BenchRow[] = [];
      if (req.ortWebgpu) rows.push(await ortRow('webgpu', n, layout, req, threads));
      if (req.ortWasm) rows.push(await ortRow('wasm', n, layout, req, threads));
      return rows;
    };
    const { rows, skipped } = await runMatmulBench(e, req, peers, (r) => void emit?.(JSON.stringify(r)));
    return {
      adapter: describeGpu(gpu),
      isSoftware: gpu.adapter.isSoftware,
      userAgent: navigator.userAgent,
      crossOriginIsolated,
      threads,
      selected,
      rows,
      skipped,
      peakAllocatedBytes: e.stats.peakAllocatedBytes,
    };
  } finally {
    gpu.device.destroy();
  }
}

async function product(req: PageProductRequest): Promise<number[]> {
  const [a, b] = [Float32Array.from(req.a), Float32Array.from(req.b)];
  if (req.impl !== 'engine') {
    return Array.from(await runOrtCase(ort, req, a, b, { provider: req.impl === 'ort-webgpu' ? 'webgpu' : 'wasm' }));
  }
  const gpu = await acquireGpu();
  try {
    const e = new Engine(gpu);
    const ta = e.fromArray(a, req.transA ? [req.K, req.M] : [req.M, req.K], 'A');
    const tb = e.fromArray(b, req.transB ? [req.N, req.K] : [req.K, req.N], 'B');
    return Array.from(await matmul(ta, tb, { transA: req.transA, transB: req.transB, variant: req.variant }).toArray());
  } finally {
    gpu.device.destroy();
  }
}

const api: PageBenchApi = { run, product };
page[PAGE_API] = api;
