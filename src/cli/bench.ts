// `infuser-lab bench` (npm run bench): GFLOP/s of every matmul variant on square products, beside
// onnxruntime-web measured in the same run, and the engine's peak GPU bytes. In node the peer is ORT's
// wasm EP; with --browser the bench runs in headless Chromium (src/bench/browser-bench.ts drives
// bench.html) against ORT's webgpu EP on the same adapter, plus its wasm EP in the page. --attention
// and --model append those benches (src/bench/sections.ts). Prints one JSON object per case on stdout,
// then readable tables. The measuring loop is engine/bench/matmul-bench.ts.
import { availableParallelism } from 'node:os';
import { describeGpu } from '../engine/device.ts';
import type { Engine } from '../engine/engine.ts';
import { autotune, memoryStore } from '../engine/autotune.ts';
import { describeSkip, gflopsOf, runMatmulBench, type SkippedCase } from '../engine/bench/matmul-bench.ts';
import { timeOrtMatmul } from '../engine/bench/ort-matmul.ts';
import { formatTable, LAYOUTS, type BenchRow, type Layout } from '../engine/bench/report.ts';
import { MATMUL_TUNABLE, MATMUL_VARIANTS, type MatmulVariant } from '../engine/ops/matmul.ts';
import { attentionSection, modelSection } from '../bench/sections.ts';
import { parseFlags } from './args.ts';
import type { Command } from './command.ts';
import { withEngine } from './model-flags.ts';

const HELP = `infuser-lab bench [--sizes 256,512,1024] [--variants naive,regs4x4,regs8x8,tiled16,tiled64] [--layouts nn,nt]
                  [--repeat 3] [--budget-ms 4000] [--threads N] [--no-ort] [--autotune]
                  [--browser] [--attention] [--model] [--all]

Times each matmul variant on n x n x n products (GFLOP/s) beside onnxruntime-web (MatMul, or Gemm for
transposed layouts) in the same run, with the engine pool's peak GPU bytes.
  layouts      nn = A·B, nt = A·Bᵀ (linear layer), tn = Aᵀ·B (weight gradient), tt
  --repeat     timed runs per case (fewer when one run would pass --budget-ms); a variant whose
               speed at a smaller size predicts one run above 2 x --budget-ms is skipped
  --threads    onnxruntime-web wasm threads (default: all cores)
  --autotune   also measure autotune's pick for this adapter (memory only, nothing stored)
  --browser    run the matmul bench in headless Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) on a
               Vite server of this checkout: the engine in the page against onnxruntime-web's webgpu
               EP on the same adapter (ratios divide by it) and its wasm EP; both sides timed by wall
               clock (ORT's operands stay in GPU buffers); autotune's pick is marked
  --attention  append attention forward/backward per variant (tiny heads and SmolLM2-135M's, T 64/256)
  --model      append the model bench (prefill, cached decode, training step; see bench-model)
  --all        matmul in node and in Chromium, then attention and model (~3-4 min on SwiftShader)
Prints one JSON object per case, then a table per section.
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
  node: boolean;
  browser: boolean;
  attention: boolean;
  model: boolean;
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
    threads: 'string', 'no-ort': 'boolean', autotune: 'boolean', browser: 'boolean', attention: 'boolean',
    model: 'boolean', all: 'boolean',
  }, 'bench');
  const text = (name: string, fallback: string): string => (f[name] === undefined ? fallback : String(f[name]));
  const all = f.all === true;
  return {
    sizes: text('sizes', '256,512,1024').split(',').map((s) => positive(s, 'sizes')),
    variants: list(text('variants', MATMUL_VARIANTS.join(',')), MATMUL_VARIANTS, 'variants'),
    layouts: list(text('layouts', 'nn,nt'), LAYOUTS, 'layouts'),
    repeat: positive(text('repeat', '3'), 'repeat'),
    budgetMs: positive(text('budget-ms', '4000'), 'budget-ms'),
    threads: positive(text('threads', String(availableParallelism())), 'threads'),
    ort: f['no-ort'] !== true,
    autotune: f.autotune === true,
    node: all || f.browser !== true,
    browser: all || f.browser === true,
    attention: all || f.attention === true,
    model: all || f.model === true,
  };
}

const print = (json: unknown): void => console.log(JSON.stringify(json));
const printCase = (where: 'node' | 'chromium') => (r: BenchRow | SkippedCase): void =>
  print({ bench: 'matmul', where, ...r, M: r.n, N: r.n, K: r.n });

/** Summary lines under a matmul table: skipped cases and the pool's peak. */
function footer(skipped: SkippedCase[], budgetMs: number, peakAllocatedBytes: number): string {
  const lines = skipped.length ? [`skipped, predicted above 2 x --budget-ms ${budgetMs}: ${skipped.map(describeSkip).join(', ')}`] : [];
  lines.push(`peak GPU bytes allocated by the engine's pool: ${(peakAllocatedBytes / 2 ** 20).toFixed(1)} MiB`);
  return lines.join('\n');
}

