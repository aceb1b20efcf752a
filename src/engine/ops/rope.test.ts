import { describe, expect, it } from 'vitest';
import { rope, ropeBackwardRef, ropeInvFreq, ropePositions, ropeRef } from './rope.ts';
import { asF32, assertClose, finiteDiff, randn, testEngine, weightedSum } from '../testing.ts';

interface Case {
  shape: number[]; // [(B,) T, H, D]
  theta: number;
  offset?: number;
  positions?: number[]; // one per token row
}

// Pair counts off the 256-thread workgroup; offsets for decode; large positions test the angle reduction.
const CASES: Case[] = [
  { shape: [1, 4, 8], theta: 10000, offset: 0 },
  { shape: [3, 4, 6], theta: 1e6, offset: 5 },
  { shape: [7, 2, 8], theta: 10000, offset: 0 },
  { shape: [2, 7, 4, 8], theta: 10000, offset: 3 },
  { shape: [5, 4, 6], theta: 1e6, positions: [0, 17, 4000, 9, 32000] },
  { shape: [40, 3, 8], theta: 10000, offset: 20000 },
];

function rowPositions(c: Case): number[] {
  if (c.positions) return c.positions;
  const T = c.shape[c.shape.length - 3];
  const rows = c.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return Array.from({ length: rows }, (_, r) => c.offset! + (r % T));
}

describe('rope', () => {
  it('ropeInvFreq follows 1 / theta^(2j/D): D = 4, theta = 1e4 gives [1, 0.01]', () => {
    expect(Array.from(ropeInvFreq(4, 1e4))).toEqual([1, Math.fround(0.01)]);
    expect(() => ropeInvFreq(5, 1e4)).toThrow(/even/);
  });

  it('rotates [1, 0] at position 1 (D = 2) to [cos 1, sin 1] and [0, 1] to [-sin 1, cos 1]', async () => {
    const e = await testEngine();
    const y = e.tidy(() => rope(e.fromArray([1, 0, 0, 1], [1, 2, 2]), e.fromArray(ropeInvFreq(2, 1e4), [1]), 1));
    const r = await y.toArray();
    y.dispose();
    const [c, s] = [Math.cos(1), Math.sin(1)];
    assertClose(r, [c, s, -s, c], { rtol: 1e-6, atol: 1e-7 }, 'rope hand rotation');
  });

  for (const c of CASES) {
    const mode = c.positions ? `positions ${c.positions}` : `offset ${c.offset}`;
    it(`forward and backward match float64 references and finite differences at [${c.shape}] theta ${c.theta} ${mode}`, async () => {
      const e = await testEngine();
      const [H, D] = c.shape.slice(-2);
      const n = c.shape.reduce((a, b) => a * b, 1);
      const x = asF32(randn(n, 31));
      const up = asF32(randn(n, 32));
      const invFreq = ropeInvFreq(D, c.theta);
      const pos = rowPositions(c);
      await e.tidy(async () => {
        const tx = e.fromArray(x, c.shape);
        tx.requiresGrad = true;
        const tf = e.fromArray(invFreq, [D / 2]);
        const y = rope(tx, tf, c.positions ? ropePositions(e, c.positions) : c.offset);
        e.tape.backward(y, e.fromArray(up, c.shape));
        const [gy, gx] = await e.readMany([y, tx.grad!]);
        assertClose(gy, ropeRef(x, invFreq, pos, H, D), { rtol: 1e-5, atol: 5e-6 }, 'rope forward');
        const fx = finiteDiff((v) => weightedSum(ropeRef(v, invFreq, pos, H, D), up), x);
        assertClose(gx, fx, { rtol: 1e-4, atol: 2e-5 }, 'rope dX vs finite differences');
        assertClose(ropeBackwardRef(up, invFreq, pos, H, D), fx, { rtol: 1e-6, atol: 1e-7 }, 'ropeBackwardRef vs finite differences');
      });
    });
  }

  it('rejects odd head_dim, a wrong inv_freq and a positions tensor of the wrong length', async () => {
    const e = await testEngine();
    e.tidy(() => {
      const f = e.fromArray(ropeInvFreq(4, 1e4), [2], 'inv_freq');
      expect(() => rope(e.zeros([2, 1, 3], 'q'), f)).toThrow(/head_dim 3 of q\[2, 1, 3\] must be even/);
      expect(() => rope(e.zeros([2, 1, 6], 'q'), f)).toThrow(/inv_freq\[2\] must hold D\/2 = 3/);
      expect(() => rope(e.zeros([2, 1, 4], 'q'), f, ropePositions(e, [0, 1, 2]))).toThrow(/one position per token row \(2\)/);
    });
  });
});
