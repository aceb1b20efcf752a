// Projected influence (spec §9.4): f = P x for gradient-sized inputs given as a list of tensors, with P
// regenerated on the GPU from rng.ts's Threefry keyed by (seed, 'projection', iteration) and by (column,
// row); no k×d matrix is stored (R2). shaders/projection.wgsl does the work; this file picks chunk sizes,
// records the kernels, applies the P1/P2/P3 input transforms and holds the float64 reference.
// Invariants: one GradientProjector = one P (R1), so f_V and every f_q of an iteration share it; sums run
// in a fixed order, so the same seed gives bit-identical features.
import src from '../../shaders/projection.wgsl?raw';
import { f32, type Engine, type Param } from '../engine/engine.ts';
import { grid1d } from '../engine/grid.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { KernelSpec } from '../engine/pipeline-cache.ts';
import { streamKey, threefry2x32 } from './rng.ts';
import { biasCorrection, NORM_FLOOR, preconditionRef } from './similarity.ts';
import { influenceGroupOf, type SecondMomentLike } from './influence-gpu.ts';

const k = (entry: string): KernelSpec => ({ name: 'projection', code: src, entry });
/** Small workgroups for the hashing kernels, so even a short vector spreads over several workgroups. */
const PROJECT_WG = 64;
const projectKernel = (entry: string): KernelSpec => ({ ...k(entry), constants: { WG: PROJECT_WG } });

/** `sparse`: block count-sketch with s nonzeros ±1/√s per column, O(d·s); `rademacher`: dense ±1/√k, O(d·k). */
export type ProjectionFamily = 'sparse' | 'rademacher';
/** What is applied to x before projecting: nothing, exact γ (17), or the frozen D of §9.4. */
export type ProjectionTransform = 'none' | 'exact' | 'frozen';
/** §9.4's options: P1 f_q = Pγ_q, f_V = Pu; P2 f_q = P(D g_q), f_V = Pu; P3 f_q = P g_q, f_V = P(D u). */
export type ProjectionOption = 'P1' | 'P2' | 'P3';

export interface ProjectionOptions {
  family: ProjectionFamily;
  /** Projection width k (R3: default 4096, range 256–16384). */
  k: number;
  /** Sparse family: nonzeros per column s (k must be a multiple); default 4. */
  sparsity?: number;
  seed: number;
  /** P is redrawn per iteration, or `fixed` keeps one per run (R2). */
  iteration: number | 'fixed';
}

export const DEFAULT_SPARSITY = 4;

/** Per-chunk sketches kept at once, in floats (16 MiB). */
const PARTIAL_BUDGET = 1 << 22;
const MIN_CHUNK = 32;
/** Chunk rows wanted at least, for parallelism, where the vector is long enough. */
const MIN_ROWS = 256;

export interface ProjectedFeatures {
  /** f = P x, shape [k]. */
  features: Tensor;
  /** Per-group sketches P_g x_g (they add up to f), shape [G, k]. */
  groupFeatures: Tensor;
}

export interface ProjectedArrays {
  features: Float32Array;
  /** In `GradientProjector.groups` order. */
  groupFeatures: Float32Array[];
}

/** The Threefry key of P: streamKey(seed, 'projection', iteration), or (seed, 'projection') when fixed. */
export function projectionKey(seed: number, iteration: number | 'fixed'): [number, number] {
  return iteration === 'fixed' ? streamKey(seed, 'projection') : streamKey(seed, 'projection', iteration);
}

/** The transforms (f_q side, f_V side) of a §9.4 option. */
export function optionTransforms(option: ProjectionOption): { question: ProjectionTransform; devRef: ProjectionTransform } {
  switch (option) {
    case 'P1':
      return { question: 'exact', devRef: 'none' };
    case 'P2':
      return { question: 'frozen', devRef: 'none' };
    case 'P3':
      return { question: 'none', devRef: 'frozen' };
    default:
      throw new Error(`projection.ts: unknown projection option "${option as string}"; use P1, P2 or P3`);
  }
}

