import { describe, expect, it } from 'vitest';
import {
  angleBoundDegrees,
  biasCorrection,
  frozenPreconditionerRef,
  frozenRatioRange,
  frozenRho,
  InfluenceAccumulator,
  influenceSimilarity,
  preconditionRef,
  scoreOf,
  similarityFromSums,
} from './similarity.ts';

const f64 = (xs: number[]) => Float64Array.from(xs);
const deg = (cos: number) => (Math.acos(cos) * 180) / Math.PI;

function dotOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

// §6.7 worked example: four parameters, β₂ = 0.75, ε_A = 0, stored step t = 1.
const G = f64([4, 2, 2, -1]);
const V = f64([4, 8, 36, 2]);
const U = f64([2, -2, 1, 4]);
const TOY = { beta2: 0.75, epsilon: 0, step: 1 };

describe('preconditioner (17) and similarity modes (18)', () => {
  it('F-I1 preconditioned cosine flips sign to -0.12 while the raw cosine is 0.08', () => {
    expect(Array.from(preconditionRef(G, V, TOY))).toEqual([1, 0.5, 0.25, -0.5]);
    const r = influenceSimilarity(G, U, V, TOY);
    expect(r.dot).toBeCloseTo(2, 12);
    expect(r.cosine).toBeCloseTo(0.08, 12);
    expect(r.preconditionedDot).toBeCloseTo(-0.75, 12);
    expect(r.preconditionedCosine).toBeCloseTo(-0.12, 12);
    expect([r.gradNorm, r.gammaNorm, r.refNorm].map((x) => Number(x.toFixed(12)))).toEqual([5, 1.25, 5]);
  });

  it('F-I1 with ε_A = 1e-8 gives -0.1199999992', () => {
    const r = influenceSimilarity(G, U, V, { ...TOY, epsilon: 1e-8 });
    expect(r.preconditionedCosine).toBeCloseTo(-0.1199999992, 10);
  });

  it('F-I1 empty optimizer state (t = 0, v = 0) gives γ = sign(g) and -0.3', () => {
    const empty = { beta2: 0.75, epsilon: 0, step: 0 };
    expect(Array.from(preconditionRef(G, null, empty))).toEqual([1, 1, 1, -1]);
    expect(influenceSimilarity(G, U, null, empty).preconditionedCosine).toBeCloseTo(-0.3, 12);
  });

  it('F-I2 stored step 6, ε = 0.2: bias correction, γ, dot, cosine and norms', () => {
    const options = { beta2: 0.9, epsilon: 0.2, step: 6 };
    expect(biasCorrection(0.9, 6)).toBeCloseTo(0.5217031, 7);
    const gamma = preconditionRef(f64([2, -4]), f64([4, 9]), options);
    expect(gamma[0]).toBeCloseTo(0.673634, 6);
    expect(gamma[1]).toBeCloseTo(-0.886534, 6);
    const r = influenceSimilarity(f64([2, -4]), f64([3, 5]), f64([4, 9]), options);
    expect(r.preconditionedDot).toBeCloseTo(-2.411766, 6);
    expect(r.preconditionedCosine).toBeCloseTo(-0.371478, 6);
    expect(r.gammaNorm).toBeCloseTo(1.113429, 6);
    expect(r.gradNorm).toBeCloseTo(4.472136, 6);
    expect(r.refNorm).toBeCloseTo(5.830952, 6);
  });

  it('F-I3 empty state, β₂ = 0.95, ε = 0.1', () => {
    const options = { beta2: 0.95, epsilon: 0.1, step: 0 };
    const g = f64([2, -3, 0.5]);
    const gamma = preconditionRef(g, null, options);
    [0.952381, -0.967742, 0.833333].forEach((want, i) => expect(gamma[i]).toBeCloseTo(want, 6));
    const r = influenceSimilarity(g, f64([1.5, -0.5, 2]), null, options);
    expect(r.preconditionedDot).toBeCloseTo(3.579109, 6);
    expect(r.preconditionedCosine).toBeCloseTo(0.881196, 6);
  });

  it('F-I4 cosine 0.96 (dot 24) and dot 4 (cosine 0.8)', () => {
    const options = { beta2: 0.999, epsilon: 1e-8, step: 0 };
    const a = influenceSimilarity(f64([3, 4]), f64([4, 3]), null, options);
    expect(scoreOf(a, 'cosine')).toBeCloseTo(0.96, 12);
    expect(scoreOf(a, 'dot')).toBeCloseTo(24, 12);
    const b = influenceSimilarity(f64([1, 2]), f64([2, 1]), null, options);
    expect(scoreOf(b, 'dot')).toBeCloseTo(4, 12);
    expect(scoreOf(b, 'cosine')).toBeCloseTo(0.8, 12);
  });

  it('F-I5 empty state, β₂ = 0.8, ε = 0.05', () => {
    const options = { beta2: 0.8, epsilon: 0.05, step: 0 };
    const gamma = preconditionRef(f64([2, -1]), null, options);
    expect(gamma[0]).toBeCloseTo(0.97561, 6);
    expect(gamma[1]).toBeCloseTo(-0.952381, 6);
    const r = influenceSimilarity(f64([2, -1]), f64([1, 3]), null, options);
    expect(scoreOf(r, 'preconditioned_cosine')).toBeCloseTo(-0.436406, 6);
  });

  it('scoreOf picks each mode and rejects unknown ones', () => {
    const r = influenceSimilarity(G, U, V, TOY);
    expect(scoreOf(r, 'preconditioned_dot')).toBe(r.preconditionedDot);
    expect(() => scoreOf(r, 'l2' as never)).toThrow(/unknown similarity mode "l2"/);
  });

  it('cosines floor zero norms at 1e-12 instead of dividing by zero', () => {
    const r = influenceSimilarity(f64([0, 0]), f64([1, 1]), null, { beta2: 0.9, epsilon: 0, step: 0 });
    expect([r.cosine, r.preconditionedCosine, r.gammaNorm]).toEqual([0, 0, 0]);
  });
});

