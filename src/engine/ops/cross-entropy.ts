// Per-token log-probabilities of targets under log_softmax(logits / T) (spec §4 (3): what GRPO needs)
// and the masked cross-entropy built from them. The fused kernel (shaders/cross-entropy.wgsl) never
// stores the (N, V) log-softmax; the float64 references compose log-softmax (softmax.ts) and a gather.
import src from '../../../shaders/cross-entropy.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { f32, type Param } from '../engine.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';
import { checkIds, type TokenIds } from './embedding.ts';
import { maskedMean } from './reduce.ts';
import { defaultRowVariant, inverseTemperature, logSumExpRef, rowGrid, type RowVariant } from './softmax.ts';

export interface TokenLogprobOptions {
  /** Logits are divided by this first (spec §4 (3): T = 0.7); default 1. */
  temperature?: number;
  variant?: RowVariant;
}

const k = (entry: string): KernelSpec => ({ name: 'cross-entropy', code: src, entry });

function checkShapes(logits: Tensor, targets: TokenIds, op: string): [number, number] {
  if (logits.shape.length !== 2 || !(logits.shape[1] > 0)) throw new Error(`${op}: logits ${logits.describe()} must be (N, V) with V > 0`);
  const [N, V] = logits.shape;
  if (targets.length !== N) throw new Error(`${op}: ${targets.length} targets for logits ${logits.describe()}`);
  checkIds(targets, V, op);
  return [N, V];
}

/** sign · log_softmax(logits / T)[target] per token: sign = 1 log-probs, −1 cross-entropy. */
function signedLogprobs(logits: Tensor, targets: TokenIds, sign: 1 | -1, opts: TokenLogprobOptions, op: string): Tensor {
  const [N, V] = checkShapes(logits, targets, op);
  const e = logits.engine;
  const invT = inverseTemperature(opts.temperature ?? 1, op);
  const variant = opts.variant ?? defaultRowVariant(e);
  const params: Param[] = [N, V, f32(invT), f32(sign)];
  const out = e.empty([N], op);
  const label = `${op} ${logits.describe()}`;
  e.dispatch({ kernel: k(`token_logprob_forward_${variant}`), buffers: [logits, targets.tensor, null, out, null], params, workgroups: rowGrid(N, variant), label: `${label} forward` });
  if (e.tape.wants(logits)) {
    e.tape.record(out, (dOut) => {
      const dLogits = e.empty([N, V], `${op} dLogits`);
      e.dispatch({ kernel: k(`token_logprob_backward_${variant}`), buffers: [logits, targets.tensor, dOut, null, dLogits], params, workgroups: rowGrid(N, variant), label: `${label} backward` });
      accumulateGrad(logits, dLogits);
    });
  }
  return out;
}

/**
 * ℓ_n = log_softmax(logits[n] / T)[targets[n]] for logits (N, V): shape [N]. Backward:
 * d logits = d ℓ · (onehot − softmax(logits / T)) / T.
 */
export function tokenLogprobs(logits: Tensor, targets: TokenIds, opts: TokenLogprobOptions = {}): Tensor {
  return signedLogprobs(logits, targets, 1, opts, 'tokenLogprobs');
}

export interface CrossEntropyOptions extends TokenLogprobOptions {
  /** Denominator of the mean; default Σ mask (spec §4 (7) passes the constant L̄ · N_nom). */
  normaliser?: number;
}

export interface CrossEntropy {
  /** −ℓ_n for every token, mask not applied: [N]. */
  perToken: Tensor;
  /** Σ_n mask_n · (−ℓ_n) / D: [1]. */
  loss: Tensor;
}

/** Masked token cross-entropy: logits (N, V), targets (N), mask (N) f32 in {0, 1} or weights. */
export function crossEntropy(logits: Tensor, targets: TokenIds, mask: Tensor, opts: CrossEntropyOptions = {}): CrossEntropy {
  const perToken = signedLogprobs(logits, targets, -1, opts, 'crossEntropy');
  const loss = maskedMean(perToken, mask, opts.normaliser);
  return { perToken, loss };
}

// ---- float64 references ----------------------------------------------------------------------

export function tokenLogprobsRef(logits: ArrayLike<number>, V: number, targets: ArrayLike<number>, temperature = 1): Float64Array {
  const lse = logSumExpRef(logits, V, temperature);
  return Float64Array.from(targets, (t, n) => logits[n * V + t] / temperature - lse[n]);
}

/** d logits of Σ_n dOut_n · ℓ_n. */
export function tokenLogprobsBackwardRef(logits: ArrayLike<number>, V: number, targets: ArrayLike<number>, dOut: ArrayLike<number>, temperature = 1): Float64Array {
  const lse = logSumExpRef(logits, V, temperature);
  const d = new Float64Array(logits.length);
  for (let n = 0; n < targets.length; n++) {
    for (let j = 0; j < V; j++) {
      const i = n * V + j;
      const onehot = j === targets[n] ? 1 : 0;
      d[i] = (dOut[n] * (onehot - Math.exp(logits[i] / temperature - lse[n]))) / temperature;
    }
  }
  return d;
}