function checkOptions(o: ProjectionOptions): number {
  if (!(Number.isInteger(o.k) && o.k >= 1 && o.k <= 65536)) throw new Error(`projection.ts: k must be an integer in [1, 65536], got ${o.k}`);
  if (o.family !== 'sparse' && o.family !== 'rademacher') {
    throw new Error(`projection.ts: unknown family "${o.family as string}"; use sparse or rademacher`);
  }
  const s = o.family === 'sparse' ? (o.sparsity ?? DEFAULT_SPARSITY) : 1;
  if (!(Number.isInteger(s) && s >= 1 && o.k % s === 0)) {
    throw new Error(`projection.ts: sparsity s must be a positive integer dividing k = ${o.k}, got ${s}`);
  }
  if (o.iteration !== 'fixed' && !(Number.isInteger(o.iteration) && o.iteration >= 0)) {
    throw new Error(`projection.ts: iteration must be an integer ≥ 0 or 'fixed', got ${o.iteration}`);
  }
  return s;
}

/** u32 values as the bits of a Float32Array, for a tensor a kernel reads as array<u32> (copies keep bits). */
export function u32Bits(values: readonly number[]): Float32Array {
  return new Float32Array(Uint32Array.from(values).buffer);
}

/** Projects lists of gradient-sized tensors (one fixed layout) with one P. */
export class GradientProjector {
  readonly groups: string[];
  readonly dimension: number;
  readonly sparsity: number;
  readonly key: [number, number];
  private readonly e: Engine;
  private readonly chunk: number;
  private readonly rowBase: number[] = [];
  private readonly coordBase: number[] = [];
  private readonly rows: number;
  private readonly bounds: Tensor; // (G + 1) u32 bits

  /** `sizes` are element counts in parameter order; tensors of one group must be contiguous. */
  constructor(engine: Engine, readonly names: readonly string[], readonly sizes: readonly number[], readonly options: ProjectionOptions, groupOf: (name: string) => string = influenceGroupOf) {
    if (names.length === 0 || names.length !== sizes.length) throw new Error(`projection.ts: ${names.length} names for ${sizes.length} sizes`);
    this.e = engine;
    this.sparsity = checkOptions(options);
    this.key = projectionKey(options.seed, options.iteration);
    this.dimension = sizes.reduce((a, b) => a + b, 0);
    if (this.dimension >= 2 ** 32) throw new Error(`projection.ts: ${this.dimension} coordinates exceed the 2^32 counter range`);
    this.chunk = this.chooseChunk();
    let rows = 0;
    let coords = 0;
    const bounds = [0];
    this.groups = [];
    names.forEach((name, i) => {
      const group = groupOf(name);
      if (group !== this.groups[this.groups.length - 1]) {
        if (this.groups.includes(group)) throw new Error(`projection.ts: tensor "${name}" of group ${group} is not next to the group's other tensors`);
        if (i > 0) bounds.push(rows);
        this.groups.push(group);
      }
      this.rowBase.push(rows);
      this.coordBase.push(coords);
      rows += Math.ceil(sizes[i] / this.chunk); // an empty tensor owns no row
      coords += sizes[i];
    });
    bounds.push(rows);
    this.rows = rows;
    this.bounds = engine.keep(engine.fromArray(u32Bits(bounds), [bounds.length], 'projection group bounds'));
  }

  /** Sparse: about 2·d·s/k chunk rows (≥ 256), balancing the scatter against the reduction; dense: as many as fit. */
  private chooseChunk(): number {
    const K = this.options.k;
    const maxRows = Math.max(1, Math.floor(PARTIAL_BUDGET / K));
    const wanted = this.options.family === 'sparse' ? Math.max(MIN_ROWS, Math.ceil((2 * this.dimension * this.sparsity) / K)) : maxRows;
    const rows = Math.min(maxRows, Math.max(1, wanted));
    return Math.max(MIN_CHUNK, Math.ceil(this.dimension / rows));
  }

  private params(i: number, transform: ProjectionTransform, m: SecondMomentLike | null, hasV: boolean): Param[] {
    const K = this.options.k;
    const code = { none: 0, exact: 1, frozen: 2 }[transform];
    const beta2 = m?.beta2 ?? 0.5;
    const scale = this.options.family === 'sparse' ? 1 / Math.sqrt(this.sparsity) : 1 / Math.sqrt(K);
    return [
      this.sizes[i], this.chunk, this.rowBase[i], this.coordBase[i], K, this.sparsity, this.key[0], this.key[1], code, hasV ? 1 : 0,
      f32(beta2), f32(1 - beta2), f32(1 / biasCorrection(beta2, m?.t ?? 0)), f32(m?.eps ?? 0), f32(scale),
    ];
  }