async function nodeMatmul(e: Engine, args: Args): Promise<string> {
  const adapter = describeGpu(e.gpu);
  const peers = async (n: number, layout: Layout): Promise<BenchRow[]> => {
    const t = await timeOrtMatmul({ M: n, N: n, K: n, transA: layout[0] === 't', transB: layout[1] === 't' }, args.threads, args.repeat, args.budgetMs);
    return [{ impl: 'onnxruntime-web', variant: `wasm x${t.threads}`, layout, n, ms: t.ms, gflops: gflopsOf(n, t.ms), repeat: t.repeat, method: 'wall-clock', io: t.io }];
  };
  const { rows, skipped } = await runMatmulBench(e, args, args.ort ? peers : null, printCase('node'));
  const summary: Record<string, unknown> = { bench: 'summary', where: 'node', adapter, peakAllocatedBytes: e.stats.peakAllocatedBytes };
  let selected: string | undefined;
  if (args.autotune) {
    const r = await autotune(e, MATMUL_TUNABLE, { store: memoryStore(), retune: true });
    summary.autotune = { variant: r.variant, method: r.method, timingsMs: r.timingsMs };
    selected = r.variant;
  }
  print(summary);
  return [
    `matmul in node on ${adapter}; onnxruntime-web ${args.ort ? `wasm EP, ${args.threads} threads` : 'skipped'}`,
    formatTable(rows, args.variants, { selected }),
    footer(skipped, args.budgetMs, e.stats.peakAllocatedBytes),
    ...(selected ? [`autotune picks: ${selected}`] : []),
  ].join('\n');
}

async function browserMatmul(args: Args): Promise<string> {
  // Loaded here so other commands never pay for Vite and Playwright.
  const { runBrowserBench } = await import('../bench/browser-bench.ts');
  const r = await runBrowserBench(
    { ...args, ortWebgpu: args.ort, ortWasm: args.ort, autotune: true, wallClock: true },
    { onRow: printCase('chromium') },
  );
  const { rows, skipped, ...rest } = r;
  print({ bench: 'summary', where: 'chromium', ...rest, skipped: skipped.length });
  const ort = args.ort ? `webgpu EP (ratios) and wasm EP, ${r.threads} threads` : 'skipped';
  return [
    `matmul in Chromium on ${r.adapter} (crossOriginIsolated ${r.crossOriginIsolated}, wall clock on both sides); onnxruntime-web ${ort}`,
    formatTable(rows, args.variants, { reference: 'webgpu', selected: r.selected?.variant }),
    footer(skipped, args.budgetMs, r.peakAllocatedBytes),
    `autotune picks in the page: ${r.selected?.variant ?? '-'}`,
  ].join('\n');
}

async function bench(args: Args): Promise<void> {
  const tables: string[] = [];
  if (args.node || args.attention || args.model) {
    await withEngine(async (e) => {
      if (args.node) tables.push(await nodeMatmul(e, args));
      const o = { repeat: args.repeat, budgetMs: args.budgetMs, ort: args.ort, threads: args.threads, print };
      // Each section starts with an empty pool, so its peak bytes are its own.
      const fresh = (): void => {
        e.pool.trim();
        e.pool.resetPeaks();
      };
      if (args.attention) {
        fresh();
        tables.push(await attentionSection(e, o));
      }
      if (args.model) {
        fresh();
        tables.push(await modelSection(e, o));
      }
    });
  }
  if (args.browser) tables.push(await browserMatmul(args));
  console.log(`\n${tables.join('\n\n')}`);
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'matmul GFLOP/s per kernel variant vs onnxruntime-web (wasm in node, webgpu in Chromium), peak GPU bytes',
  help: HELP,
  async run(argv) {
    await bench(parse(argv));
  },
};
