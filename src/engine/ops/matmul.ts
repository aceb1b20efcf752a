// Batched matmul C = op(A) · op(B): launchers, the tape rule, float64 references and the autotune
// description of its kernel variants (shaders/matmul_naive.wgsl, matmul_regs4x4.wgsl,
// matmul_regs8x8.wgsl, matmul_tiled16.wgsl, matmul_tiled64.wgsl; all share one Params layout and
// launch the same way).
// Operands are row-major with rank >= 2; leading dimensions are the batch. A 2-D operand broadcasts
// over a batched one (weights [K, N], or [N, K] with transB, against activations [B, T, K]).
// Backward runs the same kernels with the transpose flags swapped; a broadcast operand's gradient is
// reduced over the batch inside the kernel (batch_reduce) and summed into an existing gradient with
// the kernels' accumulate mode instead of a temporary and an add.
import naiveWgsl from '../../../shaders/matmul_naive.wgsl?raw';
import regsWgsl from '../../../shaders/matmul_regs4x4.wgsl?raw';
import regs8Wgsl from '../../../shaders/matmul_regs8x8.wgsl?raw';
import tiledWgsl from '../../../shaders/matmul_tiled16.wgsl?raw';
import tiled64Wgsl from '../../../shaders/matmul_tiled64.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { ceilDiv } from '../grid.ts';
import { chosenVariant, type TuneCase, type Tunable } from '../autotune.ts';
import type { Dispatch, Engine } from '../engine.ts';
import type { KernelSpec } from '../pipeline-cache.ts';
import type { Tensor, Shape } from '../tensor.ts';

export const MATMUL_VARIANTS = ['naive', 'regs4x4', 'regs8x8', 'tiled16', 'tiled64'] as const;
export type MatmulVariant = (typeof MATMUL_VARIANTS)[number];

/** A kernel entry point and the block of C one workgroup covers (x = columns, y = rows). */
interface Launch {
  spec: KernelSpec;
  tileX: number;
  tileY: number;
}

export interface MatmulOptions {
  /** A is stored [.., K, M] and used transposed. */
  transA?: boolean;
  /** B is stored [.., N, K] and used transposed: the linear-layer layout y = x · Wᵀ. */
  transB?: boolean;
  /** Forces a kernel; by default autotune's choice for this adapter. */
  variant?: MatmulVariant;
}

/**
 * One launch: C[z] (+)= Σ_r op(A[z + r]) · op(B[z + r]) for z < batch, r < reduce (one of them is 1).
 * Strides are elements between batch slices; 0 broadcasts the operand.
 */
export interface MatmulPlan {
  M: number;
  N: number;
  K: number;
  batch: number;
  reduce: number;
  strideA: number;
  strideB: number;
  strideC: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
}

/** The operands' shapes resolved: op(A) is M x K, op(B) K x N, batch the leading dims of C. */
export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  batchShape: Shape;
  batch: number;
  batchedA: boolean;
  batchedB: boolean;
}

function dims(t: { shape: Shape; describe(): string }, which: string): { rows: number; cols: number; lead: Shape } {
  const s = t.shape;
  if (s.length < 2) throw new Error(`matmul: ${which} ${t.describe()} needs rank >= 2`);
  return { rows: s[s.length - 2], cols: s[s.length - 1], lead: s.slice(0, -2) };
}

const prod = (s: Shape): number => s.reduce((p, d) => p * d, 1);

/** Checks shapes and resolves M, N, K and the batch; errors name both operands. */
export function matmulShape(
  a: { shape: Shape; describe(): string },
  b: { shape: Shape; describe(): string },
  transA = false,
  transB = false,
): MatmulShape {
  const da = dims(a, 'A');
  const db = dims(b, 'B');
  const [M, Ka] = transA ? [da.cols, da.rows] : [da.rows, da.cols];
  const [Kb, N] = transB ? [db.cols, db.rows] : [db.rows, db.cols];
  const what = `matmul ${a.describe()}${transA ? 'ᵀ' : ''} · ${b.describe()}${transB ? 'ᵀ' : ''}`;
  if (Ka !== Kb) throw new Error(`${what}: inner dimensions differ (${Ka} vs ${Kb})`);
  const batchedA = da.lead.length > 0;
  const batchedB = db.lead.length > 0;
  if (batchedA && batchedB && da.lead.join() !== db.lead.join()) {
    throw new Error(`${what}: batch dimensions differ ([${da.lead.join(', ')}] vs [${db.lead.join(', ')}])`);
  }
  const batchShape = batchedA ? da.lead : db.lead;
  return { M, N, K: Ka, batchShape, batch: prod(batchShape), batchedA, batchedB };
}