  private checkInputs(xs: readonly Tensor[], transform: ProjectionTransform, m: SecondMomentLike | null): void {
    if (xs.length !== this.names.length) throw new Error(`projection.ts: ${xs.length} tensors for ${this.names.length} parameters`);
    xs.forEach((x, i) => {
      if (x.size !== this.sizes[i]) throw new Error(`projection.ts: tensor "${this.names[i]}" has ${x.size} values, expected ${this.sizes[i]}`);
      if (m?.v && m.v[i].size !== this.sizes[i]) throw new Error(`projection.ts: tensor "${this.names[i]}": v has ${m.v[i].size} values`);
    });
    if (transform === 'none') return;
    if (!m) throw new Error(`projection.ts: the ${transform} transform needs the Solver's second moment`);
    if (m.v === null && m.t > 0) throw new Error(`projection.ts: second moments are missing at step t = ${m.t}`);
    if (m.v !== null && m.v.length !== this.names.length) throw new Error(`projection.ts: ${m.v.length} second-moment tensors for ${this.names.length} parameters`);
    if (!(m.beta2 > 0 && m.beta2 < 1 && m.eps >= 0)) throw new Error(`projection.ts: need 0 < β₂ < 1 and ε_A ≥ 0, got ${m.beta2}, ${m.eps}`);
    if (transform === 'frozen' && m.v === null && m.eps === 0) throw new Error('projection.ts: the frozen D is 1/0 with v = 0 and ε_A = 0');
  }

  /** Records f = P T(x) for one gradient-sized input; the caller reads and disposes the result. */
  project(xs: readonly Tensor[], transform: ProjectionTransform = 'none', moment: SecondMomentLike | null = null): ProjectedFeatures {
    this.checkInputs(xs, transform, moment);
    const e = this.e;
    const K = this.options.k;
    const isSparse = this.options.family === 'sparse';
    const partials = isSparse ? e.zeros([this.rows, K], 'projection partials') : e.empty([this.rows, K], 'projection partials');
    const v = transform !== 'none' && moment?.v ? moment.v : null;
    const entry = `project_${isSparse ? 'sparse' : 'dense'}`;
    const blocks = isSparse ? 1 : Math.ceil(K / 64);
    xs.forEach((x, i) => {
      const threads = Math.ceil(this.sizes[i] / this.chunk) * blocks;
      if (threads === 0) return;
      // Without v, x is bound in v's place (both read-only) and the kernel ignores it.
      const buffers = [x, v ? v[i] : x, null, partials, null, null, null];
      e.dispatch({ kernel: projectKernel(entry), buffers, params: this.params(i, transform, moment, v !== null), workgroups: grid1d(threads, PROJECT_WG), label: `${entry} ${this.names[i]}` });
    });
    const G = this.groups.length;
    const groupFeatures = e.empty([G, K], 'projected group features');
    const features = e.empty([K], 'projected features');
    const tail = (n: number, S: number): Param[] => [n, 1, 0, 0, K, S, 0, 0, 0, 0, f32(0), f32(0), f32(0), f32(0), f32(0)];
    e.dispatch({ kernel: k('project_groups'), buffers: [null, null, this.bounds, partials, groupFeatures, null, null], params: tail(G * K, 1), workgroups: grid1d(G * K), label: 'project_groups' });
    e.dispatch({ kernel: k('project_total'), buffers: [null, null, null, null, groupFeatures, features, null], params: tail(K, G), workgroups: grid1d(K), label: 'project_total' });
    partials.dispose();
    return { features, groupFeatures };
  }

  /** f_q of a §9.4 option from the question's gradients. */
  projectQuestion(grads: readonly Tensor[], option: ProjectionOption, moment: SecondMomentLike): ProjectedFeatures {
    return this.project(grads, optionTransforms(option).question, moment);
  }

  /** f_V of a §9.4 option from the dev reference vector u. */
  projectDevRef(devRef: readonly Tensor[], option: ProjectionOption, moment: SecondMomentLike): ProjectedFeatures {
    return this.project(devRef, optionTransforms(option).devRef, moment);
  }

