// `infuser-lab bench` (npm run bench): GFLOP/s of every matmul variant on square products, beside
// onnxruntime-web's wasm EP on the same machine in the same run, and the engine's peak GPU bytes.
// Prints one JSON object per case on stdout, then a readable table. Uses ops/matmul.ts (kernels),
// engine/bench/gpu-timer.ts and engine/bench/ort-matmul.ts; --autotune also runs engine/autotune.ts.
import { availableParallelism } from 'node:os';
import { describeGpu } from '../engine/device.ts';
import type { Engine } from '../engine/engine.ts';
import { autotune, memoryStore } from '../engine/autotune.ts';
import { timeDispatch } from '../engine/bench/gpu-timer.ts';
import { timeOrtMatmul } from '../engine/bench/ort-matmul.ts';
import { formatTable, LAYOUTS, type BenchRow, type Layout } from '../engine/bench/report.ts';
import { MATMUL_TUNABLE, MATMUL_VARIANTS, matmulDispatch, type MatmulVariant } from '../engine/ops/matmul.ts';
import { parseFlags } from './args.ts';
import type { Command } from './command.ts';
import { withEngine } from './model-flags.ts';

const HELP = `infuser-lab bench [--sizes 256,512,1024] [--variants naive,regs4x4,regs8x8,tiled16] [--layouts nn,nt]
                  [--repeat 3] [--budget-ms 4000] [--threads N] [--no-ort] [--autotune]

Times each matmul variant on n x n x n products (GFLOP/s) beside onnxruntime-web's wasm EP
(MatMul, or Gemm for transposed layouts) in the same run, with the engine pool's peak GPU bytes.
  layouts      nn = A·B, nt = A·Bᵀ (linear layer), tn = Aᵀ·B (weight gradient), tt
  --repeat     timed runs per case (fewer when one run would pass --budget-ms); a variant whose
               speed at a smaller size predicts one run above 2 x --budget-ms is skipped
  --threads    onnxruntime-web wasm threads (default: all cores)
  --autotune   also measure autotune's pick for this adapter (memory only, nothing stored)
Prints one JSON object per case, then a table.
`;

interface Args {
  sizes: number[];
  variants: MatmulVariant[];
  layouts: Layout[];
  repeat: number;
  budgetMs: number;
  threads: number;
  ort: boolean;
  autotune: boolean;
}

function list<T extends string>(text: string, allowed: readonly T[], flag: string): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of items) {
    if (!allowed.includes(s as T)) throw new Error(`--${flag} '${s}' is not one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} needs a positive integer, got '${text}'`);
  return n;
}

function parse(argv: string[]): Args {
  const f = parseFlags(argv, {
    sizes: 'string', variants: 'string', layouts: 'string', repeat: 'string', 'budget-ms': 'string',
    threads: 'string', 'no-ort': 'boolean', autotune: 'boolean',
  }, 'bench');
  const text = (name: string, fallback: string): string => (f[name] === undefined ? fallback : String(f[name]));
  return {
    sizes: text('sizes', '256,512,1024').split(',').map((s) => positive(s, 'sizes')),
    variants: list(text('variants', MATMUL_VARIANTS.join(',')), MATMUL_VARIANTS, 'variants'),
    layouts: list(text('layouts', 'nn,nt'), LAYOUTS, 'layouts'),
    repeat: positive(text('repeat', '3'), 'repeat'),
    budgetMs: positive(text('budget-ms', '4000'), 'budget-ms'),
    threads: positive(text('threads', String(availableParallelism())), 'threads'),
    ort: f['no-ort'] !== true,
    autotune: f.autotune === true,
  };
}

const fill = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);

