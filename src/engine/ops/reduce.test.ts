import { describe, expect, it } from 'vitest';
import { l2Norm, l2NormRef, maskedMean, maskedMeanRef, mean, meanRows, sum, sumOfSquares, sumRows, sumRowsRef } from './reduce.ts';
import { asF32, assertClose, finiteDiff, randn, seeded, testEngine, weightedSum } from '../testing.ts';

const total = (x: ArrayLike<number>): number => Array.from(x).reduce((a, b) => a + b, 0);

describe('reductions', () => {
  // 65 and 5000 need two and three passes of 64 values per thread.
  for (const n of [1, 5, 64, 65, 5000]) {
    it(`sum and mean of ${n} elements match float64; backward matches finite differences`, async () => {
      const e = await testEngine();
      const x = asF32(randn(n, 41));
      const w = asF32(randn(1, 42));
      for (const [op, alpha] of [[sum, 1], [mean, 1 / n]] as const) {
        await e.tidy(async () => {
          const tx = e.fromArray(x, [n]);
          tx.requiresGrad = true;
          const out = op(tx);
          e.tape.backward(out, e.fromArray(w, [1]));
          const [y, dX] = await e.readMany([out, tx.grad!]);
          expect(out.shape).toEqual([1]);
          assertClose(y, [alpha * total(x)], { rtol: 1e-5, atol: 1e-5 }, `${op.name} forward`);
          if (n <= 65) {
            const fd = finiteDiff((v) => w[0] * alpha * total(v), x);
            assertClose(dX, fd, { rtol: 1e-4, atol: 1e-6 }, `${op.name} backward`);
          } else {
            assertClose(dX, new Float64Array(n).fill(w[0] * alpha), { rtol: 1e-6, atol: 0 }, `${op.name} backward`);
          }
        });
      }
    });
  }

  for (const shape of [[9], [3, 5], [260, 7], [2, 3, 4]]) {
    it(`sumRows and meanRows at [${shape}] match float64 and finite differences`, async () => {
      const e = await testEngine();
      const cols = shape[shape.length - 1];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = asF32(randn(n, 43));
      const w = asF32(randn(n / cols, 44));
      for (const [op, alpha] of [[sumRows, 1], [meanRows, 1 / cols]] as const) {
        await e.tidy(async () => {
          const tx = e.fromArray(x, shape);
          tx.requiresGrad = true;
          const out = op(tx);
          e.tape.backward(out, e.fromArray(w, out.shape));
          const [y, dX] = await e.readMany([out, tx.grad!]);
          expect(out.shape).toEqual(shape.length > 1 ? shape.slice(0, -1) : [1]);
          const ref = (v: ArrayLike<number>) => sumRowsRef(v, cols).map((s) => alpha * s);
          assertClose(y, ref(x), { rtol: 1e-5, atol: 1e-5 }, `${op.name} forward`);
          assertClose(dX, finiteDiff((v) => weightedSum(ref(v), w), x), { rtol: 1e-4, atol: 1e-5 }, `${op.name} backward`);
        });
      }
    });
  }

  it('global L2 norm and sum of squares over a list of tensors (one empty) match float64', async () => {
    const e = await testEngine();
    const parts = [asF32(randn(3, 45)), asF32(randn(70, 46)), new Float64Array(0), asF32(randn(5000, 47, 0.1))];
    await e.tidy(async () => {
      const ts = parts.map((p) => e.fromArray(p, [p.length]));
      // Everything is recorded before the first await: tidy disposes its tensors when fn returns.
      const [norm, ssq, single] = await e.readMany([l2Norm(ts), sumOfSquares(ts), l2Norm([ts[0]])]);
      const want = l2NormRef(parts);
      assertClose(norm, [want], { rtol: 1e-5, atol: 0 }, 'l2Norm');
      assertClose(ssq, [want * want], { rtol: 1e-5, atol: 0 }, 'sumOfSquares');
      assertClose(single, [l2NormRef([parts[0]])], { rtol: 1e-6, atol: 0 }, 'l2Norm single pass');
    });
  });

  for (const normaliser of [undefined, 16]) {
    it(`maskedMean (normaliser ${normaliser ?? 'Σ mask'}) matches float64 and finite differences`, async () => {
      const e = await testEngine();
      const r = seeded(48);
      const n = 300;
      const x = asF32(randn(n, 49));
      const mask = Float64Array.from({ length: n }, () => (r() < 0.6 ? 1 : 0));
      const w = asF32(randn(1, 50));
      await e.tidy(async () => {
        const tx = e.fromArray(x, [n]);
        tx.requiresGrad = true;
        const out = maskedMean(tx, e.fromArray(mask, [n]), normaliser);
        e.tape.backward(out, e.fromArray(w, [1]));
        const [y, dX] = await e.readMany([out, tx.grad!]);
        assertClose(y, [maskedMeanRef(x, mask, normaliser)], { rtol: 1e-5, atol: 1e-6 }, 'maskedMean forward');
        const fd = finiteDiff((v) => w[0] * maskedMeanRef(v, mask, normaliser), x);
        assertClose(dX, fd, { rtol: 1e-4, atol: 1e-7 }, 'maskedMean backward');
      });
    });
  }

  it('maskedMean of an all-zero mask is 0 with a zero gradient', async () => {
    const e = await testEngine();
    await e.tidy(async () => {
      const tx = e.fromArray([1, 2, 3], [3]);
      tx.requiresGrad = true;
      const out = maskedMean(tx, e.zeros([3]));
      e.tape.backward(out);
      const [y, dX] = await e.readMany([out, tx.grad!]);
      assertClose(y, [0], { rtol: 0, atol: 0 }, 'empty-mask mean');
      assertClose(dX, [0, 0, 0], { rtol: 0, atol: 0 }, 'empty-mask gradient');
    });
  });

  it('maskedMean rejects mismatched shapes and a non-positive normaliser', async () => {
    const e = await testEngine();
    const x = e.zeros([3]);
    expect(() => maskedMean(x, e.zeros([4]))).toThrow(/must both be \[N\]/);
    expect(() => maskedMean(x, e.zeros([3]), 0)).toThrow(/normaliser/);
  });
});
