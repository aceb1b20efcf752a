// Float64 CPU reference of the PPO policy loss of spec §4, shared by both roles: the ratio (4), the
// dual-clip per-token loss (6), the constant normaliser L_mb (7), verl's metrics, and the analytic
// dL/dℓ_t that the GPU backward seeds the model's log-prob gradient with. The GPU engine implements the
// same maths; this file is its reference. Token arrays are flat over a mini-batch's responses: (N_tok).
// Invariant: the normaliser L̄·N_nom is fixed for the whole update batch, so a partial mini-batch has a smaller loss.

/** Clip constants of (6): `clip_ratio_low`, `clip_ratio_high`, dual clip `clip_ratio_c`. */
export interface PolicyLossOptions {
  clipRatioLow: number;
  clipRatioHigh: number;
  clipRatioC: number;
}

export const DEFAULT_POLICY_LOSS: PolicyLossOptions = { clipRatioLow: 0.2, clipRatioHigh: 0.2, clipRatioC: 3.0 };

/** Bound on |ℓ − ℓ^old| before exponentiation in (4). */
export const LOG_RATIO_CLAMP = 20;

/** One mini-batch's tokens, flattened over responses. */
export interface PolicyLossBatch {
  logProbs: ArrayLike<number>; // (N_tok) ℓ_t(θ), temperature-scaled log-probs (3)
  oldLogProbs: ArrayLike<number>; // (N_tok) ℓ_t^old, recomputed at the start of the update
  advantages: ArrayLike<number>; // (N_tok) A_i broadcast to each of response i's tokens
  weights?: ArrayLike<number>; // (N_tok) TIS w_t of (5); omitted = 1 (the lab, §9.3)
}

/** Per-token outcome of (6). */
export interface TokenLoss {
  loss: number; // p_t
  isClipped: boolean; // counted in pg_clipfrac: −A·clamp(ρ) > −A·ρ strictly
  isDualClipped: boolean; // counted in pg_clipfrac_lower: A < 0 and the dual clip binds
}

