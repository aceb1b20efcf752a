// AdamW with global gradient-norm clipping (spec §4 (8), (9)) over a list of parameters and their
// .grad. Moments m and v sit in the parameters' order (one walk for clipping, export and the influence
// preconditioner, §6.4). A step records clip + update kernels, then reads (G, scale, isFinite) back
// once: a non-finite G skipped the update on the GPU, and t does not advance.
import src from '../../../shaders/adamw.wgsl?raw';
import { f32, type Engine } from '../engine.ts';
import { grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';
import { gradClipInfo, readClipInfo, type ClipInfo } from './clip.ts';

const KERNEL: KernelSpec = { name: 'adamw', code: src, entry: 'adamw_update' };

export interface AdamWOptions {
  /** η. */
  lr: number;
  beta1?: number;
  beta2?: number;
  /** ε_A, added after the square root. */
  eps?: number;
  /** λ, decoupled: θ ← θ(1 − ηλ). */
  weightDecay?: number;
  /** Global gradient-norm clip (§4 (8)); null turns scaling off (non-finite steps are still skipped). */
  maxGradNorm?: number | null;
}

export interface StepReport extends ClipInfo {
  isSkipped: boolean;
  /** Step count after this call. */
  t: number;
}

/** Checkpoint state: moments in parameter order. */
export interface AdamWState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** What the influence preconditioner (§6.4 (17)) needs: v in parameter order, t, β₂ and ε. */
export interface SecondMoment {
  v: readonly Tensor[];
  t: number;
  beta2: number;
  eps: number;
}

export class AdamW {
  readonly m: readonly Tensor[];
  readonly v: readonly Tensor[];
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number | null;
  private steps = 0;
  private isStepping = false;
  private readonly e: Engine;

  constructor(readonly params: readonly Tensor[], opts: AdamWOptions) {
    if (params.length === 0) throw new Error('AdamW: no parameters given');
    this.e = params[0].engine;
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.maxGradNorm = opts.maxGradNorm === undefined ? 1.0 : opts.maxGradNorm;
    for (const [name, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`AdamW: ${name} must be in [0, 1), got ${b}`);
    }
    const zeros = (p: Tensor, what: string) => this.e.keep(this.e.zeros(p.shape, `${p.name || `param${p.id}`} ${what}`));
    this.m = params.map((p) => zeros(p, 'adam m'));
    this.v = params.map((p) => zeros(p, 'adam v'));
  }

  /** Steps taken (skipped steps excluded). */
  get t(): number {
    return this.steps;
  }

  /**
   * Clips and applies one AdamW update to every parameter with a gradient, then reads G back once.
   * Parameters without a gradient are left alone (no decay either), as in PyTorch.
   */
  async step(): Promise<StepReport> {
    if (this.isStepping) throw new Error('AdamW.step: the previous step has not finished (await it first)');
    const live = this.params.map((p, i) => ({ p, i })).filter(({ p }) => p.grad !== null);
    if (live.length === 0) throw new Error('AdamW.step: no parameter has a gradient (was backward run?)');
    this.isStepping = true;
    try {
      this.validateLr();
      const info = gradClipInfo(live.map(({ p }) => p.grad!), this.maxGradNorm);
      for (const { p, i } of live) this.update(p, i, info);
      const report = await readClipInfo(info);
      info.dispose();
      if (report.isFinite) this.steps++;
      return { ...report, isSkipped: !report.isFinite, t: this.steps };
    } finally {
      this.isStepping = false;
    }
  }

  private validateLr(): void {
    if (!(this.lr >= 0 && Number.isFinite(this.lr))) throw new Error(`AdamW: learning rate must be a finite number ≥ 0, got ${this.lr}`);
  }

  private update(p: Tensor, i: number, info: Tensor): void {
    const t = this.steps + 1;
    const grad = p.grad!;
    if (grad.size !== p.size) throw new Error(`AdamW: gradient ${grad.describe()} does not match parameter ${p.describe()}`);
    this.e.dispatch({
      kernel: KERNEL,
      buffers: [info, grad, p, this.m[i], this.v[i]],
      params: [
        p.size, f32(this.lr), f32(this.beta1), f32(this.beta2), f32(1 - this.beta1), f32(1 - this.beta2),
        f32(this.eps), f32(1 - this.lr * this.weightDecay), f32(1 - this.beta1 ** t), f32(1 - this.beta2 ** t),
      ],
      workgroups: grid1d(p.size),
      label: `adamw ${p.describe()}`,
    });
  }

  /** Drops every parameter's gradient; the next backward starts them from zero. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  getSecondMoment(): SecondMoment {
    return { v: this.v, t: this.steps, beta2: this.beta2, eps: this.eps };
  }

  /** Reads m, v and t for a checkpoint (one sync). */
  async exportState(): Promise<AdamWState> {
    const all = await this.e.readMany([...this.m, ...this.v]);
    return { t: this.steps, m: all.slice(0, this.m.length), v: all.slice(this.m.length) };
  }

  /** Restores a checkpoint written by `exportState` for the same parameter list. */
  importState(state: AdamWState): void {
    if (!(Number.isInteger(state.t) && state.t >= 0)) throw new Error(`AdamW.importState: step count ${state.t} is not a non-negative integer`);
    const n = this.params.length;
    if (state.m.length !== n || state.v.length !== n) {
      throw new Error(`AdamW.importState: state has ${state.m.length} m and ${state.v.length} v tensors for ${n} parameters`);
    }
    this.params.forEach((p, i) => {
      for (const [what, data] of [['m', state.m[i]], ['v', state.v[i]]] as const) {
        if (data.length !== p.size) throw new Error(`AdamW.importState: ${what}[${i}] has ${data.length} values for parameter ${p.describe()}`);
      }
    });
    this.params.forEach((_, i) => {
      this.e.write(this.m[i], state.m[i]);
      this.e.write(this.v[i], state.v[i]);
    });
    this.steps = state.t;
  }

  /** Frees the moment buffers (parameters stay with their owner). */
  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

// ---- float64 reference -----------------------------------------------------------------------

export interface AdamWRefState {
  theta: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** One §4 (9) update of one parameter in float64 with an already clipped gradient g, at step t (1-based). */
export function adamwStepRef(s: AdamWRefState, g: ArrayLike<number>, t: number, o: Required<Omit<AdamWOptions, 'maxGradNorm'>>): AdamWRefState {
  const theta = new Float64Array(s.theta.length);
  const m = new Float64Array(s.m.length);
  const v = new Float64Array(s.v.length);
  for (let i = 0; i < theta.length; i++) {
    m[i] = o.beta1 * s.m[i] + (1 - o.beta1) * g[i];
    v[i] = o.beta2 * s.v[i] + (1 - o.beta2) * g[i] * g[i];
    const mHat = m[i] / (1 - o.beta1 ** t);
    const vHat = v[i] / (1 - o.beta2 ** t);
    theta[i] = s.theta[i] * (1 - o.lr * o.weightDecay) - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
  }
  return { theta, m, v };
}
