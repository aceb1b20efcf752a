// Deterministic tiny random models for tests: a ModelConfig builder for each architecture and seeded
// weights for any config. Used by the reference-model, autograd and ONNX tests, and by engine tests.
// Invariant: the same (config, seed, scale) always gives the same bits on every platform.
import type { Architecture, ModelConfig } from './model-config.ts';
import { parameterSpecs } from './model-config.ts';

/** mulberry32: a 32-bit seeded PRNG returning uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random weights for every parameter of `cfg`, keyed by HF name: Linear weights, biases and the
 * embedding uniform in [-scale, scale]; RMSNorm weights uniform in [1 - scale, 1 + scale].
 */
export function randomWeights(cfg: ModelConfig, seed: number, scale = 0.1): Map<string, Float32Array> {
  const rand = mulberry32(seed);
  const weights = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(cfg)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const centre = spec.name.endsWith('norm.weight') ? 1 : 0;
    weights.set(spec.name, Float32Array.from({ length: size }, () => centre + scale * (2 * rand() - 1)));
  }
  return weights;
}

/**
 * A tiny config of the given architecture: Llama with GQA (4 heads, 2 KV heads), Qwen2 with q/k/v bias
 * and tied embeddings, Qwen3 with q/k norm and head_dim ≠ hidden/heads. `overrides` replace fields.
 */
export function tinyModelConfig(architecture: Architecture, overrides: Partial<ModelConfig> = {}): ModelConfig {
  const isQwen2 = architecture === 'Qwen2ForCausalLM';
  const isQwen3 = architecture === 'Qwen3ForCausalLM';
  const base: ModelConfig = {
    architecture,
    vocabSize: 37,
    hiddenSize: 16,
    intermediateSize: 24,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    headDim: isQwen3 ? 6 : 4,
    rmsNormEps: 1e-6,
    ropeTheta: isQwen3 ? 1_000_000 : 10_000,
    maxPositionEmbeddings: 64,
    attentionBias: false,
    tieWordEmbeddings: isQwen2,
    bosTokenId: null,
    eosTokenIds: [],
    torchDtype: 'float32',
    qkvBias: isQwen2,
    qkNorm: isQwen3,
    tied: isQwen2,
  };
  return { ...base, ...overrides };
}
