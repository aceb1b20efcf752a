import { describe, expect, it, vi } from 'vitest';
import {
  MATMUL_TUNABLE, MATMUL_VARIANTS, matmul, matmulBackwardRef, matmulDispatch, matmulInto, matmulRef, matmulShape,
  type MatmulDims, type MatmulPlan, type MatmulVariant,
} from './matmul.ts';
import { overrideVariant } from '../autotune.ts';
import { asF32, assertClose, finiteDiff, randn, testEngine, weightedSum } from '../testing.ts';
import type { Engine } from '../engine.ts';

interface Case {
  M: number;
  N: number;
  K: number;
  /** Leading (batch) dims of each operand; [] = a 2-D operand broadcast over the other's batch. */
  leadA: number[];
  leadB: number[];
}

const prod = (s: number[]): number => s.reduce((p, d) => p * d, 1);

// Non-multiples of the 16 and 32 tiles, K spanning several 16-wide k tiles, and every batch layout;
// then shapes whose contiguous dimensions are multiples of 4, which take regs4x4's vec4 entry point
// in some or all layouts (M = 6 clamps rows; Aᵀ·B with K = 5 or 7 runs the k-remainder loop).
const FORWARD_CASES: Case[] = [
  { M: 1, N: 1, K: 1, leadA: [], leadB: [] },
  { M: 5, N: 7, K: 3, leadA: [], leadB: [] },
  { M: 33, N: 17, K: 40, leadA: [], leadB: [] },
  { M: 3, N: 5, K: 6, leadA: [2], leadB: [2] },
  { M: 4, N: 3, K: 5, leadA: [2, 3], leadB: [] },
  { M: 3, N: 6, K: 4, leadA: [], leadB: [3] },
  { M: 36, N: 20, K: 12, leadA: [], leadB: [] },
  { M: 6, N: 8, K: 12, leadA: [], leadB: [] },
  { M: 8, N: 4, K: 5, leadA: [], leadB: [] },
  { M: 12, N: 16, K: 7, leadA: [], leadB: [] },
  { M: 3, N: 4, K: 8, leadA: [2], leadB: [2] },
  { M: 5, N: 8, K: 4, leadA: [2, 3], leadB: [] },
  { M: 4, N: 8, K: 4, leadA: [], leadB: [3] },
];

const BACKWARD_CASES: Case[] = [
  { M: 3, N: 4, K: 5, leadA: [], leadB: [] },
  { M: 3, N: 2, K: 4, leadA: [2], leadB: [2] },
  { M: 2, N: 3, K: 4, leadA: [3], leadB: [] },
  { M: 3, N: 2, K: 3, leadA: [], leadB: [2] },
  { M: 4, N: 8, K: 4, leadA: [2], leadB: [] },
  { M: 8, N: 4, K: 4, leadA: [], leadB: [2] },
  { M: 4, N: 4, K: 8, leadA: [2], leadB: [2] },
];

const TRANSPOSES: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

function setup(c: Case, transA: boolean, transB: boolean, seed: number) {
  const shapeA = [...c.leadA, ...(transA ? [c.K, c.M] : [c.M, c.K])];
  const shapeB = [...c.leadB, ...(transB ? [c.N, c.K] : [c.K, c.N])];
  const lead = c.leadA.length ? c.leadA : c.leadB;
  const dims: MatmulDims = {
    M: c.M, N: c.N, K: c.K, batch: prod(lead), batchedA: c.leadA.length > 0, batchedB: c.leadB.length > 0, transA, transB,
  };
  const a = asF32(randn(prod(shapeA), seed));
  const b = asF32(randn(prod(shapeB), seed + 1));
  return { shapeA, shapeB, outShape: [...lead, c.M, c.N], dims, a, b };
}

const caseName = (c: Case): string => `[${[...c.leadA, c.M, c.K].join(',')}]·[${[...c.leadB, c.K, c.N].join(',')}]`;

/** C = A·B on the engine, then the backward of Σ w ⊙ C; returns [C, dA, dB] as read back. */
async function forwardBackward(
  e: Engine, variant: MatmulVariant, s: ReturnType<typeof setup>, w: Float64Array, transA: boolean, transB: boolean,
): Promise<Float32Array[]> {
  const ta = e.fromArray(s.a, s.shapeA, 'A');
  const tb = e.fromArray(s.b, s.shapeB, 'B');
  ta.requiresGrad = tb.requiresGrad = true;
  const out = matmul(ta, tb, { transA, transB, variant });
  e.tape.backward(out, e.fromArray(w, s.outShape));
  const read = await e.readMany([out, ta.grad!, tb.grad!]);
  [ta, tb, out].forEach((t) => t.dispose());
  return read;
}

