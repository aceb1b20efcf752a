// Projected influence with a per-matrix factored projection (spec §9.4, option P3, family `factored`).
//
// For a weight W [P, Q] the projection is P_W = P_out ⊗ P_in (P_out [k_o, P], P_in [k_i, Q], dense
// Rademacher ±1/√k_side, so E[P_Wᵀ P_W] = I), and a question's sketch is
//   F_q = P_out G_q P_inᵀ = Σ_{r ∈ q} (P_out left_r) ⊗ (P_in right_r)
// from the per-row factors the engine's gradient taps hand over (engine/grad-tap.ts). One batched
// backward over all questions' answers gives every question's sketch; no per-question gradient is
// formed. The dev side is F_V = P_out (D u) P_inᵀ with the frozen D (E2, E3 of §9.4), or u itself for
// the unpreconditioned similarity modes. `k` is the per-matrix budget k_o · k_i (not a total): the
// shorter side gets up to √k, the longer side the rest, and a side that fits is not projected
// (P_side = I), so a matrix of at most k entries is sketched exactly.
//
// The side matrices are drawn from the run seed (R1, R2) by rng.ts's Threefry, keyed by parameter and
// side, and stored transposed ([dim, k_side]) so that an embedding row gather picks P_out's columns.
import src from '../../shaders/frozen-preconditioner.wgsl?raw';
import { f32, type Engine } from '../engine/engine.ts';
import type { GradContribution } from '../engine/grad-tap.ts';
import { grid1d } from '../engine/grid.ts';
import { mul } from '../engine/ops/elementwise.ts';
import { embedding } from '../engine/ops/embedding.ts';
import { matmul } from '../engine/ops/matmul.ts';
import type { Tensor } from '../engine/tensor.ts';
import { hash32 } from './rng.ts';
import { biasCorrection } from './similarity.ts';
import { influenceGroupOf, type SecondMomentLike } from './influence-gpu.ts';
import { projectionKey } from './projection.ts';

export interface FactoredSketchOptions {
  /** Per-matrix sketch size k_o · k_i (see sideWidths). */
  k: number;
  seed: number;
  iteration: number | 'fixed';
}

/** One side of a parameter: its length, sketch width, and P_sideᵀ [dim, width] (null = identity). */
interface Side {
  dim: number;
  width: number;
  pt: Tensor | null;
}

/** Per-question sums of one chunk of questions, still on the GPU: [G, Q] dots per group, [Q] ‖F_q‖². */
interface ChunkSums {
  first: number;
  count: number;
  dots: Tensor[][]; // per group, per parameter contribution: [Q, 1]
  squares: Tensor[]; // per parameter: [Q, 1]
}

export interface FactoredScores {
  /** ⟨F_q, F_V⟩ per question. */
  dot: Float64Array;
  /** ‖F_q‖ per question. */
  norm: Float64Array;
  /** ⟨F_q,g, F_V,g⟩ per group (in `groups` order) per question. */
  groupDots: Float64Array[];
  /** ‖F_V‖. */
  refNorm: number;
}

/** ±1/√width entries of P_sideᵀ [dim, width], from hash bit 0 of (key, counter (param, side), index). */
export function sideMatrix(key: [number, number], param: number, side: 0 | 1, dim: number, width: number): Float32Array {
  const out = new Float32Array(dim * width);
  const a = 1 / Math.sqrt(width);
  for (let i = 0; i < out.length; i++) out[i] = hash32(key[0], key[1], param * 2 + side, i) & 1 ? a : -a;
  return out;
}

/** Both sides' dimensions of a parameter as the taps present it: [P, Q], a vector as [1, C]. */
export function sideDims(shape: readonly number[], name: string): [number, number] {
  if (shape.length === 2) return [shape[0], shape[1]];
  if (shape.length === 1) return [1, shape[0]];
  throw new Error(`factored sketch: parameter ${name} has rank ${shape.length}; only matrices and vectors are supported`);
}

/**
 * Sketch widths of a [P, Q] parameter within k_o · k_i ≤ k: the shorter side gets min(dim, ⌊√k⌋), the
 * longer side what the budget leaves; a side that fits is kept whole (P_side = I).
 */
export function sideWidths([P, Q]: [number, number], k: number): [number, number] {
  const short = Math.min(Math.min(P, Q), Math.max(1, Math.floor(Math.sqrt(k))));
  const long = Math.min(Math.max(P, Q), Math.max(1, Math.floor(k / short)));
  return P <= Q ? [short, long] : [long, short];
}

