// Causal GQA attention with a KV-cache key offset: launchers for shaders/attention_rowloop.wgsl,
// attention_regs4x4.wgsl and attention_tiled.wgsl (one technique each, same bindings), the tape rule
// and float64 references. The model calls `attention` after rope. The forward also writes each query row's log-sum-exp ([B, T, Hq], kept by the tape) so
// backward needs no second pass over the keys. Shaders are compiled once per head size D: the
// `const D` line is substituted and the module named `attention_<variant>_d<D>`.
import regs4x4Src from '../../../shaders/attention_regs4x4.wgsl?raw';
import rowloopSrc from '../../../shaders/attention_rowloop.wgsl?raw';
import tiledSrc from '../../../shaders/attention_tiled.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { f32, type Engine, type Param } from '../engine.ts';
import { ceilDiv, grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const WG = 64;
const MAX_D = 256; // largest head size compiled (private rows of D floats per thread)
const SOURCES = { rowloop: rowloopSrc, regs4x4: regs4x4Src, tiled: tiledSrc };
const D_LINE = /^const D: u32 = \d+u;/m;

const specialised = new Map<string, string>();

/** The variant's shader with its head size fixed to D; the name differs per code text (PipelineCache key). */
function kernel(variant: AttentionVariant, D: number, entry: string): KernelSpec {
  const name = `attention_${variant}_d${D}`;
  let code = specialised.get(name);
  if (code === undefined) {
    const src = SOURCES[variant];
    if (!D_LINE.test(src)) throw new Error(`shaders/attention_${variant}.wgsl: the line 'const D: u32 = <n>u;' is missing`);
    code = src.replace(D_LINE, `const D: u32 = ${D}u;`);
    specialised.set(name, code);
  }
  return { name, code, entry, constants: { WG } };
}

/**
 * rowloop: one thread per row, barrier-free (the plain reference technique); regs4x4: 4 x 4 register
 * blocks, barrier-free (software adapters); tiled: workgroup-staged K/V tiles (real GPUs).
 */
export const ATTENTION_VARIANTS = ['rowloop', 'regs4x4', 'tiled'] as const;
export type AttentionVariant = (typeof ATTENTION_VARIANTS)[number];

export interface AttentionOptions {
  /** Position of the first query; queries attend keys 0..past+t (KV-cache decode). Default 0. */
  past?: number;
  /** Defaults to `defaultAttentionVariant`: regs4x4 on software adapters, tiled otherwise. */
  variant?: AttentionVariant;
}

export interface AttentionDims {
  B: number;
  T: number;
  S: number;
  past: number;
  Hq: number;
  Hkv: number;
  D: number;
}

/** regs4x4 on software adapters (barriers are slow there), tiled on real GPUs. */
export function defaultAttentionVariant(e: Engine): AttentionVariant {
  return e.gpu.adapter.isSoftware ? 'regs4x4' : 'tiled';
}

/** Shapes: q [(B,) T, Hq, D]; k, v [(B,) S, Hkv, D] with S >= past + T (extra rows: unused cache). */
export function attentionDims(q: Tensor, kt: Tensor, v: Tensor, past = 0): AttentionDims {
  const fail = (why: string): never => {
    throw new Error(`attention(q ${q.describe()}, k ${kt.describe()}, v ${v.describe()}, past ${past}): ${why}`);
  };
  const r = q.shape.length;
  if (r !== 3 && r !== 4) fail('q must be [T, Hq, D] or [B, T, Hq, D]');
  if (kt.shape.length !== r || kt.shape.some((d, i) => d !== v.shape[i]) || v.shape.length !== r) {
    fail('k and v must have one shape, with the same rank as q');
  }
  const [B, T, Hq, D] = r === 4 ? q.shape : [1, ...q.shape];
  const [Bk, S, Hkv, Dk] = r === 4 ? kt.shape : [1, ...kt.shape];
  if (Bk !== B) fail('q and k disagree on the batch size');
  if (Dk !== D) fail('q and k disagree on head_dim');
  if (D < 1 || D > MAX_D) fail(`head_dim must be 1..${MAX_D}`);
  if (T < 1 || B < 1) fail('needs at least one query');
  if (Hkv < 1 || Hq % Hkv !== 0) fail('the kv head count must divide the query head count');
  if (!Number.isInteger(past) || past < 0) fail('past must be a non-negative integer');
  if (S < past + T) fail(`k/v hold ${S} positions, fewer than past + T = ${past + T}`);
  return { B, T, S, past, Hq, Hkv, D };
}

function params(d: AttentionDims): Param[] {
  return [d.B, d.T, d.S, d.past, d.Hq, d.Hkv, f32(1 / Math.sqrt(d.D))];
}

/** Workgroups of a query-row (with keys: key-row) kernel: 1-D over rows or 4-row blocks, or row tiles. */
function grid(variant: AttentionVariant, d: AttentionDims, keys: boolean): [number, number, number] {
  const [n, heads] = keys ? [d.S, d.Hkv] : [d.T, d.Hq];
  if (variant === 'rowloop') return grid1d(d.B * n * heads, WG);
  if (variant === 'regs4x4') return grid1d(d.B * ceilDiv(n, 4) * heads, WG);
  return [ceilDiv(n, WG), heads, d.B];
}

/** The forward launcher: out (q's shape) and each query row's log-sum-exp lse [B, T, Hq]; no tape. */
export function attentionForward(q: Tensor, kt: Tensor, v: Tensor, opts: AttentionOptions = {}): { out: Tensor; lse: Tensor } {
  const dims = attentionDims(q, kt, v, opts.past ?? 0);
  const e = q.engine;
  const variant = opts.variant ?? defaultAttentionVariant(e);
  const out = e.empty(q.shape, 'attention');
  const lse = e.empty([dims.B, dims.T, dims.Hq], 'attention lse');
  e.dispatch({
    kernel: kernel(variant, dims.D, 'attention_forward'),
    buffers: [q, kt, v, null, null, lse, null, out, null, null],
    params: params(dims),
    workgroups: grid(variant, dims, false),
    label: `attention ${variant} forward ${q.describe()}`,
  });
  return { out, lse };
}

/** softmax(q k^T / sqrt(D), causal from `past`) v per head; records dq, dk, dv on the tape. */
export function attention(q: Tensor, kt: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const e = q.engine;
  const variant = opts.variant ?? defaultAttentionVariant(e);
  const { out, lse } = attentionForward(q, kt, v, { ...opts, variant });
  if (!e.tape.wants(q, kt, v)) {
    lse.dispose();
    return out;
  }
  e.tape.record(out, (dOut) => {
    // A tidy scope may have freed lse (out was returned, lse not): backward then recomputes it.
    const g = attentionBackward(q, kt, v, out, dOut, { ...opts, variant, lse: lse.isDisposed ? undefined : lse });
    lse.dispose();
    accumulateGrad(q, g.dQ);
    accumulateGrad(kt, g.dK);
    accumulateGrad(v, g.dV);
  });
  return out;
}

export interface AttentionBackwardOptions extends AttentionOptions {
  /** The forward's log-sum-exp [B, T, Hq] from `attentionForward`; recomputed by a forward pass when absent. */
  lse?: Tensor;
}

/** dq, dk, dv from the forward output `out` and its gradient (dk, dv summed over each kv group). */
export function attentionBackward(
  q: Tensor,
  kt: Tensor,
  v: Tensor,
  out: Tensor,
  dOut: Tensor,
  opts: AttentionBackwardOptions = {},
): { dQ: Tensor; dK: Tensor; dV: Tensor } {
  const dims = attentionDims(q, kt, v, opts.past ?? 0);
  if (out.size !== q.size || dOut.size !== q.size) {
    throw new Error(`attention backward: out ${out.describe()} and d_out ${dOut.describe()} must match q ${q.describe()}`);
  }
  const { B, T, Hq, D } = dims;
  if (opts.lse && opts.lse.size !== B * T * Hq) {
    throw new Error(`attention backward: lse ${opts.lse.describe()} must hold B * T * Hq = ${B * T * Hq} values`);
  }
  const e = q.engine;
  const variant = opts.variant ?? defaultAttentionVariant(e);
  let lse = opts.lse;
  if (!lse) {
    const fwd = attentionForward(q, kt, v, { past: dims.past, variant });
    fwd.out.dispose();
    lse = fwd.lse;
  }
  const dQ = e.empty(q.shape, 'attention dQ');
  const dK = e.empty(kt.shape, 'attention dK');
  const dV = e.empty(v.shape, 'attention dV');
  const delta = e.empty([B, T, Hq], 'attention delta');
  e.dispatch({
    kernel: kernel(variant, D, 'attention_backward_query'),
    buffers: [q, kt, v, out, dOut, lse, delta, dQ, null, null],
    params: params(dims),
    workgroups: grid(variant, dims, false),
    label: `attention ${variant} backward query ${q.describe()}`,
  });
  e.dispatch({
    kernel: kernel(variant, D, 'attention_backward_key'),
    buffers: [q, kt, v, null, dOut, lse, delta, null, dK, dV],
    params: params(dims),
    workgroups: grid(variant, dims, true),
    label: `attention ${variant} backward key ${kt.describe()}`,
  });
  if (lse !== opts.lse) lse.dispose();
  delta.dispose();
  return { dQ, dK, dV };
}

// ---- float64 references ----------------------------------------------------------------------

type Arr = ArrayLike<number>;

/** Calls fn for every query row with its flat offsets (q row, kv row of key j) and its key count. */
function forEachRow(d: AttentionDims, fn: (qBase: number, kvBase: (j: number) => number, nKeys: number) => void): void {
  const group = d.Hq / d.Hkv;
  for (let b = 0; b < d.B; b++) {
    for (let t = 0; t < d.T; t++) {
      for (let h = 0; h < d.Hq; h++) {
        const kvh = Math.floor(h / group);
        const qBase = ((b * d.T + t) * d.Hq + h) * d.D;
        fn(qBase, (j) => ((b * d.S + j) * d.Hkv + kvh) * d.D, d.past + t + 1);
      }
    }
  }
}

function rowProbs(q: Arr, kk: Arr, d: AttentionDims, qBase: number, kvBase: (j: number) => number, n: number): Float64Array {
  const scale = 1 / Math.sqrt(d.D);
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let dot = 0;
    for (let c = 0; c < d.D; c++) dot += q[qBase + c] * kk[kvBase(j) + c];
    s[j] = scale * dot;
  }
  const m = Math.max(...s);
  let sum = 0;
  for (let j = 0; j < n; j++) sum += (s[j] = Math.exp(s[j] - m));
  return s.map((x) => x / sum);
}