async function checkForward(e: Engine, variant: MatmulVariant, c: Case, transA: boolean, transB: boolean): Promise<void> {
  const s = setup(c, transA, transB, 11);
  const ta = e.fromArray(s.a, s.shapeA, 'A');
  const tb = e.fromArray(s.b, s.shapeB, 'B');
  const out = matmul(ta, tb, { transA, transB, variant });
  expect(out.shape).toEqual(s.outShape);
  const y = await out.toArray();
  assertClose(y, matmulRef(s.a, s.b, s.dims), { rtol: 1e-4, atol: 1e-5 }, `${variant} tA=${transA} tB=${transB} ${caseName(c)}`);
  [ta, tb, out].forEach((t) => t.dispose());
}

describe('matmul forward matches the float64 reference', () => {
  for (const variant of MATMUL_VARIANTS) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${variant} transA=${transA} transB=${transB} on 2-D, batched and broadcast shapes`, async () => {
        const e = await testEngine();
        for (const c of FORWARD_CASES) await checkForward(e, variant, c, transA, transB);
      });
    }
  }
});

describe('matmul backward matches finite differences', () => {
  for (const variant of MATMUL_VARIANTS) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${variant} transA=${transA} transB=${transB}: dA and dB, batch-reduced when broadcast`, async () => {
        const e = await testEngine();
        for (const c of BACKWARD_CASES) {
          const s = setup(c, transA, transB, 21);
          const w = asF32(randn(prod(s.outShape), 23));
          const [, dA, dB] = await forwardBackward(e, variant, s, w, transA, transB);
          const fa = finiteDiff((x) => weightedSum(matmulRef(x, s.b, s.dims), w), s.a);
          const fb = finiteDiff((x) => weightedSum(matmulRef(s.a, x, s.dims), w), s.b);
          assertClose(dA, fa, { rtol: 1e-4, atol: 1e-4 }, `${variant} dA ${caseName(c)}`);
          assertClose(dB, fb, { rtol: 1e-4, atol: 1e-4 }, `${variant} dB ${caseName(c)}`);
        }
      });
    }
  }

  it('the float64 backward reference matches finite differences for every layout', () => {
    for (const [transA, transB] of TRANSPOSES) {
      for (const c of BACKWARD_CASES) {
        const s = setup(c, transA, transB, 31);
        const w = randn(prod(s.outShape), 33);
        const { dA, dB } = matmulBackwardRef(s.a, s.b, w, s.dims);
        const fa = finiteDiff((x) => weightedSum(matmulRef(x, s.b, s.dims), w), s.a);
        const fb = finiteDiff((x) => weightedSum(matmulRef(s.a, x, s.dims), w), s.b);
        assertClose(dA, fa, { rtol: 1e-6, atol: 1e-7 }, `ref dA ${caseName(c)} tA=${transA} tB=${transB}`);
        assertClose(dB, fb, { rtol: 1e-6, atol: 1e-7 }, `ref dB ${caseName(c)} tA=${transA} tB=${transB}`);
      }
    }
  });
});