export class FactoredSketch {
  readonly groups: string[] = [];
  /** Features per question: Σ over parameters of k_o · k_i. */
  readonly features: number;
  private readonly groupOf: number[];
  private readonly sides: [Side, Side][];
  private reference: Tensor[] | null = null;
  private chunks: ChunkSums[] = [];
  private identities = new Map<number, Tensor>();

  constructor(
    private readonly e: Engine,
    private readonly names: readonly string[],
    shapes: readonly (readonly number[])[],
    readonly options: FactoredSketchOptions,
  ) {
    if (!(Number.isInteger(options.k) && options.k >= 1)) throw new Error(`factored sketch: k must be a positive integer, got ${options.k}`);
    const key = projectionKey(options.seed, options.iteration);
    this.groupOf = names.map((n) => {
      const g = influenceGroupOf(n);
      if (!this.groups.includes(g)) this.groups.push(g);
      return this.groups.indexOf(g);
    });
    this.sides = shapes.map((shape, i) => {
      const dims = sideDims(shape, names[i]);
      const widths = sideWidths(dims, options.k);
      return dims.map((dim, s) => {
        const width = widths[s];
        if (dim <= width) return { dim, width: dim, pt: null };
        const pt = e.keep(e.fromArray(sideMatrix(key, i, s as 0 | 1, dim, width), [dim, width], `P${s ? 'in' : 'out'}ᵀ ${names[i]}`));
        return { dim, width, pt };
      }) as [Side, Side];
    });
    this.features = this.sides.reduce((n, [o, i]) => n + o.width * i.width, 0);
  }

  /** F_V = P_out (D u) P_inᵀ per parameter; `moment` null means D = I (the unpreconditioned modes). */
  setReference(u: readonly Tensor[], moment: SecondMomentLike | null): void {
    if (u.length !== this.sides.length) throw new Error(`factored sketch: ${u.length} reference tensors for ${this.sides.length} parameters`);
    this.reference?.forEach((t) => t.dispose());
    this.reference = u.map((t, i) =>
      this.e.keep(
        this.e.tidy(() => {
          const [out, inn] = this.sides[i];
          const x = (moment ? this.frozen(t, moment, i) : t).view([out.dim, inn.dim]);
          const left = out.pt ? matmul(out.pt, x, { transA: true }) : x;
          if (inn.pt) return matmul(left, inn.pt);
          // a view would not outlive this scope: copy into a tensor of its own
          const own = this.e.empty(left.shape, 'F_V');
          this.e.copy(left, own);
          return own;
        }),
      ),
    );
  }

  private frozen(u: Tensor, m: SecondMomentLike, i: number): Tensor {
    const e = this.e;
    const out = e.empty(u.shape, 'D u');
    const v = m.v ? m.v[i] : null;
    if (!v && !(m.eps > 0)) throw new Error('factored sketch: the frozen D is 1/0 with v = 0 and ε_A = 0');
    e.dispatch({
      kernel: { name: 'frozen-preconditioner', code: src, entry: v ? 'frozen_scale' : 'frozen_scale_no_v' },
      buffers: [u, v, out],
      params: [u.size, v ? 1 : 0, f32(m.beta2), f32(biasCorrection(m.beta2, m.t)), f32(m.eps)],
      workgroups: grid1d(u.size),
      label: `frozen preconditioner ${this.names[i]}`,
    });
    return out;
  }

  /**
   * Installs taps on `params` for `count` questions (from `first`), each `tokensPerQuestion` consecutive
   * tokens of the next backward; the returned function removes them and queues the chunk's sums.
   */
  attach(params: readonly Tensor[], first: number, count: number, tokensPerQuestion: number): () => void {
    if (!this.reference) throw new Error('factored sketch: setReference before attach');
    const sketches = new Array<Tensor | null>(params.length).fill(null);
    params.forEach((p, i) => {
      p.gradTap = (c) => {
        const f = this.e.tape.noGrad(() => this.sketch(c, i, count, tokensPerQuestion));
        if (sketches[i]) {
          this.e.addInto(sketches[i]!, f);
          f.dispose();
        } else sketches[i] = this.e.keep(f);
      };
    });
    return () => {
      params.forEach((p) => (p.gradTap = null));
      const chunk: ChunkSums = { first, count, dots: this.groups.map(() => []), squares: [] };
      sketches.forEach((f, i) => {
        if (!f) return; // a parameter the loss does not reach: its sketch is 0
        this.e.tidy(() => {
          const flat = f.view([count, f.size / count]);
          const ref = this.reference![i];
          chunk.dots[this.groupOf[i]].push(this.e.keep(matmul(flat, ref.view([ref.size, 1]))));
          const ones = this.e.fromArray(new Float32Array(ref.size).fill(1), [ref.size, 1], 'ones');
          chunk.squares.push(this.e.keep(matmul(mul(flat, flat), ones)));
        });
        f.dispose();
      });
      this.chunks.push(chunk);
    };
  }

