// Float64 CPU reference of the influence score of spec §6: the optimizer-aware preconditioner (17), the
// four similarity modes (18), and §9.4's frozen preconditioner D with its ρ (24) and angle bound (25).
// Scores are streamed (§6.8): an InfluenceAccumulator takes one parameter tensor at a time and keeps
// float64 sums, so a question's score never needs a gradient-sized buffer. influence.ts uses this as the
// reference for shaders/influence.wgsl, driven by src/infuser/influence-gpu.ts (the GPU kernel returns the same sums per tensor).

export type SimilarityMode = 'dot' | 'cosine' | 'preconditioned_dot' | 'preconditioned_cosine';

export const SIMILARITY_MODES: readonly SimilarityMode[] = [
  'dot',
  'cosine',
  'preconditioned_dot',
  'preconditioned_cosine',
];

/** Norm floor of the cosine modes (18b, 18d). */
export const NORM_FLOOR = 1e-12;

export type ParamVector = Float64Array | Float32Array;

/** The Solver optimizer's state as (17) reads it. */
export interface PreconditionerOptions {
  beta2: number; // Solver AdamW β₂ (0.999)
  epsilon: number; // ε_A (1e-8)
  step: number; // t, the stored number of Solver optimizer steps; (17) uses t + 1
}

/** `exact` is (17); `frozen` is §9.4's D, which leaves out the candidate's own g² term. */
export type PreconditionerKind = 'exact' | 'frozen';

/** The float64 sums one question needs (§6.8), accumulated over parameter tensors. */
export interface InfluenceSums {
  dot: number; // ⟨g, u⟩
  preconditionedDot: number; // ⟨γ, u⟩
  gammaSq: number; // ‖γ‖²
  gradSq: number; // ‖g‖²
  refSq: number; // ‖u‖²
}

/** Every quantity the influence metrics log for one question. */
export interface SimilarityResult {
  dot: number;
  cosine: number;
  preconditionedDot: number;
  preconditionedCosine: number;
  gammaNorm: number; // ‖γ‖
  gradNorm: number; // ‖g‖
  refNorm: number; // ‖u‖
}

/** Bias correction of (17): 1 − β₂^(t+1). */
export function biasCorrection(beta2: number, step: number): number {
  return 1 - beta2 ** (step + 1);
}

function checkOptions(o: PreconditionerOptions): void {
  if (!(o.beta2 > 0 && o.beta2 < 1)) throw new Error(`similarity.ts: β₂ must lie in (0, 1), got ${o.beta2}`);
  if (!(o.epsilon >= 0)) throw new Error(`similarity.ts: ε_A must be ≥ 0, got ${o.epsilon}`);
  if (!(Number.isInteger(o.step) && o.step >= 0)) {
    throw new Error(`similarity.ts: step t must be an integer ≥ 0, got ${o.step}`);
  }
}

function checkLengths(name: string, g: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number> | null): void {
  for (const [label, arr] of [['u', u], ['v', v]] as const) {
    if (arr && arr.length !== g.length) {
      throw new Error(`similarity.ts: tensor "${name}": ${label} has ${arr.length} values, g has ${g.length}`);
    }
  }
}

/**
 * γ_i for one coordinate: g / (√(vTerm / bc) + ε). vTerm is v_next (exact) or β₂v (frozen).
 * A zero gradient coordinate gives 0, even with ε_A = 0 and v = 0 where the quotient is 0/0.
 */
function preconditionOne(g: number, vTerm: number, bc: number, epsilon: number, name: string, i: number): number {
  if (g === 0) return 0;
  const denominator = Math.sqrt(vTerm / bc) + epsilon;
  if (denominator === 0) {
    throw new Error(`similarity.ts: tensor "${name}" [${i}]: frozen preconditioner is 1/0 (v = 0 and ε_A = 0)`);
  }
  return g / denominator;
}

/** Streams the §6.8 sums of one question over parameter tensors, in float64. */
export class InfluenceAccumulator {
  readonly sums: InfluenceSums = { dot: 0, preconditionedDot: 0, gammaSq: 0, gradSq: 0, refSq: 0 };
  private readonly bc: number;

  constructor(
    private readonly options: PreconditionerOptions,
    private readonly kind: PreconditionerKind = 'exact',
  ) {
    checkOptions(options);
    this.bc = biasCorrection(options.beta2, options.step);
  }

  /** Adds one tensor: g (the question's gradient), u (dev reference), v (stored second moment, null = empty state). */
  addTensor(name: string, g: ParamVector, u: ParamVector, v: ParamVector | null): void {
    checkLengths(name, g, u, v);
    const { beta2, epsilon } = this.options;
    const s = this.sums;
    for (let i = 0; i < g.length; i++) {
      const gi = g[i];
      const ui = u[i];
      const vi = v ? v[i] : 0;
      // (17): v_next = β₂v + (1 − β₂)g²; the frozen D drops the (1 − β₂)g² term.
      const vTerm = this.kind === 'exact' ? beta2 * vi + (1 - beta2) * gi * gi : beta2 * vi;
      const gamma = preconditionOne(gi, vTerm, this.bc, epsilon, name, i);
      s.dot += gi * ui;
      s.preconditionedDot += gamma * ui;
      s.gammaSq += gamma * gamma;
      s.gradSq += gi * gi;
      s.refSq += ui * ui;
    }
  }
}

