// Rotary position embedding (HF rotate_half): launchers for shaders/rope.wgsl, the tape rule, the
// inv_freq table and float64 references. The model calls `rope` on q and k of shape [(B,) T, H, D],
// with a position offset (prefill from 0, KV-cache decode from `past`) or a u32 position per token row.
import src from '../../../shaders/rope.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { grid1d } from '../grid.ts';
import { Tensor } from '../tensor.ts';
import type { Engine } from '../engine.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const WG = 256;
const k = (entry: string): KernelSpec => ({ name: 'rope', code: src, entry, constants: { WG } });

/** Either the position of each sequence's first token, or a tensor from `ropePositions` (one per row). */
export type RopePositions = number | Tensor;

/** inv_freq_j = 1 / theta^(2j / D) in f32, exactly as HF's default rope init (no rope_scaling). */
export function ropeInvFreq(headDim: number, theta: number): Float32Array {
  if (!Number.isInteger(headDim) || headDim < 2 || headDim % 2) throw new Error(`rope: head_dim must be even, got ${headDim}`);
  if (!(theta > 0)) throw new Error(`rope: rope_theta must be positive, got ${theta}`);
  const out = new Float32Array(headDim / 2);
  for (let j = 0; j < out.length; j++) {
    const exponent = Math.fround((2 * j) / headDim);
    out[j] = Math.fround(1 / Math.fround(Math.pow(theta, exponent)));
  }
  return out;
}

/** Uploads token positions as u32 (the tensor's storage holds u32 bits, not floats: don't read it as data). */
export function ropePositions(e: Engine, positions: ArrayLike<number>, name = 'positions'): Tensor {
  const u = new Uint32Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const v = positions[i];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${name}[${i}] = ${v} is not a u32 position`);
    u[i] = v;
  }
  // Same-type typed-array copies are bytewise, so the u32 bits reach the GPU unchanged.
  return e.fromArray(new Float32Array(u.buffer), [u.length], name);
}

interface RopeDims {
  rows: number;
  H: number;
  D: number;
  T: number;
}

function dims(x: Tensor, invFreq: Tensor, positions: RopePositions, op: string): RopeDims {
  const s = x.shape;
  if (s.length < 3) throw new Error(`${op}: ${x.describe()} must be [(B,) T, H, D]`);
  const [T, H, D] = s.slice(-3);
  if (D % 2) throw new Error(`${op}: head_dim ${D} of ${x.describe()} must be even`);
  if (invFreq.size !== D / 2) throw new Error(`${op}: inv_freq ${invFreq.describe()} must hold D/2 = ${D / 2} values`);
  const rows = x.size / (H * D);
  if (positions instanceof Tensor) {
    if (positions.size !== rows) throw new Error(`${op}: ${positions.describe()} needs one position per token row (${rows})`);
  } else if (!Number.isInteger(positions) || positions < 0 || positions > 0xffffffff) {
    throw new Error(`${op}: position offset must be a u32, got ${positions}`);
  }
  return { rows, H, D, T };
}

function launch(x: Tensor, invFreq: Tensor, positions: RopePositions, direction: 'forward' | 'backward'): Tensor {
  const { rows, H, D, T } = dims(x, invFreq, positions, `rope ${direction}`);
  const e = x.engine;
  const out = e.empty(x.shape, `rope ${direction}`);
  const pairs = (rows * H * D) / 2;
  const byTensor = positions instanceof Tensor;
  e.dispatch({
    kernel: k(byTensor ? `rope_${direction}_positions` : `rope_${direction}`),
    buffers: [x, invFreq, byTensor ? positions : null, out],
    params: [pairs, H, D, T, byTensor ? 0 : positions],
    workgroups: grid1d(pairs, WG),
    label: `rope ${direction} ${x.describe()}`,
  });
  return out;
}

/** Rotates q or k [(B,) T, H, D] by position; records the transpose rotation on the tape. */
export function rope(x: Tensor, invFreq: Tensor, positions: RopePositions = 0): Tensor {
  const out = launch(x, invFreq, positions, 'forward');
  const e = x.engine;
  if (e.tape.wants(x)) e.tape.record(out, (dOut) => accumulateGrad(x, ropeBackward(dOut, invFreq, positions)));
  return out;
}

/** dX = the inverse (transpose) rotation of dOut. */
export function ropeBackward(dOut: Tensor, invFreq: Tensor, positions: RopePositions = 0): Tensor {
  return launch(dOut, invFreq, positions, 'backward');
}

// ---- float64 references ----------------------------------------------------------------------

/**
 * x: (rows, H, D); positions: one per row. Angles are the f32 products HF forms; cos/sin in float64.
 * sign = -1 gives the transpose rotation (the backward).
 */
export function ropeRef(
  x: ArrayLike<number>,
  invFreq: ArrayLike<number>,
  positions: ArrayLike<number>,
  H: number,
  D: number,
  sign = 1,
): Float64Array {
  const out = new Float64Array(x.length);
  const half = D / 2;
  for (let row = 0; row < positions.length; row++) {
    for (let h = 0; h < H; h++) {
      const base = (row * H + h) * D;
      for (let j = 0; j < half; j++) {
        const angle = Math.fround(positions[row] * invFreq[j]);
        const c = Math.cos(angle);
        const s = sign * Math.sin(angle);
        const x1 = x[base + j];
        const x2 = x[base + j + half];
        out[base + j] = x1 * c - x2 * s;
        out[base + j + half] = x2 * c + x1 * s;
      }
    }
  }
  return out;
}

/** float64 transpose rotation (the backward of ropeRef). */
export function ropeBackwardRef(
  dOut: ArrayLike<number>,
  invFreq: ArrayLike<number>,
  positions: ArrayLike<number>,
  H: number,
  D: number,
): Float64Array {
  return ropeRef(dOut, invFreq, positions, H, D, -1);
}