  /**
   * One contribution's sketches for the chunk's questions: [Q, k_o, k_i]. Each question holds `tokens`
   * consecutive token rows; a per-head op (Qwen3's q_norm) has several rows per token.
   */
  private sketch(c: GradContribution, i: number, Q: number, tokens: number): Tensor {
    const e = this.e;
    const [out, inn] = this.sides[i];
    const rows = (c.kind === 'outer' ? c.right.size / inn.dim : c.dOut.size / inn.dim);
    const R = rows / Q;
    if (!Number.isInteger(R) || R % tokens !== 0) {
      throw new Error(`factored sketch: ${this.names[i]} got ${rows} gradient rows, not a multiple of ${Q} questions x ${tokens} tokens`);
    }
    return e.tidy(() => {
      const project = (x: Tensor, side: Side) => (side.pt ? matmul(x, side.pt) : x);
      if (c.kind === 'scale' || c.kind === 'bias') {
        const perRow = c.kind === 'scale' ? mul(c.dOut, c.normalized) : c.dOut;
        const perQuestion = matmul(e.fromArray(new Float32Array(R).fill(1), [1, R], 'ones'), perRow.view([Q, R, inn.dim]));
        return project(perQuestion, inn); // [Q, 1, k_i]
      }
      const left = c.kind === 'gather' ? embedding(out.pt ?? this.identity(out.dim), c.ids) : project(c.left, out);
      const right = project(c.kind === 'gather' ? c.dOut : c.right, inn);
      return matmul(left.view([Q, R, out.width]), right.view([Q, R, inn.width]), { transA: true });
    });
  }

  private identity(n: number): Tensor {
    let t = this.identities.get(n);
    if (!t) {
      const data = new Float32Array(n * n);
      for (let i = 0; i < n; i++) data[i * n + i] = 1;
      t = this.e.keep(this.e.fromArray(data, [n, n], 'identity'));
      this.identities.set(n, t);
    }
    return t;
  }

  /** Reads every queued chunk's sums (one readback) for `total` questions; questions never attached score 0. */
  async read(total: number): Promise<FactoredScores> {
    if (!this.reference) throw new Error('factored sketch: setReference before read');
    const refSqs = this.e.tidy(() => this.reference!.map((r) => this.e.keep(matmul(r.view([1, r.size]), r.view([r.size, 1])))));
    const flat = [...refSqs, ...this.chunks.flatMap((c) => [...c.dots.flat(), ...c.squares])];
    const values = await this.e.readMany(flat);
    flat.forEach((t) => t.dispose());
    const refNorm = Math.sqrt(values.slice(0, refSqs.length).reduce((s, v) => s + v[0], 0));
    const scores: FactoredScores = {
      dot: new Float64Array(total),
      norm: new Float64Array(total),
      groupDots: this.groups.map(() => new Float64Array(total)),
      refNorm,
    };
    let at = refSqs.length;
    const squares = new Float64Array(total);
    for (const c of this.chunks) {
      c.dots.forEach((list, g) => {
        for (let j = 0; j < list.length; j++, at++) {
          for (let q = 0; q < c.count; q++) scores.groupDots[g][c.first + q] += values[at][q];
        }
      });
      for (let j = 0; j < c.squares.length; j++, at++) for (let q = 0; q < c.count; q++) squares[c.first + q] += values[at][q];
    }
    this.chunks = [];
    for (let q = 0; q < total; q++) {
      scores.norm[q] = Math.sqrt(squares[q]);
      scores.dot[q] = scores.groupDots.reduce((s, g) => s + g[q], 0);
    }
    return scores;
  }

  dispose(): void {
    this.reference?.forEach((t) => t.dispose());
    this.reference = null;
    this.sides.forEach((pair) => pair.forEach((s) => s.pt?.dispose()));
    this.identities.forEach((t) => t.dispose());
    this.chunks.forEach((c) => [...c.dots.flat(), ...c.squares].forEach((t) => t.dispose()));
    this.chunks = [];
  }
}
