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

/** Rows of different lengths padded to one [B, T] batch, and where each row's tokens end. */
export interface PaddedRows {
  ids: number[][];
  lengths: number[];
  T: number;
}

/**
 * Right-pads rows to the longest with each row's last token. Causal attention means a real position
 * never sees the padding after it, so padded rows give real positions the same logits as unpadded
 * ones; callers give padded positions zero weight.
 */
export function padRows(rows: readonly (readonly number[])[]): PaddedRows {
  if (rows.length === 0) throw new Error('padRows: no rows');
  const T = Math.max(...rows.map((r) => r.length));
  const ids = rows.map((r, b) => {
    if (r.length === 0) throw new Error(`padRows: row ${b} is empty`);
    return [...r, ...new Array<number>(T - r.length).fill(r[r.length - 1])];
  });
  return { ids, lengths: rows.map((r) => r.length), T };
}

/**
 * sequenceLogprobs for B rows at once: [B, T] where entry (b, t) is the log-prob of row b's token
 * t + 1, T the longest row; entries at t >= length_b - 1 are meaningless (callers mask them).
 */
export function batchSequenceLogprobs(model: LlamaModel, rows: readonly (readonly number[])[], temperature: number): Tensor {
  const { ids, T } = padRows(rows);
  const B = ids.length;
  const logits = reshape(model.forward(ids), [B * T, model.cfg.vocabSize]);
  const targets = ids.flatMap((r) => shifted(r));
  // reshaped in place, not as a view: the result owns its buffer, so it may leave a tidy scope
  const logp = tokenLogprobs(logits, uploadIds(model.engine, targets, 'targets'), { temperature });
  logp.reshapeInPlace([B, T]);
  return logp;
}