/**
 * Folds the batch into a matrix dimension when memory allows, so one big 2-D product replaces many
 * small ones: a broadcast B lets batched, untransposed A rows stack into M; a reduction whose A is
 * stored [K, M] and B [K, N] per slice stacks its slices along K.
 */
export function foldPlan(p: MatmulPlan): MatmulPlan {
  if (p.batch > 1 && p.strideB === 0 && p.strideA > 0 && !p.transA) {
    return { ...p, M: p.M * p.batch, batch: 1, strideA: 0, strideC: 0 };
  }
  if (p.reduce > 1 && p.strideA > 0 && p.strideB > 0 && p.transA && !p.transB) {
    return { ...p, K: p.K * p.reduce, reduce: 1, strideA: 0, strideB: 0 };
  }
  return p;
}

/**
 * The vec4 kernels read each operand along its contiguous dimension four at a time, so
 * that dimension must be a multiple of 4 (which also keeps every batch slice 16-byte aligned).
 */
function vec4Aligned(p: MatmulPlan): boolean {
  const alignedA = (p.transA ? p.M : p.K) % 4 === 0;
  const alignedB = (p.transB ? p.K : p.N) % 4 === 0;
  return alignedA && alignedB && p.M > 0 && p.N > 0 && p.K > 0;
}

/**
 * The entry point a variant runs for a plan. The vec4 kernels (regs4x4's and tiled64's aligned
 * entries, regs8x8) need aligned shapes; otherwise regs4x4 and tiled64 use their scalar entry points
 * and regs8x8 falls back to regs4x4's.
 */
export function matmulLaunch(variant: MatmulVariant, p: MatmulPlan): Launch {
  const constants = { TRANS_A: Number(p.transA), TRANS_B: Number(p.transB) };
  const make = (file: string, code: string, entry: string, tile: number): Launch => ({
    spec: { name: `matmul_${file}`, code, entry, constants },
    tileX: tile,
    tileY: tile,
  });
  const aligned = vec4Aligned(p);
  switch (variant) {
    case 'naive':
      return make('naive', naiveWgsl, 'matmul_forward', 16);
    case 'tiled16':
      return make('tiled16', tiledWgsl, 'matmul_forward', 16);
    case 'tiled64':
      return make('tiled64', tiled64Wgsl, aligned ? 'matmul_forward_vec4' : 'matmul_forward', 64);
    case 'regs4x4':
      return make('regs4x4', regsWgsl, aligned ? 'matmul_forward_vec4' : 'matmul_forward', 32);
    case 'regs8x8':
      return aligned ? make('regs8x8', regs8Wgsl, 'matmul_forward', 64) : make('regs4x4', regsWgsl, 'matmul_forward', 32);
    default:
      throw new Error(`matmul: unknown variant '${String(variant)}' (have ${MATMUL_VARIANTS.join(', ')})`);
  }
}

/** The dispatch for one plan (exported for autotune and the bench, which time it directly). */
export function matmulDispatch(c: Tensor, a: Tensor, b: Tensor, plan: MatmulPlan, variant: MatmulVariant): Dispatch {
  const p = foldPlan(plan);
  const k = matmulLaunch(variant, p);
  const t = (x: boolean): string => (x ? 'ᵀ' : '');
  return {
    kernel: k.spec,
    buffers: [a, b, c],
    params: [p.M, p.N, p.K, p.reduce, p.strideA, p.strideB, p.strideC, Number(p.accumulate)],
    workgroups: [ceilDiv(p.N, k.tileX), ceilDiv(p.M, k.tileY), p.batch],
    label: `matmul_${variant} ${a.describe()}${t(p.transA)} · ${b.describe()}${t(p.transB)} -> ${c.describe()}`,
  };
}

function forwardPlan(s: MatmulShape, transA: boolean, transB: boolean, accumulate: boolean): MatmulPlan {
  return {
    M: s.M, N: s.N, K: s.K, batch: s.batch, reduce: 1,
    strideA: s.batchedA ? s.M * s.K : 0, strideB: s.batchedB ? s.K * s.N : 0, strideC: s.M * s.N,
    transA, transB, accumulate,
  };
}

function variantFor(e: Engine, opts: MatmulOptions): MatmulVariant {
  return opts.variant ?? chosenVariant(e, MATMUL_TUNABLE);
}

