// The matmul bench's measuring loop, shared by node (src/cli/bench.ts) and the bench page
// (src/bench/bench-page.ts): every kernel variant on n x n x n products at each size and layout, timed
// with gpu-timer.ts, with the caller's peers (onnxruntime-web on some provider) measured right after
// the variants of the same case. Runs wherever the engine runs; no node or DOM APIs.
import type { Engine } from '../engine.ts';
import { matmulDispatch, type MatmulPlan, type MatmulVariant } from '../ops/matmul.ts';
import { timeDispatch } from './gpu-timer.ts';
import { benchFill } from './ort-model.ts';
import type { BenchRow, Layout } from './report.ts';

export interface MatmulBenchOptions {
  sizes: readonly number[];
  variants: readonly MatmulVariant[];
  layouts: readonly Layout[];
  /** Timed runs per case (fewer when one run would pass budgetMs). */
  repeat: number;
  budgetMs: number;
  /** Time our kernels by wall clock even where timestamp-query exists (the clock a peer gets). */
  wallClock?: boolean;
}

/** A case skipped because a smaller size predicts one run above 2 x budgetMs. */
export interface SkippedCase {
  bench: 'matmul';
  impl: 'webgpu';
  variant: MatmulVariant;
  layout: Layout;
  n: number;
  skipped: true;
  predictedMs: number;
}

/** Measures the peers of one case (size and layout); rows come back in the order they should print. */
export type PeerBench = (n: number, layout: Layout) => Promise<BenchRow[]>;

export const gflopsOf = (n: number, ms: number): number => (2 * n ** 3) / (ms * 1e6);

/** Times one variant on an n x n x n product; operands live only for this case. */
export async function benchVariant(e: Engine, variant: MatmulVariant, n: number, layout: Layout, o: Pick<MatmulBenchOptions, 'repeat' | 'budgetMs' | 'wallClock'>): Promise<BenchRow> {
  const [transA, transB] = [layout[0] === 't', layout[1] === 't'];
  const a = e.fromArray(benchFill(n * n), [n, n], 'A');
  const b = e.fromArray(benchFill(n * n), [n, n], 'B');
  const c = e.empty([n, n], 'C');
  e.pool.resetPeaks();
  try {
    const plan: MatmulPlan = { M: n, N: n, K: n, batch: 1, reduce: 1, strideA: 0, strideB: 0, strideC: 0, transA, transB, accumulate: false };
    const t = await timeDispatch(e, matmulDispatch(c, a, b, plan, variant), { repeat: o.repeat, budgetMs: o.budgetMs, timestamps: !o.wallClock });
    return {
      impl: 'webgpu', variant, layout, n, ms: t.ms, gflops: gflopsOf(n, t.ms), repeat: t.repeat, method: t.method,
      peakLiveBytes: e.stats.peakLiveBytes,
    };
  } finally {
    [a, b, c].forEach((t) => t.dispose());
  }
}

/**
 * Sizes ascending; per size and layout every variant, then the peers. A variant whose speed at a
 * smaller size predicts one run above twice the budget is skipped (on SwiftShader tiled16 would need
 * ~25 s for one 1024³ product). Each row and skip goes to `emit` as soon as it is measured.
 */
export async function runMatmulBench(
  e: Engine,
  o: MatmulBenchOptions,
  peers: PeerBench | null,
  emit: (r: BenchRow | SkippedCase) => void,
): Promise<{ rows: BenchRow[]; skipped: SkippedCase[] }> {
  const rows: BenchRow[] = [];
  const skipped: SkippedCase[] = [];
  const lastGflops = new Map<string, number>();
  for (const n of [...o.sizes].sort((x, y) => x - y)) {
    for (const layout of o.layouts) {
      for (const variant of o.variants) {
        const predictedMs = (2 * n ** 3) / ((lastGflops.get(`${variant} ${layout}`) ?? Infinity) * 1e6);
        if (predictedMs > 2 * o.budgetMs) {
          const s: SkippedCase = { bench: 'matmul', impl: 'webgpu', variant, layout, n, skipped: true, predictedMs };
          skipped.push(s);
          emit(s);
          continue;
        }
        const row = await benchVariant(e, variant, n, layout, o);
        lastGflops.set(`${variant} ${layout}`, row.gflops);
        rows.push(row);
        emit(row);
      }
      for (const row of peers ? await peers(n, layout) : []) {
        rows.push(row);
        emit(row);
      }
    }
  }
  return { rows, skipped };
}

/** "tiled16 nn 1024 (~25 s per run)" for the line under the table. */
export const describeSkip = (s: SkippedCase): string => `${s.variant} ${s.layout} ${s.n} (~${(s.predictedMs / 1000).toFixed(0)} s per run)`;
