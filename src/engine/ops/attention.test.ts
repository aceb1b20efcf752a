import { describe, expect, it } from 'vitest';
import {
  ATTENTION_VARIANTS,
  attention,
  attentionBackward,
  attentionBackwardRef,
  attentionForward,
  attentionLseRef,
  attentionRef,
  defaultAttentionVariant,
  type AttentionDims,
} from './attention.ts';
import { asF32, assertClose, finiteDiff, randn, testEngine, weightedSum } from '../testing.ts';
import type { Engine } from '../engine.ts';

type Case = Omit<AttentionDims, 'S'> & { S?: number; fd: boolean };

// GQA groups 2, 4 and 1; odd head_dim; decode offsets; a cache longer than past + T (rows masked out);
// T = 70 spans two 64-query workgroups, D = 64 several K/V and Q tiles in the tiled kernels, and
// past = 66 puts the decode queries' keys across two 64-key workgroups.
const CASES: Case[] = [
  { B: 1, T: 1, past: 0, Hq: 4, Hkv: 2, D: 8, fd: true },
  { B: 1, T: 3, past: 0, Hq: 4, Hkv: 1, D: 6, fd: true },
  { B: 1, T: 7, past: 0, Hq: 4, Hkv: 4, D: 8, fd: true },
  { B: 2, T: 7, past: 0, Hq: 4, Hkv: 2, D: 6, fd: true },
  { B: 1, T: 3, past: 4, Hq: 4, Hkv: 2, D: 8, fd: true },
  { B: 2, T: 3, past: 2, S: 9, Hq: 4, Hkv: 1, D: 6, fd: true },
  { B: 1, T: 70, past: 0, Hq: 2, Hkv: 1, D: 8, fd: false },
  { B: 1, T: 40, past: 3, Hq: 2, Hkv: 1, D: 64, fd: false },
  { B: 2, T: 5, past: 66, S: 75, Hq: 4, Hkv: 2, D: 8, fd: false },
];
const VARIANTS = ATTENTION_VARIANTS;

function shapes(c: Case): { dims: AttentionDims; qShape: number[]; kvShape: number[] } {
  const dims = { ...c, S: c.S ?? c.past + c.T };
  const lead = c.B > 1 ? [c.B] : [];
  return { dims, qShape: [...lead, c.T, c.Hq, c.D], kvShape: [...lead, dims.S, c.Hkv, c.D] };
}

async function runAttention(e: Engine, c: Case, variant: (typeof VARIANTS)[number], q: Float64Array, kk: Float64Array, v: Float64Array, up: Float64Array) {
  const { dims, qShape, kvShape } = shapes(c);
  return e.tidy(() => {
    const tq = e.fromArray(q, qShape, 'q');
    const tk = e.fromArray(kk, kvShape, 'k');
    const tv = e.fromArray(v, kvShape, 'v');
    tq.requiresGrad = tk.requiresGrad = tv.requiresGrad = true;
    const out = attention(tq, tk, tv, { past: dims.past, variant });
    e.tape.backward(out, e.fromArray(up, qShape));
    return e.readMany([out, tq.grad!, tk.grad!, tv.grad!]);
  });
}

