import { describe, expect, it } from 'vitest';
import { applyClip, clipRef, gradClipInfo, readClipInfo } from './clip.ts';
import { asF32, assertClose, randn, testEngine } from '../testing.ts';

describe('global gradient-norm clipping (spec §4 (8))', () => {
  it('clipRef: G = 5 over [3] and [4] clips to 1 / (5 + 1e-6); G = 0.5 is not scaled', () => {
    const big = clipRef([[3], [4]], 1);
    expect(big.gradNorm).toBe(5);
    expect(big.scale).toBeCloseTo(1 / 5.000001, 12);
    expect(clipRef([[0.3], [0.4]], 1).scale).toBe(1);
    expect(clipRef([[NaN]], 1)).toEqual({ gradNorm: NaN, scale: 0, isFinite: false });
  });

  for (const [scaleOfGrads, maxNorm] of [[0.01, 1], [1, 1], [1, null]] as const) {
    it(`G, scale and in-place clipping match float64 (gradients ×${scaleOfGrads}, max norm ${maxNorm})`, async () => {
      const e = await testEngine();
      const grads = [asF32(randn(7, 71, scaleOfGrads)), asF32(randn(300, 72, scaleOfGrads))];
      const want = clipRef(grads, maxNorm);
      expect(want.scale < 1).toBe(scaleOfGrads === 1 && maxNorm !== null);
      const ts = grads.map((g) => e.fromArray(g, [g.length]));
      const info = gradClipInfo(ts, maxNorm);
      applyClip(ts, info);
      const [clipped0, clipped1] = await e.readMany(ts);
      const got = await readClipInfo(info);
      expect(got.isFinite).toBe(true);
      assertClose([got.gradNorm, got.scale], [want.gradNorm, want.scale], { rtol: 1e-5, atol: 0 }, 'G and scale');
      assertClose(clipped0, grads[0].map((g) => g * want.scale), { rtol: 1e-5, atol: 1e-9 }, 'clipped gradient 0');
      assertClose(clipped1, grads[1].map((g) => g * want.scale), { rtol: 1e-5, atol: 1e-9 }, 'clipped gradient 1');
      for (const t of [...ts, info]) t.dispose();
    });
  }

  for (const bad of [NaN, Infinity]) {
    it(`a ${bad} gradient element makes G non-finite: scale 0 and gradients left untouched`, async () => {
      const e = await testEngine();
      const g = [1, 2, bad, 4];
      const t = e.fromArray(g, [4]);
      const other = e.fromArray([0.5], [1]);
      const info = gradClipInfo([other, t], 1);
      applyClip([other, t], info);
      const [afterT, afterOther] = await e.readMany([t, other]);
      const got = await readClipInfo(info);
      expect(got.isFinite).toBe(false);
      expect(got.scale).toBe(0);
      expect(Number.isFinite(got.gradNorm)).toBe(false);
      expect(Array.from(afterT)).toEqual(g);
      expect(Array.from(afterOther)).toEqual([0.5]);
      for (const x of [t, other, info]) x.dispose();
    });
  }

  it('rejects a non-positive max norm', async () => {
    const e = await testEngine();
    const t = e.zeros([2]);
    expect(() => gradClipInfo([t], 0)).toThrow(/max norm/);
    t.dispose();
  });
});
