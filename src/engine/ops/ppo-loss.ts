// PPO clipped policy loss with dual clip (spec §4 (4), (6), (7)), plus an optional KL penalty to a
// frozen reference policy (verl's `low_var_kl`; the spec's runs have none), as one engine op: launchers
// for shaders/ppo-loss.wgsl, the tape rule (d loss → d logp), a metrics readback helper and float64
// references. Knows the formula only; callers supply D = L̄ · N_nom and the token weights (TIS w_t times
// the response mask). Invariant: metrics count tokens with a non-zero weight and nothing else.
import src from '../../../shaders/ppo-loss.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { f32, type Param } from '../engine.ts';
import { grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const k = (entry: string): KernelSpec => ({ name: 'ppo-loss', code: src, entry });

/** Tokens each ppo_loss_partials thread sums. */
const CHUNK = 64;
const LOG_RATIO_CLAMP = 20;
const KL_CLAMP = 10;

export interface PpoLossOptions {
  /** ε_low: the ratio is clamped below at 1 − clipLow. */
  clipLow: number;
  /** ε_high: the ratio is clamped above at 1 + clipHigh. */
  clipHigh: number;
  /** Dual clip c (bounds p_t by −c·A when A < 0); null turns it off. */
  dualClip: number | null;
  /** D of (7): L̄ · N_nom, constant over the update batch. */
  normaliser: number;
  /** β of the KL penalty Σ w k / D to the reference log-probs; 0 or absent = off (no reference read). */
  klCoef?: number;
}

export interface PpoLossOutput {
  /** Σ w p / D, shape [1], on the tape (backward gives d logp). */
  loss: Tensor;
  /** [clipped count, dual-clipped count, Σ (ℓ^old − ℓ) clamped, token count, Σ w k], shape [5], no gradient. */
  metrics: Tensor;
}

/** Sums of one mini-batch's metrics; add them over mini-batches, then divide by tokenCount. */
export interface PpoLossMetrics {
  clippedTokens: number;
  dualClippedTokens: number;
  /** Σ over tokens of ℓ^old − ℓ, clamped to ±20 (verl's ppo_kl numerator). */
  klSum: number;
  tokenCount: number;
  /** Σ over tokens of w · k, the KL penalty before β and D (0 when it is off). */
  klPenaltySum: number;
}

function checkInputs(logp: Tensor, others: [string, Tensor][], o: PpoLossOptions): number {
  if (logp.shape.length !== 1) throw new Error(`ppoLoss: logp ${logp.describe()} must be [N]`);
  const n = logp.size;
  for (const [what, t] of others) {
    if (t.shape.length !== 1 || t.size !== n) throw new Error(`ppoLoss: ${what} ${t.describe()} must be [${n}] like logp`);
  }
  for (const [what, v] of [['clipLow', o.clipLow], ['clipHigh', o.clipHigh]] as const) {
    if (!(v >= 0 && Number.isFinite(v))) throw new Error(`ppoLoss: ${what} must be a finite number ≥ 0, got ${v}`);
  }
  if (o.dualClip !== null && !(o.dualClip > 1 && Number.isFinite(o.dualClip))) {
    throw new Error(`ppoLoss: dualClip must be a finite number > 1 or null, got ${o.dualClip}`);
  }
  if (!(o.normaliser > 0 && Number.isFinite(o.normaliser))) {
    throw new Error(`ppoLoss: normaliser D = L̄·N_nom must be positive and finite, got ${o.normaliser}`);
  }
  const beta = o.klCoef ?? 0;
  if (!(beta >= 0 && Number.isFinite(beta))) throw new Error(`ppoLoss: klCoef must be a finite number ≥ 0, got ${beta}`);
  return n;
}

function params(n: number, o: PpoLossOptions): Param[] {
  const chunks = Math.max(1, Math.ceil(n / CHUNK));
  return [n, CHUNK, chunks, o.dualClip === null ? 0 : 1, f32(o.clipLow), f32(o.clipHigh), f32(o.dualClip ?? 0), f32(o.normaliser), f32(o.klCoef ?? 0)];
}

/**
 * The PPO loss of one mini-batch: loss = Σ_t w_t (p_t + β k_t) / D over [N] token arrays. `logp` carries
 * the gradient; old log-probs, advantages, weights and the reference log-probs are constants. `refLogp`
 * is needed when `o.klCoef` > 0 and ignored otherwise.
 */
export function ppoLoss(
  logp: Tensor,
  oldLogp: Tensor,
  advantages: Tensor,
  weights: Tensor,
  o: PpoLossOptions,
  refLogp: Tensor | null = null,
): PpoLossOutput {
  const hasKl = (o.klCoef ?? 0) > 0;
  if (hasKl && !refLogp) throw new Error(`ppoLoss: klCoef ${o.klCoef} needs the reference log-probs refLogp`);
  const named: [string, Tensor][] = [['oldLogp', oldLogp], ['advantages', advantages], ['weights', weights]];
  const n = checkInputs(logp, hasKl ? [...named, ['refLogp', refLogp!]] : named, o);
  const e = logp.engine;
  const ps = params(n, o);
  const chunks = Math.max(1, Math.ceil(n / CHUNK));
  const partials = e.empty([chunks, 6], 'ppoLoss partials');
  const loss = e.empty([1], 'ppoLoss');
  const metrics = e.empty([5], 'ppoLoss metrics');
  const inputs = [logp, oldLogp, advantages, weights];
  // With β = 0 the shader never reads binding 10, but the layout keeps it: any [N] buffer will do.
  const ref = hasKl ? refLogp! : oldLogp;
  const label = `ppoLoss ${logp.describe()}`;
  e.dispatch({ kernel: k('ppo_loss_partials'), buffers: [...inputs, null, partials, null, null, null, ref], params: ps, workgroups: grid1d(chunks), label: `${label} partials` });
  e.dispatch({ kernel: k('ppo_loss_finish'), buffers: [null, null, null, null, null, partials, loss, metrics, null, null], params: ps, workgroups: [1], label: `${label} finish` });
  partials.dispose();
  if (e.tape.wants(logp)) {
    e.tape.record(loss, (dLoss) => {
      const dLogp = e.empty([n], 'ppoLoss dLogp');
      e.dispatch({ kernel: k('ppo_loss_backward'), buffers: [...inputs, dLoss, null, null, null, dLogp, ref], params: ps, workgroups: grid1d(n), label: `${label} backward` });
      accumulateGrad(logp, dLogp);
    });
  }
  return { loss, metrics };
}

/** Reads a metrics tensor from `ppoLoss` (one sync). */
export async function readPpoLossMetricsAsync(metrics: Tensor): Promise<PpoLossMetrics> {
  const [clippedTokens, dualClippedTokens, klSum, tokenCount, klPenaltySum] = await metrics.engine.read(metrics);
  return { clippedTokens, dualClippedTokens, klSum, tokenCount, klPenaltySum };
}

// ---- float64 references ----------------------------------------------------------------------

export interface PpoLossRefInputs {
  logp: ArrayLike<number>;
  oldLogp: ArrayLike<number>;
  advantages: ArrayLike<number>;
  weights: ArrayLike<number>;
  /** ℓ^ref; read only when klCoef > 0. */
  refLogp?: ArrayLike<number>;
}

interface TokenRef {
  loss: number;
  dLossDLogp: number;
  isClipped: boolean;
  isDual: boolean;
  logRatio: number;
  kl: number;
  dKlDLogp: number;
}

function tokenRef(x: PpoLossRefInputs, i: number, o: PpoLossOptions): TokenRef {
  const raw = x.logp[i] - x.oldLogp[i];
  const logRatio = Math.min(Math.max(raw, -LOG_RATIO_CLAMP), LOG_RATIO_CLAMP);
  const ratio = Math.exp(logRatio);
  const a = x.advantages[i];
  const unclipped = -a * ratio;
  const clipped = -a * Math.min(Math.max(ratio, 1 - o.clipLow), 1 + o.clipHigh);
  const pessimistic = Math.max(unclipped, clipped);
  const isClipped = clipped > unclipped;
  let loss = pessimistic;
  let isDual = false;
  if (a < 0 && o.dualClip !== null) {
    const bound = -o.dualClip * a;
    isDual = pessimistic > bound;
    loss = Math.min(pessimistic, bound);
  }
  const isLive = Math.abs(raw) <= LOG_RATIO_CLAMP && !isClipped && !isDual;
  let kl = 0;
  let dKlDLogp = 0;
  if ((o.klCoef ?? 0) > 0) {
    if (!x.refLogp) throw new Error('ppoLossRef: klCoef > 0 needs refLogp');
    const rawKl = x.refLogp[i] - x.logp[i];
    const d = Math.min(Math.max(rawKl, -LOG_RATIO_CLAMP), LOG_RATIO_CLAMP);
    const k3 = Math.exp(d) - d - 1;
    kl = Math.min(k3, KL_CLAMP);
    dKlDLogp = Math.abs(rawKl) <= LOG_RATIO_CLAMP && k3 <= KL_CLAMP ? 1 - Math.exp(d) : 0;
  }
  return { loss, dLossDLogp: isLive ? unclipped : 0, isClipped, isDual, logRatio, kl, dKlDLogp };
}

/** Float64 forward: the loss and the metric sums over tokens with a non-zero weight. */
export function ppoLossRef(x: PpoLossRefInputs, o: PpoLossOptions): { loss: number; metrics: PpoLossMetrics } {
  const metrics: PpoLossMetrics = { clippedTokens: 0, dualClippedTokens: 0, klSum: 0, tokenCount: 0, klPenaltySum: 0 };
  let sum = 0;
  for (let i = 0; i < x.logp.length; i++) {
    const w = x.weights[i];
    if (w === 0) continue;
    const t = tokenRef(x, i, o);
    sum += w * (t.loss + (o.klCoef ?? 0) * t.kl);
    metrics.klPenaltySum += w * t.kl;
    metrics.clippedTokens += t.isClipped ? 1 : 0;
    metrics.dualClippedTokens += t.isDual ? 1 : 0;
    metrics.klSum -= t.logRatio;
    metrics.tokenCount++;
  }
  return { loss: sum / o.normaliser, metrics };
}

/** Float64 backward: d loss / d logp for an upstream gradient dLoss. */
export function ppoLossBackwardRef(x: PpoLossRefInputs, o: PpoLossOptions, dLoss = 1): Float64Array {
  return Float64Array.from({ length: x.logp.length }, (_, i) => {
    const t = tokenRef(x, i, o);
    return (dLoss * x.weights[i] * (t.dLossDLogp + (o.klCoef ?? 0) * t.dKlDLogp)) / o.normaliser;
  });
}