/** Loss value and verl metrics over one mini-batch. */
export interface PolicyLossResult {
  loss: number; // L_mb of (7)
  pgClipfrac: number;
  pgClipfracLower: number;
  ppoKl: number; // token mean of ℓ^old − ℓ, with verl's ±20 clamp
  tokenCount: number;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/** Ratio (4): ρ = exp(clamp(ℓ − ℓ^old, −20, 20)). */
export function policyRatio(logProb: number, oldLogProb: number): number {
  return Math.exp(clamp(logProb - oldLogProb, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP));
}

/** Per-token clipped loss with dual clip (6). */
export function tokenPolicyLoss(advantage: number, ratio: number, options = DEFAULT_POLICY_LOSS): TokenLoss {
  const unclipped = -advantage * ratio;
  const clipped = -advantage * clamp(ratio, 1 - options.clipRatioLow, 1 + options.clipRatioHigh);
  const pessimistic = Math.max(unclipped, clipped);
  const isClipped = clipped > unclipped;
  if (advantage < 0) {
    const dualBound = -options.clipRatioC * advantage;
    return { loss: Math.min(pessimistic, dualBound), isClipped, isDualClipped: pessimistic > dualBound };
  }
  return { loss: pessimistic, isClipped, isDualClipped: false };
}

/** Normaliser L̄·N_nom of (7): mean response length over the role's whole update batch times N_nom. */
export function lossNormaliser(updateBatchLengthsTokens: ArrayLike<number>, nominalResponses: number): number {
  const n = updateBatchLengthsTokens.length;
  if (n === 0) throw new Error('policy-loss.ts: L̄ needs at least one response in the update batch');
  if (!(Number.isInteger(nominalResponses) && nominalResponses > 0)) {
    throw new Error(`policy-loss.ts: N_nom must be a positive integer, got ${nominalResponses}`);
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += updateBatchLengthsTokens[i];
  if (!(total > 0)) throw new Error('policy-loss.ts: the update batch has no response tokens');
  return (total / n) * nominalResponses;
}

/** Broadcasts one advantage per response to its tokens: (responses) → (N_tok). */
export function broadcastAdvantages(perResponse: ArrayLike<number>, lengthsTokens: ArrayLike<number>): Float64Array {
  if (perResponse.length !== lengthsTokens.length) {
    throw new Error(`policy-loss.ts: ${perResponse.length} advantages but ${lengthsTokens.length} response lengths`);
  }
  let total = 0;
  for (let i = 0; i < lengthsTokens.length; i++) total += lengthsTokens[i];
  const out = new Float64Array(total);
  let offset = 0;
  for (let i = 0; i < perResponse.length; i++) {
    out.fill(perResponse[i], offset, offset + lengthsTokens[i]);
    offset += lengthsTokens[i];
  }
  return out;
}

function checkBatch(batch: PolicyLossBatch, normaliser: number): number {
  const n = batch.logProbs.length;
  const named: [string, ArrayLike<number> | undefined][] = [
    ['oldLogProbs', batch.oldLogProbs],
    ['advantages', batch.advantages],
    ['weights', batch.weights],
  ];
  for (const [name, arr] of named) {
    if (arr && arr.length !== n) throw new Error(`policy-loss.ts: ${name} has ${arr.length} tokens, logProbs has ${n}`);
  }
  if (!(normaliser > 0 && Number.isFinite(normaliser))) {
    throw new Error(`policy-loss.ts: normaliser L̄·N_nom must be positive and finite, got ${normaliser}`);
  }
  return n;
}

/** Forward reference: L_mb of (7) plus pg_clipfrac, pg_clipfrac_lower and ppo_kl (token means). */
export function policyLossForwardRef(
  batch: PolicyLossBatch,
  normaliser: number,
  options = DEFAULT_POLICY_LOSS,
): PolicyLossResult {
  const n = checkBatch(batch, normaliser);
  let lossSum = 0;
  let clipped = 0;
  let dualClipped = 0;
  let klSum = 0;
  for (let t = 0; t < n; t++) {
    const logRatio = clamp(batch.logProbs[t] - batch.oldLogProbs[t], -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
    const token = tokenPolicyLoss(batch.advantages[t], Math.exp(logRatio), options);
    lossSum += (batch.weights ? batch.weights[t] : 1) * token.loss;
    if (token.isClipped) clipped++;
    if (token.isDualClipped) dualClipped++;
    klSum -= logRatio;
  }
  const mean = (x: number) => (n === 0 ? 0 : x / n);
  return {
    loss: lossSum / normaliser,
    pgClipfrac: mean(clipped),
    pgClipfracLower: mean(dualClipped),
    ppoKl: mean(klSum),
    tokenCount: n,
  };
}

/**
 * Backward reference: dL_mb/dℓ_t per token. Only the unclipped branch −A·ρ carries gradient:
 * where the clipped branch wins, ρ lies outside [1 − ε, 1 + ε] and clamp(ρ) is flat; where the dual clip
 * binds the loss is the constant −c·A; outside the ±20 log-ratio clamp ρ is flat.
 */
export function policyLossBackwardRef(
  batch: PolicyLossBatch,
  normaliser: number,
  options = DEFAULT_POLICY_LOSS,
): Float64Array {
  const n = checkBatch(batch, normaliser);
  const dLogProbs = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const logRatio = batch.logProbs[t] - batch.oldLogProbs[t];
    if (Math.abs(logRatio) > LOG_RATIO_CLAMP) continue;
    const ratio = Math.exp(logRatio);
    const advantage = batch.advantages[t];
    const token = tokenPolicyLoss(advantage, ratio, options);
    if (token.isClipped || token.isDualClipped) continue;
    const weight = batch.weights ? batch.weights[t] : 1;
    dLogProbs[t] = (weight * -advantage * ratio) / normaliser; // d(−A·ρ)/dℓ = −A·ρ
  }
  return dLogProbs;
}