/** Times one variant on an n x n x n product; operands live only for this case. */
async function benchVariant(e: Engine, variant: MatmulVariant, n: number, layout: Layout, args: Args): Promise<BenchRow> {
  const [transA, transB] = [layout[0] === 't', layout[1] === 't'];
  const a = e.fromArray(fill(n * n), [n, n], 'A');
  const b = e.fromArray(fill(n * n), [n, n], 'B');
  const c = e.empty([n, n], 'C');
  e.pool.resetPeaks();
  try {
    const plan = { M: n, N: n, K: n, batch: 1, reduce: 1, strideA: 0, strideB: 0, strideC: 0, transA, transB, accumulate: false };
    const t = await timeDispatch(e, matmulDispatch(c, a, b, plan, variant), { repeat: args.repeat, budgetMs: args.budgetMs });
    const gflops = (2 * n ** 3) / (t.ms * 1e6);
    return { impl: 'webgpu', variant, layout, n, ms: t.ms, gflops, repeat: t.repeat, method: t.method, peakLiveBytes: e.stats.peakLiveBytes };
  } finally {
    [a, b, c].forEach((t) => t.dispose());
  }
}

async function benchOrt(n: number, layout: Layout, args: Args): Promise<BenchRow> {
  const [transA, transB] = [layout[0] === 't', layout[1] === 't'];
  const t = await timeOrtMatmul({ M: n, N: n, K: n, transA, transB }, args.threads, args.repeat, args.budgetMs);
  const gflops = (2 * n ** 3) / (t.ms * 1e6);
  return { impl: 'onnxruntime-web', variant: `wasm x${t.threads}`, layout, n, ms: t.ms, gflops, repeat: t.repeat, method: 'wall-clock' };
}

async function bench(e: Engine, args: Args): Promise<void> {
  const adapter = describeGpu(e.gpu);
  const rows: BenchRow[] = [];
  const emit = (row: BenchRow): void => {
    rows.push(row);
    console.log(JSON.stringify({ bench: 'matmul', ...row, M: row.n, N: row.n, K: row.n }));
  };
  // A variant whose speed at a smaller size predicts one run above twice the budget is skipped (on
  // SwiftShader tiled16 would need ~25 s for one 1024³ product).
  const lastGflops = new Map<string, number>();
  const skipped: string[] = [];
  for (const n of [...args.sizes].sort((x, y) => x - y)) {
    for (const layout of args.layouts) {
      for (const v of args.variants) {
        const predictedMs = (2 * n ** 3) / ((lastGflops.get(`${v} ${layout}`) ?? Infinity) * 1e6);
        if (predictedMs > 2 * args.budgetMs) {
          skipped.push(`${v} ${layout} ${n} (~${(predictedMs / 1000).toFixed(0)} s per run)`);
          console.log(JSON.stringify({ bench: 'matmul', impl: 'webgpu', variant: v, layout, n, skipped: true, predictedMs }));
          continue;
        }
        const row = await benchVariant(e, v, n, layout, args);
        lastGflops.set(`${v} ${layout}`, row.gflops);
        emit(row);
      }
      if (args.ort) emit(await benchOrt(n, layout, args));
    }
  }
  const summary: Record<string, unknown> = { bench: 'summary', adapter, peakAllocatedBytes: e.stats.peakAllocatedBytes };
  if (args.autotune) {
    const r = await autotune(e, MATMUL_TUNABLE, { store: memoryStore(), retune: true });
    summary.autotune = { variant: r.variant, method: r.method, timingsMs: r.timingsMs };
  }
  console.log(JSON.stringify(summary));
  console.log(`\nmatmul on ${adapter}; onnxruntime-web ${args.ort ? `wasm EP, ${args.threads} threads` : 'skipped'}`);
  console.log(formatTable(rows, args.variants));
  if (skipped.length) console.log(`skipped, predicted above 2 x --budget-ms ${args.budgetMs}: ${skipped.join(', ')}`);
  console.log(`peak GPU bytes allocated by the engine's pool: ${(e.stats.peakAllocatedBytes / 2 ** 20).toFixed(1)} MiB`);
  if (args.autotune) console.log(`autotune picks: ${(summary.autotune as { variant: string }).variant}`);
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'matmul GFLOP/s per kernel variant vs onnxruntime-web (wasm), peak GPU bytes',
  help: HELP,
  async run(argv) {
    const args = parse(argv);
    await withEngine((e) => bench(e, args));
  },
};