  /** Reads features and group sketches with one sync and disposes the tensors. */
  async readAsync(f: ProjectedFeatures): Promise<ProjectedArrays> {
    const K = this.options.k;
    try {
      const [features, groups] = await this.e.readMany([f.features, f.groupFeatures]);
      return { features, groupFeatures: this.groups.map((_, g) => groups.slice(g * K, (g + 1) * K)) };
    } finally {
      f.features.dispose();
      f.groupFeatures.dispose();
    }
  }

  dispose(): void {
    this.bounds.dispose();
  }
}

/** s_q^proj = ⟨f_q, f_V⟩ / (max(‖f_q‖, 1e-12) · max(‖f_V‖, 1e-12)) in float64. */
export function projectedCosine(fq: ArrayLike<number>, fV: ArrayLike<number>): number {
  if (fq.length !== fV.length) throw new Error(`projection.ts: feature lengths differ (${fq.length} vs ${fV.length})`);
  let dot = 0;
  let qq = 0;
  let vv = 0;
  for (let j = 0; j < fq.length; j++) {
    dot += fq[j] * fV[j];
    qq += fq[j] * fq[j];
    vv += fV[j] * fV[j];
  }
  return dot / (Math.max(Math.sqrt(qq), NORM_FLOOR) * Math.max(Math.sqrt(vv), NORM_FLOOR));
}

// ---- float64 reference -----------------------------------------------------------------------

/** Adds column i of P times x into f (float64), generating the column with rng.ts's threefry2x32. */
function addColumnRef(f: Float64Array, i: number, x: number, o: ProjectionOptions, key: [number, number], s: number): void {
  const K = o.k;
  if (o.family === 'sparse') {
    const m = K / s;
    for (let r = 0; r < s; r++) {
      const w = threefry2x32(key[0], key[1], i, Math.floor(r / 2))[r % 2];
      f[r * m + ((w >>> 1) % m)] += (w & 1 ? -x : x) / Math.sqrt(s);
    }
    return;
  }
  for (let j = 0; j < K; j++) {
    const w = threefry2x32(key[0], key[1], i, Math.floor(j / 64))[(j % 64) >> 5];
    f[j] += ((w >>> (j % 32)) & 1 ? -x : x) / Math.sqrt(K);
  }
}

/** Float64 f = P T(x) over a list of arrays (global coordinates run across them); small d only. */
export function projectionRef(
  xs: readonly ArrayLike<number>[],
  o: ProjectionOptions,
  transform: ProjectionTransform = 'none',
  moment: { v: readonly ArrayLike<number>[] | null; t: number; beta2: number; eps: number } | null = null,
): Float64Array {
  const s = checkOptions(o);
  const key = projectionKey(o.seed, o.iteration);
  const f = new Float64Array(o.k);
  let coord = 0;
  xs.forEach((x, t) => {
    let vals: ArrayLike<number> = x;
    if (transform !== 'none') {
      if (!moment) throw new Error(`projection.ts: the ${transform} transform needs the second moment`);
      const v = moment.v ? Float64Array.from(moment.v[t]) : null;
      vals = preconditionRef(Float64Array.from(x), v, { beta2: moment.beta2, epsilon: moment.eps, step: moment.t }, transform);
    }
    for (let i = 0; i < vals.length; i++) addColumnRef(f, coord + i, vals[i], o, key, s);
    coord += x.length;
  });
  return f;
}

/** Test hook: the GPU port's Threefry words for counters (x0 + i, y), i < count, as [w0, w1] pairs. */
export async function threefryWordsGpuAsync(e: Engine, key: [number, number], x0: number, y: number, count: number): Promise<Uint32Array> {
  const out = e.empty([2 * count], 'threefry words');
  const params: Param[] = [count, 1, 0, x0, 1, y, key[0], key[1], 0, 0, f32(0), f32(0), f32(0), f32(0), f32(0)];
  e.dispatch({ kernel: k('hash_words'), buffers: [null, null, null, null, null, null, out], params, workgroups: grid1d(count), label: 'hash_words' });
  try {
    const data = await e.read(out);
    return new Uint32Array(data.buffer, data.byteOffset, data.length);
  } finally {
    out.dispose();
  }
}