describe('matmul accumulation', () => {
  for (const variant of MATMUL_VARIANTS) {
    it(`${variant}: a weight used twice in one graph sums both gradient contributions in place`, async () => {
      const e = await testEngine();
      // y = (x · Wᵀ) · Wᵀ with W [4, 4]: the second closure accumulates into the existing W.grad.
      const x = asF32(randn(2 * 3 * 4, 41));
      const W = asF32(randn(16, 42));
      const g = asF32(randn(2 * 3 * 4, 43));
      const dims: MatmulDims = { M: 3, N: 4, K: 4, batch: 2, batchedA: true, batchedB: false, transB: true };
      const f = (wv: Float64Array): number => weightedSum(matmulRef(matmulRef(x, wv, dims), wv, dims), g);
      const tx = e.fromArray(x, [2, 3, 4], 'x');
      const tw = e.fromArray(W, [4, 4], 'W');
      tw.requiresGrad = true;
      const y = matmul(matmul(tx, tw, { transB: true, variant }), tw, { transB: true, variant });
      e.tape.backward(y, e.fromArray(g, [2, 3, 4]));
      assertClose(await tw.grad!.toArray(), finiteDiff(f, W), { rtol: 1e-4, atol: 1e-4 }, `${variant} dW`);
      [tx, tw, y].forEach((t) => t.dispose());
    });

    it(`${variant}: matmulInto with accumulate adds onto the output's contents`, async () => {
      const e = await testEngine();
      const a = asF32(randn(2 * 5 * 3, 51));
      const b = asF32(randn(6 * 3, 52));
      const c0 = asF32(randn(2 * 5 * 6, 53));
      const dims: MatmulDims = { M: 5, N: 6, K: 3, batch: 2, batchedA: true, batchedB: false, transB: true };
      const [ta, tb, tc] = [e.fromArray(a, [2, 5, 3]), e.fromArray(b, [6, 3]), e.fromArray(c0, [2, 5, 6])];
      matmulInto(tc, ta, tb, { transB: true, accumulate: true, variant });
      const want = matmulRef(a, b, dims).map((v, i) => v + c0[i]);
      assertClose(await tc.toArray(), want, { rtol: 1e-4, atol: 1e-5 }, `${variant} accumulate`);
      [ta, tb, tc].forEach((t) => t.dispose());
    });
  }
});

// Shapes past tiled64's 64 x 64 block of C and 16-deep k tile (non-multiples of both), on its scalar
// entry (odd contiguous dimensions) and its vec4 entry (all multiples of 4), with every batch layout.
const WIDE_CASES: Case[] = [
  { M: 70, N: 67, K: 19, leadA: [], leadB: [] },
  { M: 68, N: 72, K: 20, leadA: [], leadB: [] },
  { M: 66, N: 65, K: 17, leadA: [2], leadB: [] },
  { M: 65, N: 68, K: 36, leadA: [], leadB: [2] },
  { M: 20, N: 68, K: 24, leadA: [2], leadB: [2] },
];

