// Global gradient-norm clipping, spec §4 (8). `gradClipInfo` leaves (G, scale, isFinite) in a GPU
// tensor that the AdamW kernel reads directly, so clipping costs no CPU round trip; `readClipInfo`
// reports G once per step. Calls reduce.ts for Σ grad² and shaders/clip.wgsl for the rest.
import src from '../../../shaders/clip.wgsl?raw';
import { f32, type Param } from '../engine.ts';
import { grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';
import { sumOfSquares } from '../ops/reduce.ts';

const k = (entry: string): KernelSpec => ({ name: 'clip', code: src, entry });

/** G is offset by this before dividing, as in §4 (8). */
export const CLIP_EPS = 1e-6;

export interface ClipInfo {
  /** G = ‖grad‖₂ over every gradient (NaN or ±Infinity when not finite). */
  gradNorm: number;
  /** min(1, maxNorm / (G + 1e-6)); 0 when G is not finite. */
  scale: number;
  isFinite: boolean;
}

function params(n: number, maxNorm: number | null): Param[] {
  if (maxNorm !== null && !(maxNorm > 0 && Number.isFinite(maxNorm))) {
    throw new Error(`gradient clipping: max norm must be a positive finite number or null, got ${maxNorm}`);
  }
  return [n, f32(maxNorm ?? 1), maxNorm === null ? 0 : 1, 0];
}

/**
 * (G, scale, isFinite) of a list of gradients as a [3] tensor on the GPU. `maxNorm` null turns scaling
 * off (scale 1) but keeps the finiteness check.
 */
export function gradClipInfo(grads: readonly Tensor[], maxNorm: number | null): Tensor {
  if (grads.length === 0) throw new Error('gradClipInfo: no gradients given');
  const e = grads[0].engine;
  const sumSq = sumOfSquares(grads);
  const info = e.empty([3], 'clip info');
  e.dispatch({ kernel: k('clip_info'), buffers: [sumSq, null, info, null], params: params(1, maxNorm), workgroups: [1], label: 'clip_info' });
  sumSq.dispose();
  return info;
}

/** Scales each gradient in place by info's scale; a non-finite G leaves them untouched. */
export function applyClip(grads: readonly Tensor[], info: Tensor): void {
  for (const g of grads) {
    g.engine.dispatch({ kernel: k('clip_apply'), buffers: [null, info, null, g], params: params(g.size, null), workgroups: grid1d(g.size), label: `clip_apply ${g.describe()}` });
  }
}

/** Reads a [3] info tensor back (one sync). */
export async function readClipInfo(info: Tensor): Promise<ClipInfo> {
  const [gradNorm, scale, finite] = await info.engine.read(info);
  return { gradNorm, scale, isFinite: finite === 1 };
}

// ---- float64 reference -----------------------------------------------------------------------

/** §4 (8) in float64: G and the factor the gradients are multiplied by (0 when the step is skipped). */
export function clipRef(grads: readonly ArrayLike<number>[], maxNorm: number | null): ClipInfo {
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  const gradNorm = Math.sqrt(s);
  const isFinite = Number.isFinite(gradNorm);
  const scale = !isFinite ? 0 : maxNorm === null ? 1 : Math.min(1, maxNorm / (gradNorm + CLIP_EPS));
  return { gradNorm, scale, isFinite };
}
