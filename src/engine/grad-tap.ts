// Per-example gradients: a parameter with a `gradTap` hands each gradient contribution to the tap in
// factored form, per row (token), instead of summing it into .grad. That is what lets a caller form
// per-example quantities (one example = a group of rows) from one batched backward, without a
// per-example weight gradient (e.g. sketches Σ_r (P_out δ_r) ⊗ (P_in x_r) of each example's gradient).
//
// The tensors are valid only during the call: a tap records its GPU work then and keeps nothing.
import type { TokenIds } from './ops/embedding.ts';
import type { Tensor } from './tensor.ts';

/** The parameter's gradient is Σ_r contribution_r over the rows r of the batch. */
export type GradContribution =
  /** A 2-D weight W [P, Q]: contribution_r = left_rᵀ ⊗ right_r, left [rows, P], right [rows, Q]. */
  | { kind: 'outer'; left: Tensor; right: Tensor }
  /** An embedding table [V, C]: contribution_r = onehot(ids_r) ⊗ dOut_r, dOut [rows, C]. */
  | { kind: 'gather'; ids: TokenIds; dOut: Tensor }
  /** A scale vector w [C] (y = x̂ ⊙ w): contribution_r = dOut_r ⊙ normalized_r, both [rows, C]. */
  | { kind: 'scale'; dOut: Tensor; normalized: Tensor }
  /** A bias b [C] broadcast over rows (y = x + b): contribution_r = dOut_r, dOut [rows, C]. */
  | { kind: 'bias'; dOut: Tensor };

export type GradTap = (c: GradContribution) => void;
