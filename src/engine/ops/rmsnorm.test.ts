import { describe, expect, it } from 'vitest';
import { rmsnorm, rmsnormBackwardRef, rmsnormRef } from './rmsnorm.ts';
import { asF32, assertClose, finiteDiff, randn, testEngine, weightedSum } from '../testing.ts';

// Rows and columns off the 64-thread workgroup; [3, 4, 8] is the per-head (q_norm/k_norm) use.
const SHAPES: number[][] = [[1, 8], [3, 6], [7, 70], [130, 5], [3, 4, 8]];
const EPS = 1e-6;

describe('rmsnorm', () => {
  for (const shape of SHAPES) {
    it(`forward and backward match float64 references and finite differences at [${shape}]`, async () => {
      const e = await testEngine();
      const C = shape[shape.length - 1];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = asF32(randn(n, 11));
      const w = asF32(randn(C, 12).map((v) => 1 + 0.5 * v));
      const up = asF32(randn(n, 13));
      await e.tidy(async () => {
        const tx = e.fromArray(x, shape);
        const tw = e.fromArray(w, [C]);
        tx.requiresGrad = tw.requiresGrad = true;
        const y = rmsnorm(tx, tw, EPS);
        e.tape.backward(y, e.fromArray(up, shape));
        const [gy, gx, gw] = await e.readMany([y, tx.grad!, tw.grad!]);
        assertClose(gy, rmsnormRef(x, w, C, EPS), { rtol: 1e-4, atol: 1e-5 }, 'rmsnorm forward');
        const fx = finiteDiff((v) => weightedSum(rmsnormRef(v, w, C, EPS), up), x);
        const fw = finiteDiff((v) => weightedSum(rmsnormRef(x, v, C, EPS), up), w);
        assertClose(gx, fx, { rtol: 1e-4, atol: 1e-4 }, 'rmsnorm dX vs finite differences');
        assertClose(gw, fw, { rtol: 1e-4, atol: 1e-4 }, 'rmsnorm dWeight vs finite differences');
        const ref = rmsnormBackwardRef(x, w, up, C, EPS);
        assertClose(ref.dX, fx, { rtol: 1e-6, atol: 1e-7 }, 'rmsnormBackwardRef dX vs finite differences');
        assertClose(ref.dWeight, fw, { rtol: 1e-6, atol: 1e-7 }, 'rmsnormBackwardRef dWeight vs finite differences');
      });
    });
  }

  it('matches a hand-computed row: x = [3, 4], w = [1, 2], eps = 0 -> [3, 8] / sqrt(12.5)', async () => {
    const e = await testEngine();
    const y = await e.tidy(() => rmsnorm(e.fromArray([3, 4], [1, 2]), e.fromArray([1, 2], [2]), 1e-30));
    const r = await y.toArray();
    y.dispose();
    assertClose(r, [3 / Math.sqrt(12.5), 8 / Math.sqrt(12.5)], { rtol: 1e-6 }, 'rmsnorm hand row');
  });

  it('rejects a weight that does not match the last dimension', async () => {
    const e = await testEngine();
    e.tidy(() => {
      const x = e.zeros([2, 4], 'hidden');
      expect(() => rmsnorm(x, e.zeros([3], 'norm.weight'), 1e-6)).toThrow(/norm\.weight\[3\] must be \[4\].*hidden\[2, 4\]/);
    });
  });
});
