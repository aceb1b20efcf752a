// A rough upper bound on the GPU bytes a model needs, for the UI's refusal message ("this model needs
// ~3.1 GiB for training; the adapter allows 2 GiB") before anything is uploaded. All tensors are f32.
// Training keeps weights, gradients, two AdamW moments and every activation the tape saves for backward;
// inference keeps weights, the key/value cache and one layer's activations. The bench (model-bench.ts)
// prints this estimate beside the measured peak of a real training step.
import { parameterCount, parameterSpecs, type ModelConfig } from './model-config.ts';

export interface MemoryEstimateOptions {
  training: boolean;
  /** Sequences per forward (default 1). */
  batch?: number;
  /** Tokens per sequence (default min(max_position_embeddings, 1024)). */
  seqLen?: number;
  /** Training also keeps a frozen copy of the starting weights (a KL penalty's reference). */
  referenceCopy?: boolean;
}

export interface MemoryEstimate {
  weightsBytes: number;
  gradsBytes: number;
  /** AdamW m and v. */
  adamBytes: number;
  /** The frozen reference weights, 0 without a KL penalty. */
  referenceBytes: number;
  activationsBytes: number;
  kvCacheBytes: number;
  totalBytes: number;
}

const F32 = 4;

/** f32 values one token keeps per layer while the tape records (inputs of every op's backward). */
function savedPerTokenPerLayer(cfg: ModelConfig, T: number): number {
  const { hiddenSize: H, numAttentionHeads: Hq, numKeyValueHeads: Hkv, headDim: D, intermediateSize: F } = cfg;
  const qk = cfg.qkNorm ? 3 : 2; // projection, (norm), rope
  const residual = 7 * H; // x, two norms, o_proj out, two sums, down_proj out
  const attention = qk * Hq * D + qk * Hkv * D + Hkv * D + Hq * D + Hq * T; // q, k, v, output, probabilities
  return residual + attention + 3 * F; // gate, up, swiglu
}

/** Bytes of weights, gradients, AdamW moments, activations and KV cache, and their sum. */
export function estimateModelBytes(cfg: ModelConfig, opts: MemoryEstimateOptions): MemoryEstimate {
  const B = opts.batch ?? 1;
  const T = opts.seqLen ?? Math.min(cfg.maxPositionEmbeddings, 1024);
  const P = parameterCount(cfg);
  const V = cfg.vocabSize;
  const weightsBytes = P * F32;
  const perLayer = savedPerTokenPerLayer(cfg, T) * B * T * F32;
  let activationsBytes: number;
  let kvCacheBytes = 0;
  if (opts.training) {
    // Every layer's saved values, logits with their softmax and gradient, and one layer of gradient
    // temporaries live while backward walks down; 25% slack for small buffers (ids, masks, reductions).
    // Calibrated by the bench's train_step rows (measured peak / estimate ≈ 0.9).
    // The largest weight's gradient also exists once as a temporary before it is summed into .grad.
    const largest = Math.max(...parameterSpecs(cfg).map((s) => s.shape.reduce((a, b) => a * b, 1)));
    activationsBytes = 1.25 * (cfg.numHiddenLayers * perLayer + 3 * B * T * V * F32 + 2 * perLayer) + largest * F32;
  } else {
    kvCacheBytes = 2 * cfg.numHiddenLayers * B * T * cfg.numKeyValueHeads * cfg.headDim * F32;
    activationsBytes = 2 * perLayer + B * T * V * F32;
  }
  const gradsBytes = opts.training ? weightsBytes : 0;
  const adamBytes = opts.training ? 2 * weightsBytes : 0;
  const referenceBytes = opts.training && opts.referenceCopy ? weightsBytes : 0;
  const totalBytes = weightsBytes + gradsBytes + adamBytes + referenceBytes + activationsBytes + kvCacheBytes;
  return { weightsBytes, gradsBytes, adamBytes, referenceBytes, activationsBytes, kvCacheBytes, totalBytes };
}

/** 1536 → "1.5 KiB"; for messages and tables. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
