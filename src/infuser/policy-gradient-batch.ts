// The on-policy gradient of −(1/D) Σ_i A_i Σ_t ℓ_t (eqs. (15)/(16)) over many answers at once: rows
// are right-padded to one length and run as one batched forward and backward, in chunks that bound
// the tokens (and so the logits) held at once (row-batches.ts). Padding and prompt positions carry
// weight 0.
import { mul } from '../engine/ops/elementwise.ts';
import { sum } from '../engine/ops/reduce.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { LlamaModel } from '../model/llama.ts';
import { batchSequenceLogprobs } from '../model/losses.ts';
import { responseWeights } from './policy-role.ts';
import type { AnswerGroup } from './roles.ts';
import { packRows, padVectors } from './row-batches.ts';

/** A prompt + response and its per-position weights (entry t weighs the log-prob of token t + 1). */
export interface WeightedRow {
  ids: number[];
  weights: Float32Array;
}

/** One row per answer, weight −A_i / D on its response positions; rows with A_i = 0 are left out unless `keepZero`. */
export function answerRows(group: AnswerGroup, D: number, keepZero = false): WeightedRow[] {
  const rows: WeightedRow[] = [];
  group.responses.forEach((resp, i) => {
    if (group.advantages[i] === 0 && !keepZero) return;
    rows.push({ ids: [...group.promptIds, ...resp], weights: responseWeights(group.promptIds.length, resp.length, -group.advantages[i] / D) });
  });
  return rows;
}

/** Chunks of rows (see row-batches.ts packRows) whose padded size stays within `budget` tokens. */
export function chunkRows(rows: readonly WeightedRow[], budget: number): WeightedRow[][] {
  return packRows(rows.map((_, i) => i), rows.map((r) => r.ids.length), budget).map((c) => c.map((i) => rows[i]));
}

/**
 * Records Σ_rows Σ_t w_t ℓ_t for one chunk and runs its backward (gradients go where the parameters
 * send them: .grad, or their gradient taps). Returns the loss tensor, kept for one later readback.
 */
export function backwardRows(model: LlamaModel, rows: readonly WeightedRow[], temperature: number): Tensor {
  const e = model.engine;
  return e.keep(
    e.tidy(() => {
      const T = Math.max(...rows.map((r) => r.ids.length));
      const logp = batchSequenceLogprobs(model, rows.map((r) => r.ids), temperature);
      const loss = sum(mul(logp, e.fromArray(padVectors(rows.map((r) => r.weights), T), [rows.length, T], 'policy weights')));
      e.tape.backward(loss);
      return loss;
    }),
  );
}