/** float64 log-sum-exp of each scaled score row, [B, T, Hq] flat (what the forward saves for backward). */
export function attentionLseRef(q: Arr, kk: Arr, d: AttentionDims): Float64Array {
  const scale = 1 / Math.sqrt(d.D);
  const out = new Float64Array(d.B * d.T * d.Hq);
  forEachRow(d, (qBase, kvBase, n) => {
    const s = Array.from({ length: n }, (_, j) => {
      let dot = 0;
      for (let c = 0; c < d.D; c++) dot += q[qBase + c] * kk[kvBase(j) + c];
      return scale * dot;
    });
    const m = Math.max(...s);
    out[qBase / d.D] = m + Math.log(s.reduce((acc, x) => acc + Math.exp(x - m), 0));
  });
  return out;
}

/** float64 causal GQA attention with explicit softmax rows (flat arrays in the launcher layouts). */
export function attentionRef(q: Arr, kk: Arr, v: Arr, d: AttentionDims): Float64Array {
  const out = new Float64Array(d.B * d.T * d.Hq * d.D);
  forEachRow(d, (qBase, kvBase, n) => {
    const pr = rowProbs(q, kk, d, qBase, kvBase, n);
    for (let j = 0; j < n; j++) {
      for (let c = 0; c < d.D; c++) out[qBase + c] += pr[j] * v[kvBase(j) + c];
    }
  });
  return out;
}

