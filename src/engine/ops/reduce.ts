// Reductions: sum and mean of all elements or over the last dimension (on the tape), the sum of
// squares and L2 norm over a list of tensors (gradient clipping, optim/clip.ts), and the masked mean
// of per-token values (cross-entropy, spec §4 (7)). Barrier-free multi-pass kernels: shaders/reduce.wgsl.
import src from '../../../shaders/reduce.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { f32, type Param } from '../engine.ts';
import { grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const k = (entry: string): KernelSpec => ({ name: 'reduce', code: src, entry });

/** Elements each sum_partials thread adds; a pass shrinks n values to ceil(n / 64). */
const PER_THREAD = 64;

interface ParamFields {
  n: number;
  cols?: number;
  square?: boolean;
  root?: boolean;
  alpha?: number;
  offset?: number;
}

/** The Params block of reduce.wgsl in declared order. */
function params(f: ParamFields): Param[] {
  return [f.n, f.cols ?? 1, f.square ? 1 : 0, f.root ? 1 : 0, f32(f.alpha ?? 1), f.offset ?? 0];
}

function partials(src: Tensor, dst: Tensor, f: ParamFields): void {
  const threads = Math.ceil(f.n / PER_THREAD);
  src.engine.dispatch({
    kernel: k('sum_partials'),
    buffers: [src, null, null, dst],
    params: params({ ...f, cols: PER_THREAD }),
    workgroups: grid1d(threads),
    label: `sum_partials ${src.describe()} -> ${dst.describe()}`,
  });
}

/** alpha · Σ over every element of every tensor (of squares when `square`), sqrt'ed when `root`. */
function reduceList(xs: readonly Tensor[], square: boolean, alpha: number, root: boolean, name: string): Tensor {
  if (xs.length === 0) throw new Error(`${name}: needs at least one tensor`);
  const e = xs[0].engine;
  const parts = xs.filter((t) => t.size > 0);
  if (parts.length === 0) return e.zeros([1], name);
  const counts = parts.map((t) => Math.ceil(t.size / PER_THREAD));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 1) {
    const out = e.empty([1], name);
    partials(parts[0], out, { n: parts[0].size, square, alpha, root });
    return out;
  }
  let cur = e.empty([total], `${name} partials`);
  let offset = 0;
  parts.forEach((t, i) => {
    partials(t, cur, { n: t.size, square, offset });
    offset += counts[i];
  });
  for (;;) {
    const isLast = cur.size <= PER_THREAD;
    const next = e.empty([Math.ceil(cur.size / PER_THREAD)], isLast ? name : `${name} partials`);
    partials(cur, next, { n: cur.size, alpha: isLast ? alpha : 1, root: isLast && root });
    cur.dispose();
    cur = next;
    if (isLast) return cur;
  }
}

/** out[i] = alpha · g[i / cols]: spreads a per-row (or scalar) gradient over x's shape. */
function broadcastRows(g: Tensor, x: Tensor, cols: number, alpha: number): Tensor {
  const e = x.engine;
  const out = e.empty(x.shape, `broadcast ${g.describe()}`);
  e.dispatch({ kernel: k('broadcast_rows'), buffers: [g, null, null, out], params: params({ n: x.size, cols, alpha }), workgroups: grid1d(x.size), label: `broadcast_rows ${g.describe()} -> ${x.describe()}` });
  return out;
}

function reduceAll(x: Tensor, alpha: number, name: string): Tensor {
  const out = reduceList([x], false, alpha, false, name);
  const e = x.engine;
  if (e.tape.wants(x)) e.tape.record(out, (g) => accumulateGrad(x, broadcastRows(g, x, Math.max(1, x.size), alpha)));
  return out;
}

function reduceRows(x: Tensor, alpha: number, name: string): Tensor {
  const e = x.engine;
  const cols = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || !(cols > 0)) throw new Error(`${name}: ${x.describe()} needs a non-empty last dimension`);
  const rows = x.size / cols;
  const out = e.empty(x.shape.length > 1 ? x.shape.slice(0, -1) : [1], name);
  e.dispatch({ kernel: k('sum_rows'), buffers: [x, null, null, out], params: params({ n: x.size, cols, alpha }), workgroups: grid1d(rows), label: `${name} ${x.describe()}` });
  if (e.tape.wants(x)) e.tape.record(out, (g) => accumulateGrad(x, broadcastRows(g, x, cols, alpha)));
  return out;
}

