// Attention timings for `npm run bench`: forward and backward of every attention variant on causal GQA
// shapes (tiny-model heads and SmolLM2-135M's Hq 9 / Hkv 3 / D 64) at several sequence lengths.
// Calls ops/attention.ts through its public launchers (backward with the forward's saved lse, as the
// tape runs it); wall clock with `await e.sync()` around `repeat` back-to-back calls after one untimed
// warm-up call (pipeline compile, first touch), plus this process's CPU time where node reports it.
import { acquireGpu } from '../device.ts';
import { Engine } from '../engine.ts';
import { ATTENTION_VARIANTS, attentionBackward, attentionForward, type AttentionVariant } from '../ops/attention.ts';

export interface AttentionBenchCase {
  T: number;
  Hq: number;
  Hkv: number;
  D: number;
}

export interface AttentionBenchRow {
  variant: AttentionVariant;
  pass: 'forward' | 'backward';
  B: number;
  T: number;
  Hq: number;
  Hkv: number;
  D: number;
  /** Milliseconds per call, averaged over `repeat` calls. */
  ms: number;
  /** Process CPU milliseconds per call (user + system; software adapters run in-process), null off node. */
  cpuMs: number | null;
  /** Nominal causal FLOPs (forward 4D, backward 10D per visible query-key pair) over ms. */
  gflops: number;
  repeat: number;
  method: 'wall-clock';
}

export interface AttentionBenchOptions {
  cases?: AttentionBenchCase[];
  variants?: readonly AttentionVariant[];
  /** Timed calls per row (fewer when the warm-up call says they would exceed budgetMs). */
  repeat?: number;
  budgetMs?: number;
  /** Defaults to a fresh engine on the system adapter. */
  engine?: Engine;
}

const SHAPES: Omit<AttentionBenchCase, 'T'>[] = [
  { Hq: 4, Hkv: 2, D: 4 },
  { Hq: 4, Hkv: 2, D: 8 },
  { Hq: 9, Hkv: 3, D: 64 },
];
export const ATTENTION_BENCH_CASES: AttentionBenchCase[] = SHAPES.flatMap((s) => [64, 256, 680].map((T) => ({ T, ...s })));

const fill = (n: number, salt: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => (((i + salt) * 7919) % 13) / 13 - 0.5);

const cpuNowMs = (): number | null => {
  if (typeof process === 'undefined' || typeof process.cpuUsage !== 'function') return null;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Warm-up call, then `repeat` calls between two syncs; ms per call. */
async function timeCalls(e: Engine, call: () => void, opts: AttentionBenchOptions): Promise<{ ms: number; cpuMs: number | null; repeat: number }> {
  const t0 = performance.now();
  e.tidy(call);
  await e.sync();
  const firstMs = performance.now() - t0;
  const repeat = Math.max(1, Math.min(opts.repeat ?? 5, Math.floor((opts.budgetMs ?? 3000) / firstMs)));
  const t1 = performance.now();
  const c1 = cpuNowMs();
  for (let i = 0; i < repeat; i++) e.tidy(call);
  await e.sync();
  const c2 = cpuNowMs();
  return { ms: (performance.now() - t1) / repeat, cpuMs: c1 === null || c2 === null ? null : (c2 - c1) / repeat, repeat };
}

async function benchCase(e: Engine, c: AttentionBenchCase, variant: AttentionVariant, opts: AttentionBenchOptions): Promise<AttentionBenchRow[]> {
  const { T, Hq, Hkv, D } = c;
  const q = e.fromArray(fill(T * Hq * D, 1), [1, T, Hq, D], 'q');
  const k = e.fromArray(fill(T * Hkv * D, 2), [1, T, Hkv, D], 'k');
  const v = e.fromArray(fill(T * Hkv * D, 3), [1, T, Hkv, D], 'v');
  const dOut = e.fromArray(fill(T * Hq * D, 4), [1, T, Hq, D], 'dOut');
  const { out, lse } = attentionForward(q, k, v, { variant });
  const pairs = (Hq * T * (T + 1)) / 2;
  const rows: AttentionBenchRow[] = [];
  try {
    const fwd = await timeCalls(e, () => void attentionForward(q, k, v, { variant }), opts);
    const bwd = await timeCalls(e, () => void attentionBackward(q, k, v, out, dOut, { variant, lse }), opts);
    for (const [pass, t, flopsPerPair] of [['forward', fwd, 4 * D], ['backward', bwd, 10 * D]] as const) {
      const gflops = (pairs * flopsPerPair) / (t.ms * 1e6);
      rows.push({ variant, pass, B: 1, ...c, ms: t.ms, cpuMs: t.cpuMs, gflops, repeat: t.repeat, method: 'wall-clock' });
    }
  } finally {
    for (const t of [q, k, v, dOut, out, lse]) t.dispose();
  }
  return rows;
}

/** Times forward and backward of each variant on each case; one JSON-ready row per (case, variant, pass). */
export async function runAttentionBench(opts: AttentionBenchOptions = {}): Promise<AttentionBenchRow[]> {
  const e = opts.engine ?? new Engine(await acquireGpu());
  const rows: AttentionBenchRow[] = [];
  for (const c of opts.cases ?? ATTENTION_BENCH_CASES) {
    for (const variant of opts.variants ?? ATTENTION_VARIANTS) rows.push(...(await benchCase(e, c, variant, opts)));
  }
  return rows;
}
