// Exact influence sums on the GPU (spec §6.4 (17), §6.5 (18), §6.8): after a per-question backward,
// one pass per parameter tensor (shaders/influence.wgsl) forms ⟨g,u⟩, ⟨γ,u⟩, ‖γ‖², ‖g‖², ‖u‖²; one
// readback per question brings every tensor's sums home, where similarity.ts finishes the four scores in
// float64, per layer group too. Also §9.4's frozen D (kind 'frozen') for P2/P3 calibration.
// Invariant: tensors are walked in the model's parameter order, the one order of grads, u and v.
import src from '../../shaders/influence.wgsl?raw';
import { f32, type Engine } from '../engine/engine.ts';
import { grid1d } from '../engine/grid.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { KernelSpec } from '../engine/pipeline-cache.ts';
import {
  biasCorrection,
  NORM_FLOOR,
  similarityFromSums,
  type InfluenceSums,
  type PreconditionerKind,
  type SimilarityResult,
} from './similarity.ts';

const k = (entry: string): KernelSpec => ({ name: 'influence', code: src, entry });

/** Elements per partial-sum thread at least; at most MAX_THREADS partials per tensor. */
const PER_THREAD = 64;
const MAX_THREADS = 16384;
const SUMS = 5;

/** The Solver optimizer state (17) reads; `AdamW.getSecondMoment()` fits, and v = null is t = 0. */
export interface SecondMomentLike {
  v: readonly Tensor[] | null;
  t: number;
  beta2: number;
  eps: number;
}

/** One layer group's sums, its own similarities and its share of the whole score. */
export interface InfluenceGroup {
  group: string;
  sums: InfluenceSums;
  similarity: SimilarityResult;
  /** ⟨g,u⟩_group / (‖g‖‖u‖) with whole-vector norms: the shares add up to the cosine. */
  cosineShare: number;
  /** ⟨γ,u⟩_group / (‖γ‖‖u‖) with whole-vector norms: the shares add up to the preconditioned cosine. */
  preconditionedCosineShare: number;
}

export interface InfluenceScore {
  similarity: SimilarityResult;
  sums: InfluenceSums;
  /** In parameter order. */
  perTensor: InfluenceSums[];
  /** `embed`, `layers.0`, `layers.1`, …, `head` (final norm and lm_head), in first-seen order. */
  perGroup: InfluenceGroup[];
}

/** Layer group of a Hugging Face parameter name: `layers.{i}`, `embed` or `head`. */
export function influenceGroupOf(name: string): string {
  const layer = /^model\.layers\.(\d+)\./.exec(name);
  if (layer) return `layers.${layer[1]}`;
  if (name.startsWith('model.embed_tokens.')) return 'embed';
  return 'head';
}

/** The parameters' gradients, with an error naming the first parameter that has none. */
export function gradientsOf(params: readonly Tensor[], names: readonly string[]): Tensor[] {
  return params.map((p, i) => {
    if (!p.grad) throw new Error(`influence-gpu.ts: parameter "${names[i] ?? p.describe()}" has no gradient; run the question's backward first`);
    return p.grad;
  });
}

function emptySums(): InfluenceSums {
  return { dot: 0, preconditionedDot: 0, gammaSq: 0, gradSq: 0, refSq: 0 };
}

function addSums(acc: InfluenceSums, s: InfluenceSums): void {
  acc.dot += s.dot;
  acc.preconditionedDot += s.preconditionedDot;
  acc.gammaSq += s.gammaSq;
  acc.gradSq += s.gradSq;
  acc.refSq += s.refSq;
}

function checkMoment(m: SecondMomentLike, kind: PreconditionerKind, count: number): void {
  if (!(m.beta2 > 0 && m.beta2 < 1)) throw new Error(`influence-gpu.ts: β₂ must lie in (0, 1), got ${m.beta2}`);
  if (!(m.eps >= 0 && Number.isFinite(m.eps))) throw new Error(`influence-gpu.ts: ε_A must be a finite number ≥ 0, got ${m.eps}`);
  if (!(Number.isInteger(m.t) && m.t >= 0)) throw new Error(`influence-gpu.ts: step t must be an integer ≥ 0, got ${m.t}`);
  if (m.v === null && m.t > 0) throw new Error(`influence-gpu.ts: second moments are missing at step t = ${m.t}; pass the Solver's v`);
  if (m.v !== null && m.v.length !== count) throw new Error(`influence-gpu.ts: ${m.v.length} second-moment tensors for ${count} parameters`);
  if (kind === 'frozen' && m.v === null && m.eps === 0) {
    throw new Error('influence-gpu.ts: the frozen preconditioner is 1/0 with v = 0 and ε_A = 0');
  }
}

/** Streams one question's exact influence sums over a fixed list of parameter tensors on the GPU. */
export class InfluenceSumsGpu {
  private readonly e: Engine;
  private readonly threads: number[];
  private readonly offsets: number[];
  private readonly partials: Tensor;
  private readonly ranges: Tensor; // (tensors, 2) u32 bits

