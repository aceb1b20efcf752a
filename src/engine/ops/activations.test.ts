import { describe, it } from 'vitest';
import { silu, siluBackwardRef, siluRef, swiglu, swigluBackwardRef, swigluRef } from './activations.ts';
import { asF32, assertClose, finiteDiff, randn, testEngine, weightedSum } from '../testing.ts';

// Sizes off the 256-thread workgroup; scale 4 reaches the flat tails of the sigmoid.
const SHAPES: number[][] = [[1], [3, 7], [300, 3]];

describe('silu and swiglu', () => {
  for (const shape of SHAPES) {
    const n = shape.reduce((a, b) => a * b, 1);

    it(`silu forward and backward match float64 references and finite differences at [${shape}]`, async () => {
      const e = await testEngine();
      const x = asF32(randn(n, 21, 4));
      const up = asF32(randn(n, 22));
      await e.tidy(async () => {
        const tx = e.fromArray(x, shape);
        tx.requiresGrad = true;
        const y = silu(tx);
        e.tape.backward(y, e.fromArray(up, shape));
        const [gy, gx] = await e.readMany([y, tx.grad!]);
        assertClose(gy, siluRef(x), { rtol: 1e-5, atol: 1e-6 }, 'silu forward');
        const fx = finiteDiff((v) => weightedSum(siluRef(v), up), x);
        assertClose(gx, fx, { rtol: 1e-4, atol: 1e-5 }, 'silu dX vs finite differences');
        assertClose(siluBackwardRef(x, up), fx, { rtol: 1e-6, atol: 1e-7 }, 'siluBackwardRef vs finite differences');
      });
    });

    it(`swiglu forward and backward match float64 references and finite differences at [${shape}]`, async () => {
      const e = await testEngine();
      const gate = asF32(randn(n, 23, 4));
      const upIn = asF32(randn(n, 24));
      const w = asF32(randn(n, 25));
      await e.tidy(async () => {
        const tg = e.fromArray(gate, shape);
        const tu = e.fromArray(upIn, shape);
        tg.requiresGrad = tu.requiresGrad = true;
        const y = swiglu(tg, tu);
        e.tape.backward(y, e.fromArray(w, shape));
        const [gy, gg, gu] = await e.readMany([y, tg.grad!, tu.grad!]);
        assertClose(gy, swigluRef(gate, upIn), { rtol: 1e-5, atol: 1e-6 }, 'swiglu forward');
        const fg = finiteDiff((v) => weightedSum(swigluRef(v, upIn), w), gate);
        const fu = finiteDiff((v) => weightedSum(swigluRef(gate, v), w), upIn);
        assertClose(gg, fg, { rtol: 1e-4, atol: 1e-5 }, 'swiglu dGate vs finite differences');
        assertClose(gu, fu, { rtol: 1e-4, atol: 1e-5 }, 'swiglu dUp vs finite differences');
        const ref = swigluBackwardRef(gate, upIn, w);
        assertClose(ref.dGate, fg, { rtol: 1e-6, atol: 1e-7 }, 'swigluBackwardRef dGate vs finite differences');
        assertClose(ref.dUp, fu, { rtol: 1e-6, atol: 1e-7 }, 'swigluBackwardRef dUp vs finite differences');
      });
    });
  }

  it('silu stays finite at the f32 extremes: silu(-100) = -0 and silu(100) = 100', async () => {
    const e = await testEngine();
    const y = e.tidy(() => silu(e.fromArray([-100, 100, 0], [3])));
    const r = await y.toArray();
    y.dispose();
    assertClose(r, [0, 100, 0], { rtol: 1e-6, atol: 1e-30 }, 'silu extremes');
  });
});