/** Σ of all elements, shape [1]. */
export function sum(x: Tensor): Tensor {
  return reduceAll(x, 1, 'sum');
}

/** Mean of all elements, shape [1]. */
export function mean(x: Tensor): Tensor {
  if (x.size === 0) throw new Error(`mean: ${x.describe()} is empty`);
  return reduceAll(x, 1 / x.size, 'mean');
}

/** Σ over the last dimension: [..., C] → [...] ([1] for a 1-D input). */
export function sumRows(x: Tensor): Tensor {
  return reduceRows(x, 1, 'sumRows');
}

/** Mean over the last dimension: [..., C] → [...] ([1] for a 1-D input). */
export function meanRows(x: Tensor): Tensor {
  return reduceRows(x, 1 / (x.shape[x.shape.length - 1] || 1), 'meanRows');
}

/** Σ of squares over every element of every tensor, shape [1] (no gradient). */
export function sumOfSquares(xs: readonly Tensor[]): Tensor {
  return reduceList(xs, true, 1, false, 'sumOfSquares');
}

/** Global L2 norm ‖(x_1, …, x_k)‖₂ over a list of tensors, shape [1] (no gradient). */
export function l2Norm(xs: readonly Tensor[]): Tensor {
  return reduceList(xs, true, 1, true, 'l2Norm');
}

function maskedDispatch(entry: string, x: Tensor, mask: Tensor, denom: Tensor | null, out: Tensor, n: number, normaliser: number): void {
  const single = entry !== 'masked_mean_backward';
  x.engine.dispatch({
    kernel: k(entry),
    buffers: [entry === 'masked_mean_denominator' ? null : x, mask, denom, out],
    params: params({ n, alpha: normaliser }),
    workgroups: single ? [1] : grid1d(n),
    label: `${entry} ${x.describe()}`,
  });
}

/**
 * Σ_n mask_n x_n / D over a [N] tensor, shape [1]. D = `normaliser` when given (spec §4 (7): L̄ · N_nom),
 * else Σ_n mask_n; a zero D gives 0 and a zero gradient.
 */
export function maskedMean(x: Tensor, mask: Tensor, normaliser?: number): Tensor {
  if (x.shape.length !== 1 || mask.shape.length !== 1 || mask.size !== x.size) {
    throw new Error(`maskedMean: values ${x.describe()} and mask ${mask.describe()} must both be [N]`);
  }
  if (normaliser !== undefined && !(normaliser > 0 && Number.isFinite(normaliser))) {
    throw new Error(`maskedMean: normaliser must be a positive finite number, got ${normaliser}`);
  }
  const e = x.engine;
  const n = x.size;
  const norm = normaliser ?? 0;
  const out = e.empty([1], 'maskedMean');
  maskedDispatch('masked_mean_forward', x, mask, null, out, n, norm);
  if (e.tape.wants(x)) {
    e.tape.record(out, (g) => {
      const denom = e.empty([1], 'maskedMean denominator');
      maskedDispatch('masked_mean_denominator', g, mask, null, denom, n, norm);
      const dX = e.empty([n], 'maskedMean dX');
      maskedDispatch('masked_mean_backward', g, mask, denom, dX, n, norm);
      denom.dispose();
      accumulateGrad(x, dX);
    });
  }
  return out;
}

// ---- float64 references ----------------------------------------------------------------------

export function sumRowsRef(x: ArrayLike<number>, cols: number): Float64Array {
  const out = new Float64Array(x.length / cols);
  for (let i = 0; i < x.length; i++) out[Math.floor(i / cols)] += x[i];
  return out;
}

export function l2NormRef(xs: readonly ArrayLike<number>[]): number {
  let s = 0;
  for (const x of xs) for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

export function maskedMeanRef(x: ArrayLike<number>, mask: ArrayLike<number>, normaliser?: number): number {
  let s = 0;
  let d = 0;
  for (let i = 0; i < x.length; i++) {
    s += mask[i] * x[i];
    d += mask[i];
  }
  const denom = normaliser ?? d;
  return denom === 0 ? 0 : s / denom;
}
