// Model-level benchmark (CLI `bench-model`): prefill and cached decode speed of the GPU model at a short
// and a long prefix, next to onnxruntime-web (wasm) running the exported ONNX graph in the same process,
// and the peak GPU bytes of one training step (forward + backward + AdamW). Uses llama.ts, kv-cache.ts,
// onnx-export.ts, losses.ts and the AdamW optimizer; rows are plain JSON for the CLI to print.
// The export has no key/value cache, so ORT's "decode" cost is one full forward over prefix + 1 tokens:
// recomputing the prefix for every new token, which is what an ORT decode with this export costs.
import * as ort from 'onnxruntime-web';
import type { Engine } from '../engine/engine.ts';
import { AdamW } from '../engine/optim/adamw.ts';
import { KvCache } from './kv-cache.ts';
import { LlamaModel } from './llama.ts';
import { nextTokenLoss } from './losses.ts';
import { parameterCount, type ModelConfig } from './model-config.ts';
import { estimateModelBytes } from './model-memory.ts';
import { exportOnnx } from './onnx-export.ts';
import { mulberry32, randomWeights, tinyModelConfig } from './random-model.ts';

export const BENCH_CASES = ['tiny', '10m'] as const;
export type BenchCase = (typeof BENCH_CASES)[number];

/** tiny: init-model's default shape; 10m: a Llama-shaped ~10M-parameter model (vocab 8192). */
export function benchConfig(name: BenchCase): ModelConfig {
  const shape =
    name === 'tiny'
      ? { vocabSize: 259, hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 16 }
      : { vocabSize: 8192, hiddenSize: 256, intermediateSize: 1024, numHiddenLayers: 6, numAttentionHeads: 8, numKeyValueHeads: 4, headDim: 32 };
  return tinyModelConfig('LlamaForCausalLM', { ...shape, maxPositionEmbeddings: 2048 });
}

export interface ModelBenchOptions {
  cases?: readonly BenchCase[];
  /** Prefix lengths in tokens (default [16, 128]). */
  prefixes?: readonly number[];
  /** Cached decode steps timed per prefix (default 8). */
  decodeSteps?: number;
  /** Sequence length of the training step (default 64). */
  trainSeq?: number;
  /** Timed repeats of each prefill / ORT run; the fastest counts (default 2). */
  repeat?: number;
  /** Run onnxruntime-web beside the engine (default true). */
  ort?: boolean;
  /** ORT wasm threads (default 1). */
  threads?: number;
  /** Called with each row as soon as it is measured. */
  onRow?: (row: ModelBenchRow) => void;
}

interface RowBase {
  bench: 'model';
  case: BenchCase;
  parameters: number;
}

export interface PrefillRow extends RowBase {
  kind: 'prefill';
  prefix: number;
  engineTokensPerS: number;
  ortTokensPerS: number | null;
  /** engine / ORT tokens per second, measured in this run. */
  ratio: number | null;
}

export interface DecodeRow extends RowBase {
  kind: 'decode';
  prefix: number;
  engineMsPerToken: number;
  engineTokensPerS: number;
  /** ORT: one full forward over prefix + 1 tokens per new token (the export has no cache). */
  ortMsPerToken: number | null;
  ortTokensPerS: number | null;
  ratio: number | null;
}

export interface TrainRow extends RowBase {
  kind: 'train_step';
  seq: number;
  stepMs: number;
  peakLiveBytes: number;
  peakAllocatedBytes: number;
  /** estimateModelBytes(training) for the same shape, for the UI's refusal message. */
  estimateBytes: number;
}

export type ModelBenchRow = PrefillRow | DecodeRow | TrainRow;

function randomIds(n: number, V: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(r() * V));
}

