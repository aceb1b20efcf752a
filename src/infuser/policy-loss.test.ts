import { describe, expect, it } from 'vitest';
import {
  broadcastAdvantages,
  lossNormaliser,
  type PolicyLossBatch,
  policyLossBackwardRef,
  policyLossForwardRef,
  policyRatio,
  tokenPolicyLoss,
} from './policy-loss.ts';

// F-L1 rows: A, ρ, p_t, counted in pg_clipfrac, dual clip binds.
const F_L1: [number, number, number, boolean, boolean][] = [
  [1, 1.5, -1.2, true, false],
  [1, 0.5, -0.5, false, false],
  [-1, 0.5, 0.8, true, false],
  [-1, 5, 3.0, false, true],
  [-2, 1.3, 2.6, false, false],
];

/** Small deterministic generator (LCG) so the finite-difference test needs no shared rng. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('policy loss (§4)', () => {
  it('F-L1 per-token loss (6), pg_clipfrac and dual-clip flags', () => {
    for (const [a, rho, p, isClipped, isDualClipped] of F_L1) {
      const token = tokenPolicyLoss(a, rho);
      expect(token.loss).toBeCloseTo(p, 12);
      expect([token.isClipped, token.isDualClipped]).toEqual([isClipped, isDualClipped]);
    }
  });

  it('F-L1 mini-batch metrics: pg_clipfrac 2/5, pg_clipfrac_lower 1/5, ppo_kl = mean(−ln ρ)', () => {
    const batch: PolicyLossBatch = {
      logProbs: F_L1.map(([, rho]) => Math.log(rho) - 1),
      oldLogProbs: F_L1.map(() => -1),
      advantages: F_L1.map(([a]) => a),
    };
    const result = policyLossForwardRef(batch, 10);
    expect(result.pgClipfrac).toBeCloseTo(0.4, 12);
    expect(result.pgClipfracLower).toBeCloseTo(0.2, 12);
    const lnRhoSum = Math.log(1.5) + Math.log(0.5) + Math.log(0.5) + Math.log(5) + Math.log(1.3);
    expect(result.ppoKl).toBeCloseTo(-lnRhoSum / 5, 12);
    expect(result.loss).toBeCloseTo((-1.2 - 0.5 + 0.8 + 3.0 + 2.6) / 10, 12);
    expect(result.tokenCount).toBe(5);
  });

  it('F-L2 constant normaliser: 8/16 = 0.5 for two responses, 4/16 = 0.25 for the partial last mini-batch', () => {
    const normaliser = lossNormaliser([3, 5, 4, 4], 4); // L̄ = 4, N_nom = 4
    expect(normaliser).toBe(16);
    // A = −1 and ρ = 1 make every token's loss exactly 1.
    const ones = (n: number): PolicyLossBatch => ({
      logProbs: new Float64Array(n),
      oldLogProbs: new Float64Array(n),
      advantages: broadcastAdvantages(n === 8 ? [-1, -1] : [-1], n === 8 ? [3, 5] : [4]),
    });
    expect(policyLossForwardRef(ones(8), normaliser).loss).toBeCloseTo(0.5, 12);
    expect(policyLossForwardRef(ones(4), normaliser).loss).toBeCloseTo(0.25, 12);
  });

  it('ratio (4) clamps the log-ratio to ±20', () => {
    expect(policyRatio(-1, -1.5)).toBeCloseTo(Math.exp(0.5), 12);
    expect(policyRatio(30, 0)).toBe(Math.exp(20));
    expect(policyRatio(0, 30)).toBe(Math.exp(-20));
  });

  it('TIS weights scale each token (5)', () => {
    const batch = { logProbs: [0, 0], oldLogProbs: [0, 0], advantages: [1, 1], weights: [2, 0.5] };
    expect(policyLossForwardRef(batch, 1).loss).toBeCloseTo(-2.5, 12);
  });

  it('dL/dℓ_t matches central finite differences in float64 on every branch', () => {
    const next = lcg(12345);
    const n = 400;
    const batch = {
      logProbs: new Float64Array(n),
      oldLogProbs: new Float64Array(n),
      advantages: new Float64Array(n),
      weights: new Float64Array(n),
    };
    for (let t = 0; t < n; t++) {
      batch.oldLogProbs[t] = -3 * next();
      const logRatio = t % 50 === 0 ? (next() < 0.5 ? -25 : 25) : -2 + 4 * next();
      batch.logProbs[t] = batch.oldLogProbs[t] + logRatio;
      batch.advantages[t] = -2 + 4 * next();
      batch.weights[t] = 0.5 + next();
    }
    const normaliser = 37;
    const grad = policyLossBackwardRef(batch, normaliser);
    const h = 1e-6;
    const branches = { unclipped: 0, clipped: 0, dual: 0 };
    const bad: string[] = [];
    for (let t = 0; t < n; t++) {
      const logRatio = batch.logProbs[t] - batch.oldLogProbs[t];
      const rho = Math.exp(logRatio);
      const a = batch.advantages[t];
      // Skip tokens within 1e-4 of a kink, where the finite difference straddles two branches.
      const nearKink =
        Math.abs(rho - 0.8) < 1e-4 || Math.abs(rho - 1.2) < 1e-4 || (a < 0 && Math.abs(-a * rho - -3 * a) < 1e-4);
      if (nearKink) continue;
      const token = tokenPolicyLoss(a, rho);
      if (token.isDualClipped) branches.dual++;
      else if (token.isClipped) branches.clipped++;
      else branches.unclipped++;
      const saved = batch.logProbs[t];
      batch.logProbs[t] = saved + h;
      const up = policyLossForwardRef(batch, normaliser).loss;
      batch.logProbs[t] = saved - h;
      const down = policyLossForwardRef(batch, normaliser).loss;
      batch.logProbs[t] = saved;
      const numeric = (up - down) / (2 * h);
      if (Math.abs(numeric - grad[t]) > 1e-8) bad.push(`token ${t}: analytic ${grad[t]}, numeric ${numeric}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // Every branch is exercised, so a wrong rule on any of them fails the test.
    expect(branches.unclipped).toBeGreaterThan(50);
    expect(branches.clipped).toBeGreaterThan(50);
    expect(branches.dual).toBeGreaterThan(5);
  });

  it('rejects mismatched token arrays and bad normalisers with clear errors', () => {
    const batch = { logProbs: [0, 0], oldLogProbs: [0], advantages: [1, 1] };
    expect(() => policyLossForwardRef(batch, 1)).toThrow(/oldLogProbs has 1 tokens, logProbs has 2/);
    expect(() => policyLossForwardRef({ ...batch, oldLogProbs: [0, 0] }, 0)).toThrow(/normaliser/);
    expect(() => lossNormaliser([], 4)).toThrow(/at least one response/);
    expect(() => lossNormaliser([3], 0)).toThrow(/N_nom/);
  });
});
