// The browser bench end to end on tiny shapes: its own Vite server and headless Chromium
// (src/bench/browser-bench.ts), bench.html's engine and onnxruntime-web's webgpu and wasm EPs computing
// the product the bench times (against a float64 reference), and one bench case coming back to node.
import { describe, expect, it } from 'vitest';
import { pageBench, pageProduct, withBenchPage } from '../src/bench/browser-bench.ts';
import type { PageProductRequest } from '../src/bench/page-protocol.ts';
import { matmulRef } from '../src/engine/ops/matmul.ts';
import { asF32, assertClose, randn } from '../src/engine/testing.ts';

describe('the browser bench page', () => {
  it('computes the timed product with the engine and both ORT providers, then benches one tiny case', async () => {
    const [M, N, K] = [5, 7, 6];
    const a = asF32(randn(M * K, 71));
    const b = asF32(randn(N * K, 72));
    const want = matmulRef(a, b, { M, N, K, batch: 1, batchedA: false, batchedB: false, transA: false, transB: true });
    const base = { M, N, K, transA: false, transB: true, a: Array.from(a), b: Array.from(b) };
    const rows: string[] = [];
    const result = await withBenchPage(async (page) => {
      for (const req of [
        { ...base, impl: 'engine', variant: 'regs4x4' },
        { ...base, impl: 'ort-webgpu' },
        { ...base, impl: 'ort-wasm' },
      ] satisfies PageProductRequest[]) {
        assertClose(await pageProduct(page, req), want, { rtol: 1e-4, atol: 1e-5 }, `bench page ${req.impl} A·Bᵀ`);
      }
      return pageBench(page, {
        sizes: [24], variants: ['regs4x4'], layouts: ['nt'], repeat: 1, budgetMs: 1000,
        ortWebgpu: true, ortWasm: true, threads: 2, wallClock: true, autotune: false,
      });
    }, { onRow: (r) => rows.push(`${r.impl} ${r.variant}`) });
    expect(result.crossOriginIsolated).toBe(true);
    expect(result.adapter).toMatch(/swiftshader|software|google|nvidia|amd|intel|apple/i);
    expect(result.rows.map((r) => `${r.impl} ${r.variant}`)).toEqual(['webgpu regs4x4', 'onnxruntime-web webgpu', 'onnxruntime-web wasm x2']);
    expect(rows).toEqual(result.rows.map((r) => `${r.impl} ${r.variant}`));
    for (const r of result.rows) {
      expect(r.n).toBe(24);
      expect(r.gflops).toBeGreaterThan(0);
      expect(Number.isFinite(r.gflops)).toBe(true);
    }
    expect(result.rows.find((r) => r.variant === 'webgpu')?.io).toBe('gpu-buffer');
    expect(result.rows.every((r) => r.method === 'wall-clock')).toBe(true);
    expect(result.peakAllocatedBytes).toBeGreaterThanOrEqual(3 * 24 * 24 * 4);
  }, 120_000);
});
