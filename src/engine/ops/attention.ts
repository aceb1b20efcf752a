// Causal GQA attention with a KV-cache key offset: launchers for shaders/attention.wgsl (rowloop and
// tiled techniques), the tape rule and float64 references. The model calls `attention` after rope;
// backward recomputes the softmax from q and k (log-sum-exp per row), so nothing extra is kept alive.
import src from '../../../shaders/attention.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { f32, type Engine, type Param } from '../engine.ts';
import { ceilDiv, grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const WG = 64;
const MAX_D = 256; // private row arrays in the shader
const k = (entry: string): KernelSpec => ({ name: 'attention', code: src, entry, constants: { WG } });

/** rowloop: barrier-free, one thread per row (software adapters); tiled: workgroup-staged K/V tiles. */
export const ATTENTION_VARIANTS = ['rowloop', 'tiled'] as const;
export type AttentionVariant = (typeof ATTENTION_VARIANTS)[number];

export interface AttentionOptions {
  /** Position of the first query; queries attend keys 0..past+t (KV-cache decode). Default 0. */
  past?: number;
  /** Defaults to rowloop on software adapters, tiled otherwise. */
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

/** rowloop on software adapters (barriers are slow there), tiled on real GPUs. */
export function defaultAttentionVariant(e: Engine): AttentionVariant {
  return e.gpu.adapter.isSoftware ? 'rowloop' : 'tiled';
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
  return [d.B, d.T, d.S, d.past, d.Hq, d.Hkv, d.D, f32(1 / Math.sqrt(d.D))];
}

/** softmax(q k^T / sqrt(D), causal from `past`) v per head; records dq, dk, dv on the tape. */
export function attention(q: Tensor, kt: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const dims = attentionDims(q, kt, v, opts.past ?? 0);
  const e = q.engine;
  const variant = opts.variant ?? defaultAttentionVariant(e);
  const out = e.empty(q.shape, 'attention');
  const rows = dims.B * dims.T * dims.Hq;
  e.dispatch({
    kernel: k(`attention_${variant}_forward`),
    buffers: [q, kt, v, null, null, null, null, out, null, null],
    params: params(dims),
    workgroups: variant === 'rowloop' ? grid1d(rows, WG) : [ceilDiv(dims.T, WG), dims.Hq, dims.B],
    label: `attention ${variant} forward ${q.describe()}`,
  });
  if (e.tape.wants(q, kt, v)) {
    e.tape.record(out, (dOut) => {
      const g = attentionBackward(q, kt, v, out, dOut, { ...opts, variant });
      accumulateGrad(q, g.dQ);
      accumulateGrad(kt, g.dK);
      accumulateGrad(v, g.dV);
    });
  }
  return out;
}

/** dq, dk, dv from the forward output `out` and its gradient (dk, dv summed over each kv group). */
export function attentionBackward(
  q: Tensor,
  kt: Tensor,
  v: Tensor,
  out: Tensor,
  dOut: Tensor,
  opts: AttentionOptions = {},
): { dQ: Tensor; dK: Tensor; dV: Tensor } {
  const dims = attentionDims(q, kt, v, opts.past ?? 0);
  if (out.size !== q.size || dOut.size !== q.size) {
    throw new Error(`attention backward: out ${out.describe()} and d_out ${dOut.describe()} must match q ${q.describe()}`);
  }
  const e = q.engine;
  const variant = opts.variant ?? defaultAttentionVariant(e);
  const { B, T, S, Hq, Hkv } = dims;
  const dQ = e.empty(q.shape, 'attention dQ');
  const dK = e.empty(kt.shape, 'attention dK');
  const dV = e.empty(v.shape, 'attention dV');
  const lse = e.empty([B, T, Hq], 'attention lse');
  const delta = e.empty([B, T, Hq], 'attention delta');
  const rowloop = variant === 'rowloop';
  e.dispatch({
    kernel: k(`attention_${variant}_backward_query`),
    buffers: [q, kt, v, out, dOut, lse, delta, dQ, null, null],
    params: params(dims),
    workgroups: rowloop ? grid1d(B * T * Hq, WG) : [ceilDiv(T, WG), Hq, B],
    label: `attention ${variant} backward query ${q.describe()}`,
  });
  e.dispatch({
    kernel: k(`attention_${variant}_backward_key`),
    buffers: [q, kt, v, null, dOut, lse, delta, null, dK, dV],
    params: params(dims),
    workgroups: rowloop ? grid1d(B * S * Hkv, WG) : [ceilDiv(S, WG), Hkv, B],
    label: `attention ${variant} backward key ${kt.describe()}`,
  });
  lse.dispose();
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