  /** `devRef` holds u, one tensor per name in parameter order (kept alive by the caller). */
  constructor(readonly names: readonly string[], readonly devRef: readonly Tensor[]) {
    if (names.length === 0 || names.length !== devRef.length) {
      throw new Error(`influence-gpu.ts: ${names.length} names for ${devRef.length} dev reference tensors`);
    }
    this.e = devRef[0].engine;
    this.threads = devRef.map((u) => Math.min(MAX_THREADS, Math.max(1, Math.ceil(u.size / PER_THREAD))));
    this.offsets = [];
    let total = 0;
    for (const t of this.threads) {
      this.offsets.push(total);
      total += t;
    }
    this.partials = this.e.keep(this.e.empty([total, SUMS], 'influence partials'));
    const ranges = this.threads.flatMap((t, i) => [this.offsets[i], this.offsets[i] + t]);
    // u32 bits in an f32 tensor: uploads copy bytes, and the kernel reads the binding as array<u32>.
    const bits = new Float32Array(Uint32Array.from(ranges).buffer);
    this.ranges = this.e.keep(this.e.fromArray(bits, [ranges.length], 'influence ranges'));
  }

  private checkGrads(grads: readonly Tensor[], v: readonly Tensor[] | null): void {
    if (grads.length !== this.names.length) throw new Error(`influence-gpu.ts: ${grads.length} gradients for ${this.names.length} parameters`);
    this.names.forEach((name, i) => {
      const n = this.devRef[i].size;
      if (grads[i].size !== n) throw new Error(`influence-gpu.ts: tensor "${name}": gradient has ${grads[i].size} values, u has ${n}`);
      if (v && v[i].size !== n) throw new Error(`influence-gpu.ts: tensor "${name}": v has ${v[i].size} values, u has ${n}`);
    });
  }

  /** Records one question's kernels; returns the [tensors, 5] sums tensor (the caller reads and disposes it). */
  record(grads: readonly Tensor[], moment: SecondMomentLike, kind: PreconditionerKind = 'exact'): Tensor {
    checkMoment(moment, kind, this.names.length);
    this.checkGrads(grads, moment.v);
    const { beta2, eps, t } = moment;
    const entry = moment.v ? 'influence_partials' : 'influence_partials_empty';
    this.names.forEach((name, i) => {
      const n = this.devRef[i].size;
      const params = [n, this.threads[i], this.offsets[i], kind === 'frozen' ? 1 : 0, f32(beta2), f32(1 - beta2), f32(1 / biasCorrection(beta2, t)), f32(eps)];
      const v = moment.v ? moment.v[i] : null;
      this.e.dispatch({ kernel: k(entry), buffers: [grads[i], this.devRef[i], v, null, this.partials, null], params, workgroups: grid1d(this.threads[i]), label: `influence sums ${name}` });
    });
    const count = this.names.length * SUMS;
    const sums = this.e.empty([this.names.length, SUMS], 'influence sums');
    this.e.dispatch({ kernel: k('influence_finish'), buffers: [null, null, null, this.ranges, this.partials, sums], params: [count, 0, 0, 0, f32(0), f32(0), f32(0), f32(0)], workgroups: grid1d(count), label: 'influence finish' });
    return sums;
  }

  /** One question's scores: records the sums, reads them back once and finishes (18) in float64. */
  async scoreAsync(grads: readonly Tensor[], moment: SecondMomentLike, kind: PreconditionerKind = 'exact'): Promise<InfluenceScore> {
    const sums = this.record(grads, moment, kind);
    try {
      return this.finish(await this.e.read(sums));
    } finally {
      sums.dispose();
    }
  }

  /** Turns a read-back [tensors, 5] array into the whole, per-tensor and per-group scores. */
  finish(raw: Float32Array): InfluenceScore {
    const perTensor = this.names.map((name, i) => {
      const [dot, preconditionedDot, gammaSq, gradSq, refSq] = raw.subarray(i * SUMS, (i + 1) * SUMS);
      const s = { dot, preconditionedDot, gammaSq, gradSq, refSq };
      if (!Object.values(s).every(Number.isFinite)) {
        throw new Error(`influence-gpu.ts: tensor "${name}": non-finite influence sums ${JSON.stringify(s)} (NaN/inf gradient, or D = 1/0 where v = 0 and ε_A = 0)`);
      }
      return s;
    });
    const total = emptySums();
    const groups = new Map<string, InfluenceSums>();
    perTensor.forEach((s, i) => {
      addSums(total, s);
      const g = influenceGroupOf(this.names[i]);
      if (!groups.has(g)) groups.set(g, emptySums());
      addSums(groups.get(g)!, s);
    });
    const similarity = similarityFromSums(total);
    const gradRef = Math.max(similarity.gradNorm, NORM_FLOOR) * Math.max(similarity.refNorm, NORM_FLOOR);
    const gammaRef = Math.max(similarity.gammaNorm, NORM_FLOOR) * Math.max(similarity.refNorm, NORM_FLOOR);
    const perGroup = [...groups].map(([group, sums]) => ({
      group,
      sums,
      similarity: similarityFromSums(sums),
      cosineShare: sums.dot / gradRef,
      preconditionedCosineShare: sums.preconditionedDot / gammaRef,
    }));
    return { similarity, sums: total, perTensor, perGroup };
  }

  /** Frees the scratch buffers (u stays with its owner). */
  dispose(): void {
    this.partials.dispose();
    this.ranges.dispose();
  }
}