/** float64 dq, dk, dv through the explicit probabilities. */
export function attentionBackwardRef(
  q: Arr,
  kk: Arr,
  v: Arr,
  dOut: Arr,
  d: AttentionDims,
): { dQ: Float64Array; dK: Float64Array; dV: Float64Array } {
  const scale = 1 / Math.sqrt(d.D);
  const dQ = new Float64Array(q.length);
  const dK = new Float64Array(kk.length);
  const dV = new Float64Array(v.length);
  forEachRow(d, (qBase, kvBase, n) => {
    const pr = rowProbs(q, kk, d, qBase, kvBase, n);
    const dp = new Float64Array(n);
    let delta = 0;
    for (let j = 0; j < n; j++) {
      for (let c = 0; c < d.D; c++) dp[j] += dOut[qBase + c] * v[kvBase(j) + c];
      delta += pr[j] * dp[j];
    }
    for (let j = 0; j < n; j++) {
      const ds = pr[j] * (dp[j] - delta);
      for (let c = 0; c < d.D; c++) {
        dQ[qBase + c] += scale * ds * kk[kvBase(j) + c];
        dK[kvBase(j) + c] += scale * ds * q[qBase + c];
        dV[kvBase(j) + c] += pr[j] * dOut[qBase + c];
      }
    }
  });
  return { dQ, dK, dV };
}