/** Fastest of `repeat` timed runs after one untimed warm-up (pipeline compilation, ORT planning). */
async function fastestMs(repeat: number, run: () => Promise<void>): Promise<number> {
  await run();
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** One inference forward with the cache, read back (the readback is the sync point a sampler needs). */
async function cachedForward(model: LlamaModel, ids: number[], cache: KvCache, lastOnly: boolean): Promise<void> {
  const e = model.engine;
  const logits = e.tidy(() => e.tape.noGrad(() => model.forward([ids], { cache, lastOnly })));
  await logits.toArray();
  logits.dispose();
}

async function enginePrefillMs(model: LlamaModel, ids: number[], repeat: number): Promise<number> {
  return fastestMs(repeat, async () => {
    const cache = new KvCache(model.engine, model.cfg, 1, ids.length);
    await cachedForward(model, ids, cache, true);
    cache.dispose();
  });
}

/** Mean ms per cached decode step after a prefill of `prefix` tokens (two untimed steps first). */
async function engineDecodeMs(model: LlamaModel, prefix: number[], steps: number): Promise<number> {
  const cache = new KvCache(model.engine, model.cfg, 1, prefix.length + steps + 2);
  await cachedForward(model, prefix, cache, true);
  const next = randomIds(steps + 2, model.cfg.vocabSize, 7);
  await cachedForward(model, [next[0]], cache, false);
  await cachedForward(model, [next[1]], cache, false);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await cachedForward(model, [next[i + 2]], cache, false);
  const ms = (performance.now() - t0) / steps;
  cache.dispose();
  return ms;
}

async function trainStep(model: LlamaModel, ids: number[]): Promise<{ stepMs: number; peakLive: number; peakAllocated: number }> {
  const e = model.engine;
  const opt = new AdamW(model.parameters(), { lr: 1e-4 });
  const step = async () => {
    const loss = e.tidy(() => {
      const l = nextTokenLoss(model, ids);
      e.tape.backward(l);
      return l;
    });
    await opt.step();
    loss.dispose();
    opt.zeroGrad();
  };
  await step(); // compiles every pipeline
  await e.sync();
  e.pool.resetPeaks();
  const t0 = performance.now();
  await step();
  const stepMs = performance.now() - t0;
  const { peakLiveBytes, peakAllocatedBytes } = e.stats;
  opt.dispose();
  return { stepMs, peakLive: peakLiveBytes, peakAllocated: peakAllocatedBytes };
}

async function ortSession(cfg: ModelConfig, weights: Map<string, Float32Array>, threads: number): Promise<ort.InferenceSession> {
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  const { model } = exportOnnx(cfg, weights, { externalDataThresholdBytes: Infinity });
  return ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
}

async function ortForwardMs(session: ort.InferenceSession, ids: number[], repeat: number): Promise<number> {
  const input = new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]);
  return fastestMs(repeat, async () => {
    await session.run({ input_ids: input });
  });
}

/** Every row of one model shape. */
async function benchCase(e: Engine, name: BenchCase, o: Required<Omit<ModelBenchOptions, 'onRow' | 'cases'>>, emit: (r: ModelBenchRow) => void) {
  const cfg = benchConfig(name);
  const weights = randomWeights(cfg, 1, 0.05);
  const base: RowBase = { bench: 'model', case: name, parameters: parameterCount(cfg) };
  const model = new LlamaModel(e, cfg, weights);
  const session = o.ort ? await ortSession(cfg, weights, o.threads) : null;
  try {
    for (const P of o.prefixes) {
      const ids = randomIds(P + 1, cfg.vocabSize, P);
      const prefix = ids.slice(0, P);
      const engineTokensPerS = (1000 * P) / (await enginePrefillMs(model, prefix, o.repeat));
      const ortPrefillMs = session ? await ortForwardMs(session, prefix, o.repeat) : null;
      const ortTokensPerS = ortPrefillMs === null ? null : (1000 * P) / ortPrefillMs;
      emit({ ...base, kind: 'prefill', prefix: P, engineTokensPerS, ortTokensPerS, ratio: ortTokensPerS && engineTokensPerS / ortTokensPerS });
      const engineMsPerToken = await engineDecodeMs(model, prefix, o.decodeSteps);
      const ortMsPerToken = session ? await ortForwardMs(session, ids, o.repeat) : null;
      emit({
        ...base, kind: 'decode', prefix: P, engineMsPerToken, engineTokensPerS: 1000 / engineMsPerToken,
        ortMsPerToken, ortTokensPerS: ortMsPerToken && 1000 / ortMsPerToken, ratio: ortMsPerToken && ortMsPerToken / engineMsPerToken,
      });
    }
    const step = await trainStep(model, randomIds(o.trainSeq, cfg.vocabSize, 3));
    emit({
      ...base, kind: 'train_step', seq: o.trainSeq, stepMs: step.stepMs, peakLiveBytes: step.peakLive,
      peakAllocatedBytes: step.peakAllocated, estimateBytes: estimateModelBytes(cfg, { training: true, seqLen: o.trainSeq }).totalBytes,
    });
  } finally {
    await session?.release();
    model.zeroGrad();
    model.dispose();
  }
}

/** Runs the benchmark cases and returns every row (also streamed through onRow). */
export async function runModelBench(e: Engine, opts: ModelBenchOptions = {}): Promise<ModelBenchRow[]> {
  const o = {
    prefixes: opts.prefixes ?? [16, 128],
    decodeSteps: opts.decodeSteps ?? 8,
    trainSeq: opts.trainSeq ?? 64,
    repeat: opts.repeat ?? 2,
    ort: opts.ort ?? true,
    threads: opts.threads ?? 1,
  };
  for (const P of o.prefixes) if (!(Number.isInteger(P) && P >= 1)) throw new Error(`bench-model: prefix ${P} is not a positive integer`);
  const rows: ModelBenchRow[] = [];
  for (const name of opts.cases ?? BENCH_CASES) {
    await benchCase(e, name, o, (r) => {
      rows.push(r);
      opts.onRow?.(r);
    });
  }
  return rows;
}
