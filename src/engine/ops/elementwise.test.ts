import { describe, it } from 'vitest';
import { addRef, mulRef, add, mul, scale } from './elementwise.ts';
import { asF32, assertClose, finiteDiff, randn, testEngine, weightedSum } from '../testing.ts';

// Shapes include non-multiples of the 256-thread workgroup.
const SHAPES: [number, number][] = [[1, 1], [3, 5], [7, 33], [300, 3]];

describe('elementwise add / mul / scale', () => {
  for (const [rows, cols] of SHAPES) {
    for (const bcast of [false, true]) {
      it(`forward and backward match float64 references and finite differences at [${rows}, ${cols}] bcast=${bcast}`, async () => {
        const e = await testEngine();
        const a = asF32(randn(rows * cols, 1));
        const b = asF32(randn(bcast ? cols : rows * cols, 2));
        const w = asF32(randn(rows * cols, 3)); // upstream gradient
        for (const [op, ref] of [[add, addRef], [mul, mulRef]] as const) {
          await e.tidy(async () => {
            const ta = e.fromArray(a, [rows, cols]);
            const tb = e.fromArray(b, bcast ? [cols] : [rows, cols]);
            ta.requiresGrad = tb.requiresGrad = true;
            const out = op(ta, tb);
            e.tape.backward(out, e.fromArray(w, [rows, cols]));
            const [y, ga, gb] = await e.readMany([out, ta.grad!, tb.grad!]);
            assertClose(y, ref(a, b, cols, bcast), { rtol: 1e-6, atol: 1e-6 }, `${op.name} forward`);
            const fa = finiteDiff((x) => weightedSum(ref(x, b, cols, bcast), w), a);
            const fb = finiteDiff((x) => weightedSum(ref(a, x, cols, bcast), w), b);
            assertClose(ga, fa, { rtol: 1e-4, atol: 1e-4 }, `${op.name} grad a`);
            assertClose(gb, fb, { rtol: 1e-4, atol: 1e-4 }, `${op.name} grad b`);
          });
        }
      });
    }
  }

  it('scale forward and backward', async () => {
    const e = await testEngine();
    const a = asF32(randn(10, 4));
    const ta = e.fromArray(a, [10]);
    ta.requiresGrad = true;
    const out = scale(ta, -2.5);
    e.tape.backward(out);
    const [y, g] = await e.readMany([out, ta.grad!]);
    assertClose(y, a.map((v) => -2.5 * v), { rtol: 1e-6 }, 'scale forward');
    assertClose(g, new Float64Array(10).fill(-2.5), { rtol: 1e-6 }, 'scale backward');
    ta.dispose();
    out.dispose();
  });
});
