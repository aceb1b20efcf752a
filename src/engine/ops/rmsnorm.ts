// RMSNorm over the last dimension (Llama/Qwen; also per head for Qwen3 q_norm/k_norm): launchers for
// shaders/rmsnorm.wgsl, the tape rule, and float64 references. Called by the model forward.
import src from '../../../shaders/rmsnorm.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { f32 } from '../engine.ts';
import { grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const WG = 64;
const k = (entry: string): KernelSpec => ({ name: 'rmsnorm', code: src, entry, constants: { WG } });

function dims(x: Tensor, weight: Tensor, eps: number): { rows: number; C: number } {
  const C = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || !C) throw new Error(`rmsnorm: input ${x.describe()} needs a non-empty last dimension`);
  if (weight.shape.length !== 1 || weight.shape[0] !== C) {
    throw new Error(`rmsnorm: weight ${weight.describe()} must be [${C}] to match input ${x.describe()}`);
  }
  if (!(eps > 0 && Number.isFinite(eps))) throw new Error(`rmsnorm: eps must be a positive finite number, got ${eps}`);
  return { rows: x.size / C, C };
}

/** y = x * rsqrt(mean(x^2) + eps) * weight over the last dimension; records its backward on the tape. */
export function rmsnorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  const { rows, C } = dims(x, weight, eps);
  const e = x.engine;
  const out = e.empty(x.shape, 'rmsnorm');
  e.dispatch({
    kernel: k('rmsnorm_forward'),
    buffers: [x, weight, null, null, out, null],
    params: [rows, C, f32(eps)],
    workgroups: grid1d(rows, WG),
    label: `rmsnorm forward ${x.describe()}`,
  });
  if (e.tape.wants(x, weight)) {
    e.tape.record(out, (dOut) => {
      const tap = weight.requiresGrad ? weight.gradTap : null;
      const { dX, dWeight } = rmsnormBackward(x, weight, dOut, eps, weight.requiresGrad && !tap);
      accumulateGrad(x, dX);
      if (dWeight) accumulateGrad(weight, dWeight);
      if (tap) {
        // x̂ = rmsnorm with unit weight: the weight's per-row gradient is dOut ⊙ x̂
        const unit = e.fromArray(new Float32Array(C).fill(1), [C], 'unit weight');
        const normalized = e.tape.noGrad(() => rmsnorm(x, unit, eps));
        tap({ kind: 'scale', dOut: dOut.view([rows, C]), normalized: normalized.view([rows, C]) });
        normalized.dispose();
        unit.dispose();
      }
    });
  }
  return out;
}

/** Gradients of rmsnorm: dX always, dWeight (summed over rows) when asked. */
export function rmsnormBackward(
  x: Tensor,
  weight: Tensor,
  dOut: Tensor,
  eps: number,
  wantWeight = true,
): { dX: Tensor; dWeight: Tensor | null } {
  const { rows, C } = dims(x, weight, eps);
  if (dOut.size !== x.size) throw new Error(`rmsnorm backward: d_out ${dOut.describe()} does not match ${x.describe()}`);
  const e = x.engine;
  const dX = e.empty(x.shape, 'rmsnorm dX');
  const rstd = e.empty([rows], 'rmsnorm rstd');
  const params = [rows, C, f32(eps)];
  e.dispatch({
    kernel: k('rmsnorm_backward_input'),
    buffers: [x, weight, dOut, rstd, dX, null],
    params,
    workgroups: grid1d(rows, WG),
    label: `rmsnorm backward input ${x.describe()}`,
  });
  let dWeight: Tensor | null = null;
  if (wantWeight) {
    dWeight = e.empty([C], 'rmsnorm dWeight');
    e.dispatch({
      kernel: k('rmsnorm_backward_weight'),
      buffers: [x, null, dOut, rstd, null, dWeight],
      params,
      workgroups: grid1d(C, WG),
      label: `rmsnorm backward weight ${x.describe()}`,
    });
  }
  rstd.dispose();
  return { dX, dWeight };
}

// ---- float64 references ----------------------------------------------------------------------

/** float64 rmsnorm over rows of C values. */
export function rmsnormRef(x: ArrayLike<number>, weight: ArrayLike<number>, C: number, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += C) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[base + c] ** 2;
    const r = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) out[base + c] = x[base + c] * r * weight[c];
  }
  return out;
}

/** float64 gradients of rmsnorm (dWeight summed over rows). */
export function rmsnormBackwardRef(
  x: ArrayLike<number>,
  weight: ArrayLike<number>,
  dOut: ArrayLike<number>,
  C: number,
  eps: number,
): { dX: Float64Array; dWeight: Float64Array } {
  const dX = new Float64Array(x.length);
  const dWeight = new Float64Array(C);
  for (let base = 0; base < x.length; base += C) {
    let ss = 0;
    let dot = 0;
    for (let c = 0; c < C; c++) {
      ss += x[base + c] ** 2;
      dot += dOut[base + c] * weight[c] * x[base + c];
    }
    const r = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) {
      dX[base + c] = r * dOut[base + c] * weight[c] - ((r * r * r) / C) * dot * x[base + c];
      dWeight[c] += dOut[base + c] * x[base + c] * r;
    }
  }
  return { dX, dWeight };
}