describe('attention', () => {
  for (const c of CASES) {
    const { dims } = shapes(c);
    const name = `B ${c.B} T ${c.T} past ${c.past} S ${dims.S} Hq ${c.Hq} Hkv ${c.Hkv} D ${c.D}`;
    const qn = c.B * c.T * c.Hq * c.D;
    const kn = c.B * dims.S * c.Hkv * c.D;
    const q = asF32(randn(qn, 41));
    const kk = asF32(randn(kn, 42));
    const v = asF32(randn(kn, 43));
    const up = asF32(randn(qn, 44));

    // Central finite differences of the float64 forward, computed once per case.
    let fdCache: { dQ: Float64Array; dK: Float64Array; dV: Float64Array } | null = null;
    const fd = () => {
      const loss = (qq: Float64Array, k2: Float64Array, v2: Float64Array) => weightedSum(attentionRef(qq, k2, v2, dims), up);
      fdCache ??= {
        dQ: finiteDiff((x) => loss(x, kk, v), q),
        dK: finiteDiff((x) => loss(q, x, v), kk),
        dV: finiteDiff((x) => loss(q, kk, x), v),
      };
      return fdCache;
    };

    if (c.fd) {
      it(`attentionBackwardRef matches finite differences at ${name}`, () => {
        const ref = attentionBackwardRef(q, kk, v, up, dims);
        const tol = { rtol: 1e-6, atol: 1e-8 };
        assertClose(ref.dQ, fd().dQ, tol, 'dQ ref vs finite differences');
        assertClose(ref.dK, fd().dK, tol, 'dK ref vs finite differences');
        assertClose(ref.dV, fd().dV, tol, 'dV ref vs finite differences');
      });
    }

    for (const variant of VARIANTS) {
      it(`${variant} forward and backward match float64 references at ${name}`, async () => {
        const e = await testEngine();
        const [out, dq, dk, dv] = await runAttention(e, c, variant, q, kk, v, up);
        // Large cases check against the reference backward, itself checked against finite differences above.
        const want = c.fd ? fd() : attentionBackwardRef(q, kk, v, up, dims);
        assertClose(out, attentionRef(q, kk, v, dims), { rtol: 1e-4, atol: 1e-5 }, `${variant} forward`);
        const tol = { rtol: 1e-4, atol: 2e-5 };
        assertClose(dq, want.dQ, tol, `${variant} dQ`);
        assertClose(dk, want.dK, tol, `${variant} dK`);
        assertClose(dv, want.dV, tol, `${variant} dV`);
      });
    }
  }

  for (const variant of VARIANTS) {
    it(`${variant} decode with an offset equals the last rows of the full sequence (and ignores cache rows past it)`, async () => {
      const e = await testEngine();
      const [T, Hq, Hkv, D, S] = [7, 4, 2, 8, 10];
      const q = asF32(randn(T * Hq * D, 51));
      const kk = asF32(randn(S * Hkv * D, 52));
      const v = asF32(randn(S * Hkv * D, 53));
      const row = Hq * D;
      const [full, last1, last2] = await e.tidy(() => {
        const tk = e.fromArray(kk, [S, Hkv, D]);
        const tv = e.fromArray(v, [S, Hkv, D]);
        const kFull = e.fromArray(kk.subarray(0, T * Hkv * D), [T, Hkv, D]);
        const vFull = e.fromArray(v.subarray(0, T * Hkv * D), [T, Hkv, D]);
        const whole = attention(e.fromArray(q, [T, Hq, D]), kFull, vFull, { variant });
        // Cache of S = 10 rows holds 3 rows of unrelated data past position T - 1: the mask must hide them.
        const one = attention(e.fromArray(q.subarray((T - 1) * row), [1, Hq, D]), tk, tv, { past: T - 1, variant });
        const two = attention(e.fromArray(q.subarray((T - 2) * row), [2, Hq, D]), tk, tv, { past: T - 2, variant });
        return e.readMany([whole, one, two]);
      });
      assertClose(last1, full.subarray((T - 1) * row), { rtol: 1e-5, atol: 1e-6 }, `${variant} decode 1 token`);
      assertClose(last2, full.subarray((T - 2) * row), { rtol: 1e-5, atol: 1e-6 }, `${variant} decode 2 tokens`);
    });
  }

  // T = 6 and S = 9 leave partial 4-row blocks on both sides (regs4x4); D = 6 is not a multiple of 4.
  const lseCase: AttentionDims = { B: 2, T: 6, S: 9, past: 2, Hq: 6, Hkv: 2, D: 6 };
  for (const variant of VARIANTS) {
    it(`${variant} forward saves the float64 log-sum-exp of every score row`, async () => {
      const e = await testEngine();
      const d = lseCase;
      const q = asF32(randn(d.B * d.T * d.Hq * d.D, 61));
      const kk = asF32(randn(d.B * d.S * d.Hkv * d.D, 62));
      const v = asF32(randn(d.B * d.S * d.Hkv * d.D, 63));
      const [out, lse] = await e.tidy(() => {
        const f = attentionForward(
          e.fromArray(q, [d.B, d.T, d.Hq, d.D]),
          e.fromArray(kk, [d.B, d.S, d.Hkv, d.D]),
          e.fromArray(v, [d.B, d.S, d.Hkv, d.D]),
          { past: d.past, variant },
        );
        return e.readMany([f.out, f.lse]);
      });
      assertClose(out, attentionRef(q, kk, v, d), { rtol: 1e-4, atol: 1e-5 }, `${variant} forward`);
      assertClose(lse, attentionLseRef(q, kk, d), { rtol: 1e-5, atol: 1e-5 }, `${variant} lse`);
    });

    it(`${variant} attentionBackward without a saved lse recomputes it and matches the float64 backward`, async () => {
      const e = await testEngine();
      const d = lseCase;
      const q = asF32(randn(d.B * d.T * d.Hq * d.D, 71));
      const kk = asF32(randn(d.B * d.S * d.Hkv * d.D, 72));
      const v = asF32(randn(d.B * d.S * d.Hkv * d.D, 73));
      const up = asF32(randn(q.length, 74));
      const got = await e.tidy(() => {
        const tq = e.fromArray(q, [d.B, d.T, d.Hq, d.D]);
        const tk = e.fromArray(kk, [d.B, d.S, d.Hkv, d.D]);
        const tv = e.fromArray(v, [d.B, d.S, d.Hkv, d.D]);
        const out = e.fromArray(attentionRef(q, kk, v, d), tq.shape);
        const g = attentionBackward(tq, tk, tv, out, e.fromArray(up, tq.shape), { past: d.past, variant });
        return e.readMany([g.dQ, g.dK, g.dV]);
      });
      const want = attentionBackwardRef(q, kk, v, up, d);
      const tol = { rtol: 1e-4, atol: 2e-5 };
      assertClose(got[0], want.dQ, tol, `${variant} dQ`);
      assertClose(got[1], want.dK, tol, `${variant} dK`);
      assertClose(got[2], want.dV, tol, `${variant} dV`);
    });
  }

  it('backward still matches when a tidy scope freed the saved lse (it is recomputed)', async () => {
    const e = await testEngine();
    const d: AttentionDims = { B: 1, T: 5, S: 5, past: 0, Hq: 4, Hkv: 2, D: 8 };
    const q = asF32(randn(d.T * d.Hq * d.D, 81));
    const kk = asF32(randn(d.S * d.Hkv * d.D, 82));
    const v = asF32(randn(d.S * d.Hkv * d.D, 83));
    const up = asF32(randn(q.length, 84));
    const got = await e.tidy(() => {
      const tq = e.fromArray(q, [d.T, d.Hq, d.D]);
      const tk = e.fromArray(kk, [d.S, d.Hkv, d.D]);
      const tv = e.fromArray(v, [d.S, d.Hkv, d.D]);
      tq.requiresGrad = tk.requiresGrad = tv.requiresGrad = true;
      const out = e.tidy(() => attention(tq, tk, tv)); // out survives the inner scope, lse does not
      e.tape.backward(out, e.fromArray(up, tq.shape));
      return e.readMany([tq.grad!, tk.grad!, tv.grad!]);
    });
    const want = attentionBackwardRef(q, kk, v, up, d);
    const tol = { rtol: 1e-4, atol: 2e-5 };
    assertClose(got[0], want.dQ, tol, 'dQ');
    assertClose(got[1], want.dK, tol, 'dK');
    assertClose(got[2], want.dV, tol, 'dV');
  });

  it('picks regs4x4 on software adapters and tiled on real GPUs', async () => {
    const e = await testEngine();
    expect(defaultAttentionVariant(e)).toBe(e.gpu.adapter.isSoftware ? 'regs4x4' : 'tiled');
  });

  it('rejects kv heads that do not divide the query heads, and a cache shorter than past + T', async () => {
    const e = await testEngine();
    e.tidy(() => {
      const q = e.zeros([3, 4, 8], 'q');
      expect(() => attention(q, e.zeros([3, 3, 8], 'k'), e.zeros([3, 3, 8], 'v'))).toThrow(/kv head count must divide/);
      expect(() => attention(q, e.zeros([4, 2, 8], 'k'), e.zeros([4, 2, 8], 'v'), { past: 2 })).toThrow(/hold 4 positions, fewer than past \+ T = 5/);
      expect(() => attention(q, e.zeros([3, 2, 6], 'k'), e.zeros([3, 2, 6], 'v'))).toThrow(/disagree on head_dim/);
    });
  });
});