/** C = op(A) · op(B), batched with broadcasting; recorded on the tape. */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false } = opts;
  const s = matmulShape(a, b, transA, transB);
  const e = a.engine;
  const out = e.empty([...s.batchShape, s.M, s.N], 'matmul');
  e.dispatch(matmulDispatch(out, a, b, forwardPlan(s, transA, transB, false), variantFor(e, opts)));
  if (e.tape.wants(a, b)) {
    e.tape.record(out, (dC) => matmulBackward(a, b, dC, s, opts));
  }
  return out;
}

/**
 * dA = dC · op(B)ᵀ and dB = op(A)ᵀ · dC (stored transposed when the operand was), each summed over
 * the batch when that operand was broadcast, written into (or summed onto) the operands' .grad.
 */
export function matmulBackward(a: Tensor, b: Tensor, dC: Tensor, s: MatmulShape, opts: MatmulOptions = {}): void {
  const { transA = false, transB = false } = opts;
  const e = a.engine;
  const variant = variantFor(e, opts);
  const sC = s.M * s.N;
  const sA = s.M * s.K;
  const sB = s.K * s.N;
  const common = { batch: s.batch, reduce: 1, accumulate: false };
  if (a.requiresGrad) {
    // dA must have A's stored layout: [M, K] = dC · op(B)ᵀ, or [K, M] = op(B) · dCᵀ when transA.
    const reduceA = !s.batchedA && s.batchedB;
    const base = transA
      ? { M: s.K, N: s.M, K: s.N, strideA: s.batchedB ? sB : 0, strideB: sC, transA: transB, transB: true }
      : { M: s.M, N: s.K, K: s.N, strideA: sC, strideB: s.batchedB ? sB : 0, transA: false, transB: !transB };
    const [x, y] = transA ? [b, dC] : [dC, b];
    gradInto(a, (g, acc) => {
      const plan = { ...common, ...base, strideC: reduceA ? 0 : sA, accumulate: acc };
      const p = reduceA ? { ...plan, batch: 1, reduce: s.batch } : plan;
      e.dispatch(matmulDispatch(g, x, y, p, variant));
    });
  }
  if (b.requiresGrad && b.gradTap) {
    tapOuter(a, b, dC, s, transA, transB);
  } else if (b.requiresGrad) {
    // dB in B's stored layout: [K, N] = op(A)ᵀ · dC, or [N, K] = dCᵀ · op(A) when transB.
    const reduceB = !s.batchedB && s.batchedA;
    const base = transB
      ? { M: s.N, N: s.K, K: s.M, strideA: sC, strideB: s.batchedA ? sA : 0, transA: true, transB: transA }
      : { M: s.K, N: s.N, K: s.M, strideA: s.batchedA ? sA : 0, strideB: sC, transA: !transA, transB: false };
    const [x, y] = transB ? [dC, a] : [a, dC];
    gradInto(b, (g, acc) => {
      const plan = { ...common, ...base, strideC: reduceB ? 0 : sB, accumulate: acc };
      const p = reduceB ? { ...plan, batch: 1, reduce: s.batch } : plan;
      e.dispatch(matmulDispatch(g, x, y, p, variant));
    });
  }
}

/** Hands a broadcast weight's per-row gradient to its tap: W [N, K] = Σ_r dC_rᵀ ⊗ a_r (transB), else [K, N]. */
function tapOuter(a: Tensor, b: Tensor, dC: Tensor, s: MatmulShape, transA: boolean, transB: boolean): void {
  if (s.batchedB || transA) throw new Error(`matmul: gradient tap on ${b.describe()} needs a 2-D weight and an untransposed input`);
  const rows = s.batch * s.M;
  const input = a.view([rows, s.K]);
  const dOut = dC.view([rows, s.N]);
  b.gradTap!(transB ? { kind: 'outer', left: dOut, right: input } : { kind: 'outer', left: input, right: dOut });
}

/** Writes a gradient straight into t.grad when it exists (accumulate mode), else into a new one. */
function gradInto(t: Tensor, write: (g: Tensor, accumulate: boolean) => void): void {
  if (t.grad) {
    write(t.grad, true);
    return;
  }
  const g = t.engine.empty(t.shape, `d${t.name || 'matmul'}`);
  write(g, false);
  accumulateGrad(t, g);
}