describe('streaming over parameter tensors (§6.8)', () => {
  it('chunked float32 accumulation equals an independent whole-vector float64 reference', () => {
    const n = 1000;
    const g = new Float32Array(n);
    const u = new Float32Array(n);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      g[i] = Math.sin(i * 0.37) * 1e-3;
      u[i] = Math.cos(i * 0.11) * 2e-3;
      v[i] = (1 + Math.sin(i)) * 1e-7;
    }
    const options = { beta2: 0.999, epsilon: 1e-8, step: 41 };
    // Independent reference: (17) and (18d) written out directly.
    const bc = 1 - 0.999 ** 42;
    let gu = 0;
    let gg = 0;
    let uu = 0;
    for (let i = 0; i < n; i++) {
      const gamma = g[i] / (Math.sqrt((0.999 * v[i] + 0.001 * g[i] * g[i]) / bc) + 1e-8);
      gu += gamma * u[i];
      gg += gamma * gamma;
      uu += u[i] * u[i];
    }
    const acc = new InfluenceAccumulator(options);
    for (const [start, end] of [[0, 7], [7, 300], [300, 301], [301, 1000]]) {
      acc.addTensor(`layer.${start}`, g.subarray(start, end), u.subarray(start, end), v.subarray(start, end));
    }
    const r = similarityFromSums(acc.sums);
    expect(Math.abs(r.preconditionedDot - gu) / Math.abs(gu)).toBeLessThan(1e-12);
    expect(Math.abs(r.preconditionedCosine - gu / Math.sqrt(gg * uu))).toBeLessThan(1e-12);
  });

  it('a tensor whose lengths disagree is named in the error', () => {
    const acc = new InfluenceAccumulator({ beta2: 0.999, epsilon: 1e-8, step: 0 });
    expect(() => acc.addTensor('model.layers.0.mlp.up_proj.weight', f64([1, 2]), f64([1]), null)).toThrow(
      /"model.layers.0.mlp.up_proj.weight": u has 1 values, g has 2/,
    );
    expect(() => new InfluenceAccumulator({ beta2: 1, epsilon: 0, step: 0 })).toThrow(/β₂ must lie in/);
  });
});

describe('frozen preconditioner (§9.4)', () => {
  it('F-I6 frozen D on the §6.7 data: score +0.0080231, ⟨g, D u⟩ = ⟨D g, u⟩ = 0.0692677', () => {
    const d = frozenPreconditionerRef(V, TOY);
    const dg = G.map((x, i) => x * d[i]);
    const du = U.map((x, i) => x * d[i]);
    expect(dotOf(dg, U)).toBeCloseTo(0.0692677, 7);
    expect(dotOf(G, du)).toBeCloseTo(0.0692677, 7);
    const r = influenceSimilarity(G, U, V, TOY, 'frozen');
    expect(r.preconditionedDot).toBeCloseTo(0.0692677, 7);
    expect(r.preconditionedCosine).toBeCloseTo(0.0080231, 7);
  });

  it('ρ of (24) is (4/3, 1/6, 1/27, 1/6) and the bound (25) of 11.5° covers the 9.1° and 7.4° errors', () => {
    const rho = frozenRho(G, V, 0.75);
    [4 / 3, 1 / 6, 1 / 27, 1 / 6].forEach((want, i) => expect(rho[i]).toBeCloseTo(want, 12));
    const range = frozenRatioRange(G, V, TOY);
    expect(range.min).toBeCloseTo(Math.sqrt(1 + 1 / 27), 12);
    expect(range.max).toBeCloseTo(Math.sqrt(1 + 4 / 3), 12);
    const bound = angleBoundDegrees(range.min, range.max);
    expect(bound).toBeCloseTo(11.5, 1);
    const exact = preconditionRef(G, V, TOY);
    const frozen = preconditionRef(G, V, TOY, 'frozen');
    const gammaAngle = deg(dotOf(exact, frozen) / Math.sqrt(dotOf(exact, exact) * dotOf(frozen, frozen)));
    expect(gammaAngle).toBeCloseTo(9.1, 1);
    const scoreAngle = deg(0.0080231) - deg(-0.12);
    expect(Math.abs(scoreAngle)).toBeCloseTo(7.4, 1);
    expect(gammaAngle).toBeLessThanOrEqual(bound);
  });

  it('with v = 0 and ε_A = 0 the frozen form is undefined and says so', () => {
    expect(() => influenceSimilarity(G, U, null, TOY, 'frozen')).toThrow(/frozen preconditioner is 1\/0/);
  });
});
