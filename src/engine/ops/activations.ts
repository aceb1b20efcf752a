// SiLU and SwiGLU (the Llama/Qwen MLP gate): launchers for shaders/activations.wgsl, tape rules and
// float64 references. Called by the model's MLP block.
import src from '../../../shaders/activations.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { grid1d } from '../grid.ts';
import { shapeStr, type Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const WG = 256;
const k = (entry: string): KernelSpec => ({ name: 'activations', code: src, entry, constants: { WG } });

function launch(entry: string, buffers: (Tensor | null)[], n: number, label: string): void {
  const e = buffers.find((b) => b)!.engine;
  e.dispatch({ kernel: k(entry), buffers, params: [n], workgroups: grid1d(n, WG), label });
}

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: ${a.describe()} and ${b.describe()} must have the same shape`);
  }
}

/** silu(x) = x * sigmoid(x), elementwise; records its backward on the tape. */
export function silu(x: Tensor): Tensor {
  const e = x.engine;
  const out = e.empty(x.shape, 'silu');
  launch('silu_forward', [x, null, null, out, null], x.size, `silu forward ${x.describe()}`);
  if (e.tape.wants(x)) e.tape.record(out, (dOut) => accumulateGrad(x, siluBackward(x, dOut)));
  return out;
}

/** dX = dOut * silu'(x). */
export function siluBackward(x: Tensor, dOut: Tensor): Tensor {
  sameShape(x, dOut, 'silu backward');
  const dX = x.engine.empty(x.shape, 'silu dX');
  launch('silu_backward', [x, null, dOut, dX, null], x.size, `silu backward ${x.describe()}`);
  return dX;
}

/** swiglu(gate, up) = silu(gate) * up, elementwise (gate and up of one shape, e.g. [T, F]). */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  sameShape(gate, up, 'swiglu');
  const e = gate.engine;
  const out = e.empty(gate.shape, 'swiglu');
  launch('swiglu_forward', [gate, up, null, out, null], gate.size, `swiglu forward ${shapeStr(gate.shape)}`);
  if (e.tape.wants(gate, up)) {
    e.tape.record(out, (dOut) => {
      const { dGate, dUp } = swigluBackward(gate, up, dOut);
      accumulateGrad(gate, dGate);
      accumulateGrad(up, dUp);
    });
  }
  return out;
}

/** Both gradients of swiglu in one pass. */
export function swigluBackward(gate: Tensor, up: Tensor, dOut: Tensor): { dGate: Tensor; dUp: Tensor } {
  sameShape(gate, up, 'swiglu backward');
  sameShape(gate, dOut, 'swiglu backward');
  const e = gate.engine;
  const dGate = e.empty(gate.shape, 'swiglu dGate');
  const dUp = e.empty(gate.shape, 'swiglu dUp');
  launch('swiglu_backward', [gate, up, dOut, dGate, dUp], gate.size, `swiglu backward ${shapeStr(gate.shape)}`);
  return { dGate, dUp };
}

// ---- float64 references ----------------------------------------------------------------------

const sigmoidRef = (v: number): number => 1 / (1 + Math.exp(-v));

/** float64 silu. */
export function siluRef(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => v * sigmoidRef(v));
}

/** float64 dOut * silu'(x). */
export function siluBackwardRef(x: ArrayLike<number>, dOut: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => {
    const s = sigmoidRef(v);
    return dOut[i] * s * (1 + v * (1 - s));
  });
}

/** float64 silu(gate) * up. */
export function swigluRef(gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array {
  return Float64Array.from(gate, (g, i) => g * sigmoidRef(g) * up[i]);
}

/** float64 gradients of swiglu. */
export function swigluBackwardRef(
  gate: ArrayLike<number>,
  up: ArrayLike<number>,
  dOut: ArrayLike<number>,
): { dGate: Float64Array; dUp: Float64Array } {
  const upTimesDOut = Float64Array.from(up, (u, i) => u * dOut[i]);
  return {
    dGate: siluBackwardRef(gate, upTimesDOut),
    dUp: Float64Array.from(gate, (g, i) => dOut[i] * g * sigmoidRef(g)),
  };
}