/** c = op(A) · op(B) (or c += with accumulate) into an existing tensor; not recorded on the tape. */
export function matmulInto(c: Tensor, a: Tensor, b: Tensor, opts: MatmulOptions & { accumulate?: boolean } = {}): void {
  const { transA = false, transB = false, accumulate = false } = opts;
  const s = matmulShape(a, b, transA, transB);
  const want = [...s.batchShape, s.M, s.N];
  if (c.size !== prod(want)) throw new Error(`matmulInto: output ${c.describe()} does not hold [${want.join(', ')}]`);
  c.engine.dispatch(matmulDispatch(c, a, b, forwardPlan(s, transA, transB, accumulate), variantFor(c.engine, opts)));
}

// ---- autotune ----------------------------------------------------------------------------------

interface MatmulTuneCase extends TuneCase {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
}

/** A linear layer's three products (x·Wᵀ, dY·W, dYᵀ·X), a quarter in every dimension on software adapters. */
const TUNE_CASES: MatmulTuneCase[] = [
  { label: 'linear forward x·Wᵀ', M: 256, N: 512, K: 512, transA: false, transB: true },
  { label: 'input gradient dY·W', M: 256, N: 512, K: 512, transA: false, transB: false },
  { label: 'weight gradient dYᵀ·X', M: 512, N: 512, K: 256, transA: true, transB: false },
];

/** Matmul's variants for autotune.ts: regs4x4 is the default on software adapters, tiled16 elsewhere. */
export const MATMUL_TUNABLE: Tunable<MatmulVariant> = {
  op: 'matmul',
  version: 2,
  variants: MATMUL_VARIANTS,
  fallback: (adapter) => (adapter.isSoftware ? 'regs4x4' : 'tiled16'),
  cases: TUNE_CASES,
  prepare(e, variant, i) {
    const c = TUNE_CASES[i];
    const f = e.gpu.adapter.isSoftware ? 4 : 1;
    const [M, N, K] = [c.M / f, c.N / f, c.K / f];
    const a = e.fromArray(filler(M * K), c.transA ? [K, M] : [M, K], 'tune A');
    const b = e.fromArray(filler(K * N), c.transB ? [N, K] : [K, N], 'tune B');
    const out = e.empty([M, N], 'tune C');
    const plan: MatmulPlan = {
      M, N, K, batch: 1, reduce: 1, strideA: 0, strideB: 0, strideC: 0,
      transA: c.transA, transB: c.transB, accumulate: false,
    };
    return { dispatch: matmulDispatch(out, a, b, plan, variant), dispose: () => [a, b, out].forEach((t) => t.dispose()) };
  },
};

/** Deterministic, bounded operand values (timing only). */
function filler(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
}

// ---- float64 references ----------------------------------------------------------------------

/** Shapes as a reference needs them (MatmulShape without the batch shape). */
export interface MatmulDims {
  M: number;
  N: number;
  K: number;
  batch: number;
  batchedA: boolean;
  batchedB: boolean;
  transA?: boolean;
  transB?: boolean;
}

/** Index of op(X)[r, c] in a stored slice of `rows x cols` op-layout, transposed storage when t. */
const at = (t: boolean, r: number, c: number, rows: number, cols: number): number => (t ? c * rows + r : r * cols + c);

/** C = op(A) · op(B) per batch slice, broadcasting 2-D operands. */
export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, d: MatmulDims): Float64Array {
  const { M, N, K, batch } = d;
  const c = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const oa = d.batchedA ? z * M * K : 0;
    const ob = d.batchedB ? z * K * N : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[oa + at(!!d.transA, m, k, M, K)] * b[ob + at(!!d.transB, k, n, K, N)];
        c[z * M * N + m * N + n] = s;
      }
    }
  }
  return c;
}

/** dA and dB in the operands' stored layouts, summed over the batch for a broadcast operand. */
export function matmulBackwardRef(a: ArrayLike<number>, b: ArrayLike<number>, dC: ArrayLike<number>, d: MatmulDims): { dA: Float64Array; dB: Float64Array } {
  const { M, N, K, batch } = d;
  const dA = new Float64Array(a.length);
  const dB = new Float64Array(b.length);
  for (let z = 0; z < batch; z++) {
    const oa = d.batchedA ? z * M * K : 0;
    const ob = d.batchedB ? z * K * N : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const g = dC[z * M * N + m * N + n];
        for (let k = 0; k < K; k++) {
          const ia = oa + at(!!d.transA, m, k, M, K);
          const ib = ob + at(!!d.transB, k, n, K, N);
          dA[ia] += g * b[ib];
          dB[ib] += g * a[ia];
        }
      }
    }
  }
  return { dA, dB };
}