describe('matmul on shapes spanning several 64 x 64 blocks and k tiles', () => {
  for (const variant of MATMUL_VARIANTS) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${variant} transA=${transA} transB=${transB}: forward and backward vs the float64 references`, async () => {
        const e = await testEngine();
        for (const c of WIDE_CASES) {
          const s = setup(c, transA, transB, 61);
          const w = asF32(randn(prod(s.outShape), 63));
          const [y, dA, dB] = await forwardBackward(e, variant, s, w, transA, transB);
          const ref = matmulBackwardRef(s.a, s.b, w, s.dims);
          const what = `${variant} tA=${transA} tB=${transB} ${caseName(c)}`;
          assertClose(y, matmulRef(s.a, s.b, s.dims), { rtol: 1e-4, atol: 1e-5 }, `${what} C`);
          assertClose(dA, ref.dA, { rtol: 1e-4, atol: 1e-4 }, `${what} dA`);
          assertClose(dB, ref.dB, { rtol: 1e-4, atol: 1e-4 }, `${what} dB`);
        }
      });
    }
  }

  /** Runs one raw plan (no folding applies to these) onto c0 and returns C. */
  async function runPlan(
    e: Engine, variant: MatmulVariant, plan: MatmulPlan, a: Float64Array, b: Float64Array, c0: Float64Array,
  ): Promise<Float32Array> {
    const [ta, tb, tc] = [e.fromArray(a, [a.length]), e.fromArray(b, [b.length]), e.fromArray(c0, [c0.length])];
    e.dispatch(matmulDispatch(tc, ta, tb, plan, variant));
    const y = await tc.toArray();
    [ta, tb, tc].forEach((t) => t.dispose());
    return y;
  }

  for (const variant of MATMUL_VARIANTS) {
    it(`${variant}: a reduce plan over a stride-0 A accumulates Σ_r A·B_rᵀ onto C`, async () => {
      const e = await testEngine();
      const [M, N, K, R] = [70, 67, 19, 3];
      const a = asF32(randn(M * K, 71));
      const b = asF32(randn(R * N * K, 72));
      const c0 = asF32(randn(M * N, 73));
      const plan: MatmulPlan = {
        M, N, K, batch: 1, reduce: R, strideA: 0, strideB: N * K, strideC: 0,
        transA: false, transB: true, accumulate: true,
      };
      const want = Float64Array.from(c0);
      for (let r = 0; r < R; r++) {
        const slice = b.subarray(r * N * K, (r + 1) * N * K);
        const part = matmulRef(a, slice, { M, N, K, batch: 1, batchedA: false, batchedB: false, transB: true });
        part.forEach((v, i) => (want[i] += v));
      }
      assertClose(await runPlan(e, variant, plan, a, b, c0), want, { rtol: 1e-4, atol: 1e-4 }, `${variant} reduce`);
    });

    it(`${variant}: a batch plan with transposed A and a stride-0 B overwrites each C slice`, async () => {
      const e = await testEngine();
      const [M, N, K, Z] = [68, 72, 20, 2];
      const a = asF32(randn(Z * K * M, 81));
      const b = asF32(randn(K * N, 82));
      const plan: MatmulPlan = {
        M, N, K, batch: Z, reduce: 1, strideA: K * M, strideB: 0, strideC: M * N,
        transA: true, transB: false, accumulate: false,
      };
      const want = matmulRef(a, b, { M, N, K, batch: Z, batchedA: true, batchedB: false, transA: true });
      const y = await runPlan(e, variant, plan, a, b, asF32(randn(Z * M * N, 83)));
      assertClose(y, want, { rtol: 1e-4, atol: 1e-5 }, `${variant} batch`);
    });
  }
});

describe('matmul shapes and variant choice', () => {
  it('rejects mismatched inner dimensions, batches and ranks with the operands named', () => {
    const t = (shape: number[], name: string) => ({ shape, describe: () => `${name}[${shape.join(', ')}]` });
    expect(() => matmulShape(t([2, 3], 'x'), t([4, 5], 'w'))).toThrow(/x\[2, 3\] · w\[4, 5\]: inner dimensions differ \(3 vs 4\)/);
    expect(() => matmulShape(t([2, 3, 4], 'x'), t([3, 4, 5], 'y'))).toThrow(/batch dimensions differ/);
    expect(() => matmulShape(t([3], 'v'), t([3, 2], 'w'))).toThrow(/A v\[3\] needs rank >= 2/);
    expect(matmulShape(t([2, 7, 3, 4], 'x'), t([5, 4], 'w'), false, true)).toMatchObject({ M: 3, N: 5, K: 4, batch: 14 });
  });

  it("launches the overridden variant, else the adapter's fallback (regs4x4 on software)", async () => {
    const e = await testEngine();
    const spy = vi.spyOn(e, 'dispatch');
    const a = e.fromArray([1, 2, 3, 4], [2, 2]);
    try {
      overrideVariant('matmul', 'naive');
      matmul(a, a).dispose();
      overrideVariant('matmul', null);
      matmul(a, a).dispose();
      const names = spy.mock.calls.map(([d]) => d.kernel.name);
      const fallback = e.gpu.adapter.isSoftware ? 'matmul_regs4x4' : 'matmul_tiled16';
      expect(names.filter((n) => n.startsWith('matmul'))).toEqual(['matmul_naive', fallback]);
      expect(MATMUL_TUNABLE.fallback({ ...e.gpu.adapter, isSoftware: false })).toBe('tiled16');
    } finally {
      overrideVariant('matmul', null);
      spy.mockRestore();
      a.dispose();
    }
  });

  it('regs4x4, regs8x8 and tiled64 take vec4 kernels only when contiguous dimensions are multiples of 4', async () => {
    const e = await testEngine();
    const spy = vi.spyOn(e, 'dispatch');
    const x = e.fromArray(new Float32Array(6 * 8), [6, 8]);
    const w = e.fromArray(new Float32Array(3 * 8), [3, 8]);
    const v = e.fromArray(new Float32Array(8 * 3), [8, 3]);
    try {
      for (const variant of ['regs4x4', 'regs8x8', 'tiled64'] as const) {
        matmul(x, w, { transB: true, variant }).dispose(); // K = 8 along both rows: vec4
        matmul(x, v, { variant }).dispose(); // N = 3: scalar
      }
      expect(spy.mock.calls.map(([d]) => `${d.kernel.name}:${d.kernel.entry}`)).toEqual([
        'matmul_regs4x4:matmul_forward_vec4', 'matmul_regs4x4:matmul_forward',
        'matmul_regs8x8:matmul_forward', 'matmul_regs4x4:matmul_forward',
        'matmul_tiled64:matmul_forward_vec4', 'matmul_tiled64:matmul_forward',
      ]);
    } finally {
      spy.mockRestore();
      [x, w, v].forEach((t) => t.dispose());
    }
  });
});
