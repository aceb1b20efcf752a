// Softmax and log-softmax over the last dimension with a temperature (spec §4 (3)): launchers, tape
// rules and float64 references. Row kernels come in two thread mappings (see shaders/softmax.wgsl);
// `defaultRowVariant` asks autotune.ts (SOFTMAX_TUNABLE), and cross-entropy.ts shares the choice.
import src from '../../../shaders/softmax.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { chosenVariant, type Tunable } from '../autotune.ts';
import { f32, type Dispatch, type Engine, type Param } from '../engine.ts';
import { grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

/** 'rows': one thread per row, barrier-free; 'wg': one 256-thread workgroup per row. */
export type RowVariant = 'rows' | 'wg';

export interface SoftmaxOptions {
  /** Logits are divided by this first (default 1). */
  temperature?: number;
  variant?: RowVariant;
}

const k = (entry: string): KernelSpec => ({ name: 'softmax', code: src, entry });

/** The tuned row mapping for this adapter (fallback: barrier-free on software, workgroups on GPUs). */
export function defaultRowVariant(e: Engine): RowVariant {
  return chosenVariant(e, SOFTMAX_TUNABLE);
}

/** Workgroups for a row kernel: one thread per row ('rows') or one workgroup per row ('wg'). */
export function rowGrid(rows: number, variant: RowVariant): [number, number, number] {
  return variant === 'rows' ? grid1d(rows) : grid1d(rows, 1);
}

/** Splits x's shape into (rows, cols) over the last dimension, rejecting empty rows. */
export function rowsCols(x: Tensor, op: string): [number, number] {
  const cols = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || !(cols > 0)) throw new Error(`${op}: ${x.describe()} needs a non-empty last dimension`);
  return [x.size / cols, cols];
}

/** 1/T after checking T is a positive finite number. */
export function inverseTemperature(temperature: number, op: string): number {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`${op}: temperature must be a positive finite number, got ${temperature}`);
  }
  return 1 / temperature;
}

/** params: [rows, cols, f32(1/T), isLog], the Params block of softmax.wgsl. */
function forwardDispatch(x: Tensor, out: Tensor, rows: number, params: Param[], variant: RowVariant, label: string): Dispatch {
  return { kernel: k(`softmax_forward_${variant}`), buffers: [x, null, null, out], params, workgroups: rowGrid(rows, variant), label };
}

function run(x: Tensor, isLog: boolean, opts: SoftmaxOptions): Tensor {
  const op = isLog ? 'logSoftmax' : 'softmax';
  const e = x.engine;
  const [rows, cols] = rowsCols(x, op);
  const invT = inverseTemperature(opts.temperature ?? 1, op);
  const variant = opts.variant ?? defaultRowVariant(e);
  const params = [rows, cols, f32(invT), isLog ? 1 : 0];
  const out = e.empty(x.shape, op);
  e.dispatch(forwardDispatch(x, out, rows, params, variant, `${op} forward ${x.describe()}`));
  if (e.tape.wants(x)) {
    e.tape.record(out, (dOut) => {
      const dX = e.empty(x.shape, `${op} dX`);
      e.dispatch({ kernel: k(`softmax_backward_${variant}`), buffers: [null, out, dOut, dX], params, workgroups: rowGrid(rows, variant), label: `${op} backward ${x.describe()}` });
      accumulateGrad(x, dX);
    });
  }
  return out;
}

/** softmax(x / T) over the last dimension. */
export function softmax(x: Tensor, opts: SoftmaxOptions = {}): Tensor {
  return run(x, false, opts);
}

/** log_softmax(x / T) over the last dimension, computed stably. */
export function logSoftmax(x: Tensor, opts: SoftmaxOptions = {}): Tensor {
  return run(x, true, opts);
}

// Timed cases: many rows of a mid-size vocabulary (training) and few long rows (sampling).
const TUNE_CASES = [
  { label: 'log-softmax 256 x 8192', rows: 256, cols: 8192 },
  { label: 'log-softmax 4 x 65536', rows: 4, cols: 65536 },
];

/** Row-kernel mapping choice shared by softmax.ts and cross-entropy.ts. */
export const SOFTMAX_TUNABLE: Tunable<RowVariant> = {
  op: 'softmax-rows',
  version: 1,
  variants: ['rows', 'wg'],
  fallback: (adapter) => (adapter.isSoftware ? 'rows' : 'wg'),
  cases: TUNE_CASES,
  prepare(e, variant, i) {
    const c = TUNE_CASES[i];
    const cols = e.gpu.adapter.isSoftware ? c.cols / 32 : c.cols;
    const x = e.fromArray(Float32Array.from({ length: c.rows * cols }, (_, j) => ((j * 7919) % 13) / 4), [c.rows, cols], 'tune x');
    const out = e.empty(x.shape, 'tune y');
    const dispatch = forwardDispatch(x, out, c.rows, [c.rows, cols, f32(1), 1], variant, `tune ${c.label}`);
    return { dispatch, dispose: () => [x, out].forEach((t) => t.dispose()) };
  },
};

// ---- float64 references ----------------------------------------------------------------------

/** Per-row log Σ exp(x / T), stable. */
export function logSumExpRef(x: ArrayLike<number>, cols: number, temperature = 1): Float64Array {
  const rows = x.length / cols;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j] / temperature);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[r * cols + j] / temperature - m);
    out[r] = m + Math.log(s);
  }
  return out;
}

export function logSoftmaxRef(x: ArrayLike<number>, cols: number, temperature = 1): Float64Array {
  const lse = logSumExpRef(x, cols, temperature);
  return Float64Array.from(x, (v, i) => v / temperature - lse[Math.floor(i / cols)]);
}

export function softmaxRef(x: ArrayLike<number>, cols: number, temperature = 1): Float64Array {
  return logSoftmaxRef(x, cols, temperature).map(Math.exp);
}

/** d_x of Σ dY · log_softmax(x / T), from the forward output y. */
export function logSoftmaxBackwardRef(y: ArrayLike<number>, dY: ArrayLike<number>, cols: number, temperature = 1): Float64Array {
  const dX = new Float64Array(y.length);
  for (let r = 0; r < y.length / cols; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += dY[r * cols + j];
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      dX[i] = (dY[i] - Math.exp(y[i]) * s) / temperature;
    }
  }
  return dX;
}

/** d_x of Σ dY · softmax(x / T), from the forward output y. */
export function softmaxBackwardRef(y: ArrayLike<number>, dY: ArrayLike<number>, cols: number, temperature = 1): Float64Array {
  const dX = new Float64Array(y.length);
  for (let r = 0; r < y.length / cols; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += dY[r * cols + j] * y[r * cols + j];
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      dX[i] = (y[i] * (dY[i] - s)) / temperature;
    }
  }
  return dX;
}