/** Finishes (18a–d) from accumulated sums. */
export function similarityFromSums(sums: InfluenceSums): SimilarityResult {
  const gradNorm = Math.sqrt(sums.gradSq);
  const gammaNorm = Math.sqrt(sums.gammaSq);
  const refNorm = Math.sqrt(sums.refSq);
  const refFloor = Math.max(refNorm, NORM_FLOOR);
  return {
    dot: sums.dot,
    cosine: sums.dot / (Math.max(gradNorm, NORM_FLOOR) * refFloor),
    preconditionedDot: sums.preconditionedDot,
    preconditionedCosine: sums.preconditionedDot / (Math.max(gammaNorm, NORM_FLOOR) * refFloor),
    gammaNorm,
    gradNorm,
    refNorm,
  };
}

/** The score s_q of the chosen mode. */
export function scoreOf(result: SimilarityResult, mode: SimilarityMode): number {
  switch (mode) {
    case 'dot':
      return result.dot;
    case 'cosine':
      return result.cosine;
    case 'preconditioned_dot':
      return result.preconditionedDot;
    case 'preconditioned_cosine':
      return result.preconditionedCosine;
    default:
      throw new Error(`similarity.ts: unknown similarity mode "${mode as string}"; use ${SIMILARITY_MODES.join(', ')}`);
  }
}

/** One-shot helper: every similarity of one question from whole vectors. */
export function influenceSimilarity(
  g: ParamVector,
  u: ParamVector,
  v: ParamVector | null,
  options: PreconditionerOptions,
  kind: PreconditionerKind = 'exact',
): SimilarityResult {
  const acc = new InfluenceAccumulator(options, kind);
  acc.addTensor('vector', g, u, v);
  return similarityFromSums(acc.sums);
}

/** γ_q of (17) as a vector (exact kind) or D g_q (frozen kind). */
export function preconditionRef(
  g: ParamVector,
  v: ParamVector | null,
  options: PreconditionerOptions,
  kind: PreconditionerKind = 'exact',
): Float64Array {
  checkOptions(options);
  checkLengths('vector', g, g, v);
  const bc = biasCorrection(options.beta2, options.step);
  return Float64Array.from(g, (gi, i) => {
    const vi = v ? v[i] : 0;
    const vTerm = kind === 'exact' ? options.beta2 * vi + (1 - options.beta2) * gi * gi : options.beta2 * vi;
    return preconditionOne(gi, vTerm, bc, options.epsilon, 'vector', i);
  });
}

/** §9.4's frozen D = 1/(√(β₂v/(1 − β₂^(t+1))) + ε_A), the same for all questions. */
export function frozenPreconditionerRef(v: ParamVector, options: PreconditionerOptions): Float64Array {
  checkOptions(options);
  const bc = biasCorrection(options.beta2, options.step);
  return Float64Array.from(v, (vi) => 1 / (Math.sqrt((options.beta2 * vi) / bc) + options.epsilon));
}

/** ρ_i of (24) = (1 − β₂)g² / (β₂v): 0 where g = 0, Infinity where g ≠ 0 and v = 0. */
export function frozenRho(g: ParamVector, v: ParamVector, beta2: number): Float64Array {
  checkLengths('vector', g, g, v);
  return Float64Array.from(g, (gi, i) => (gi === 0 ? 0 : ((1 - beta2) * gi * gi) / (beta2 * v[i])));
}

/** Range [a, b] of r_i = γ̃_i/γ_i (E2) over coordinates with g ≠ 0; a = b = 1 if there are none. */
export function frozenRatioRange(
  g: ParamVector,
  v: ParamVector,
  options: PreconditionerOptions,
): { min: number; max: number } {
  const exact = preconditionRef(g, v, options, 'exact');
  const frozen = preconditionRef(g, v, options, 'frozen');
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < g.length; i++) {
    if (g[i] === 0) continue;
    const r = frozen[i] / exact[i];
    min = Math.min(min, r);
    max = Math.max(max, r);
  }
  return g.some((x) => x !== 0) ? { min, max } : { min: 1, max: 1 };
}

/** Bound (25) on the score's angular error, in degrees: arccos(2√(ab)/(a + b)). */
export function angleBoundDegrees(a: number, b: number): number {
  if (!(a > 0 && b >= a)) throw new Error(`similarity.ts: the ratio range needs 0 < a ≤ b, got [${a}, ${b}]`);
  const cos = Math.min(1, (2 * Math.sqrt(a * b)) / (a + b));
  return (Math.acos(cos) * 180) / Math.PI;
}
