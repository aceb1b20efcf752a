// Sequence-level quantities built from the model's logits: the next-token loss (CLI `grad`, the
// overfit check) and per-token log-probs of a response (GRPO).
import { crossEntropy, tokenLogprobs } from '../engine/ops/cross-entropy.ts';
import { uploadIds } from '../engine/ops/embedding.ts';
import { reshape } from '../engine/ops/reshape.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { LlamaModel } from './llama.ts';

/** Targets for position t are ids[t + 1]; the last position predicts nothing (target 0, mask 0). */
function shifted(ids: readonly number[]): number[] {
  return [...ids.slice(1), 0];
}

/** Mean next-token cross-entropy over one sequence: positions 0..n-2 predict tokens 1..n-1. [1] */
export function nextTokenLoss(model: LlamaModel, ids: readonly number[]): Tensor {
  if (ids.length < 2) throw new Error(`next-token loss needs at least 2 tokens, got ${ids.length}`);
  const e = model.engine;
  const T = ids.length;
  const logits = reshape(model.forward([ids]), [T, model.cfg.vocabSize]);
  const mask = e.fromArray(Float32Array.from({ length: T }, (_, t) => (t < T - 1 ? 1 : 0)), [T], 'loss mask');
  return crossEntropy(logits, uploadIds(e, shifted(ids), 'targets'), mask).loss;
}

/**
 * ℓ_t = log softmax(z_t / T)[y_t] for every token of `ids` after the first: [n - 1 + 1] with the last
 * entry meaningless (callers mask it). Entry t is the log-prob of ids[t + 1].
 */
export function sequenceLogprobs(model: LlamaModel, ids: readonly number[], temperature: number): Tensor {
  const T = ids.length;
  const logits = reshape(model.forward([ids]), [T, model.cfg.vocabSize]);
  return tokenLogprobs(logits, uploadIds(model.engine, shifted(ids), 'targets'), { temperature });
}
