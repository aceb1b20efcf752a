import { describe, expect, it } from 'vitest';
import { ppoLoss, ppoLossBackwardRef, ppoLossRef, readPpoLossMetricsAsync, type PpoLossOptions, type PpoLossRefInputs } from './ppo-loss.ts';
import { policyLossBackwardRef, policyLossForwardRef, type PolicyLossBatch } from '../../infuser/policy-loss.ts';
import { asF32, assertClose, finiteDiff, randn, seeded, testEngine } from '../testing.ts';
import type { Engine } from '../engine.ts';

const SPEC: PpoLossOptions = { clipLow: 0.2, clipHigh: 0.2, dualClip: 3, normaliser: 10 };

// F-L1 rows: A, ρ, p_t, counted in pg_clipfrac, dual clip binds (spec §11).
const F_L1: [number, number, number, boolean, boolean][] = [
  [1, 1.5, -1.2, true, false],
  [1, 0.5, -0.5, false, false],
  [-1, 0.5, 0.8, true, false],
  [-1, 5, 3.0, false, true],
  [-2, 1.3, 2.6, false, false],
];

interface GpuResult {
  loss: number;
  metrics: number[];
  dLogp: Float32Array;
}

async function runGpu(e: Engine, x: PpoLossRefInputs, o: PpoLossOptions, dLoss: number): Promise<GpuResult> {
  const n = x.logp.length;
  const logp = e.fromArray(x.logp, [n], 'logp');
  logp.requiresGrad = true;
  const tensors = [x.oldLogp, x.advantages, x.weights].map((a) => e.fromArray(a, [n]));
  const ref = x.refLogp ? e.fromArray(x.refLogp, [n], 'refLogp') : null;
  const out = ppoLoss(logp, tensors[0], tensors[1], tensors[2], o, ref);
  e.tape.backward(out.loss, e.fromArray([dLoss], [1]));
  const [loss, metrics, dLogp] = await e.readMany([out.loss, out.metrics, logp.grad!]);
  for (const t of [logp, ...tensors, out.loss, out.metrics]) t.dispose();
  ref?.dispose();
  return { loss: loss[0], metrics: Array.from(metrics), dLogp };
}

/** Random tokens whose ratios spread over both clip edges and past the dual bound c = 3. */
function randomTokens(n: number, seed: number): PpoLossRefInputs {
  const r = seeded(seed);
  const logp = asF32(randn(n, seed, 0.5).map((v) => v - 2));
  const shift = randn(n, seed + 1, 0.7);
  const oldLogp = asF32(logp.map((v, i) => v - shift[i]));
  const advantages = asF32(randn(n, seed + 2));
  const weights = asF32(Array.from({ length: n }, () => (r() < 0.2 ? 0 : r() < 0.5 ? 1 : 0.25 + r())));
  return { logp, oldLogp, advantages, weights };
}

/** The tokens with non-zero weight, in policy-loss.ts's batch form. */
function weightedBatch(x: PpoLossRefInputs): PolicyLossBatch {
  const keep = Array.from(x.weights, (w, i) => (w !== 0 ? i : -1)).filter((i) => i >= 0);
  const pick = (a: ArrayLike<number>) => keep.map((i) => a[i]);
  return { logProbs: pick(x.logp), oldLogProbs: pick(x.oldLogp), advantages: pick(x.advantages), weights: pick(x.weights) };
}

describe('ppoLoss (spec §4 (4), (6), (7))', () => {
  it('F-L1 rows: loss, pg_clipfrac 2, pg_clipfrac_lower 1, ppo_kl sum and d logp match policy-loss.ts', async () => {
    const e = await testEngine();
    const x: PpoLossRefInputs = {
      logp: asF32(F_L1.map(([, rho]) => Math.log(rho) - 1)),
      oldLogp: F_L1.map(() => -1),
      advantages: F_L1.map(([a]) => a),
      weights: F_L1.map(() => 1),
    };
    const got = await runGpu(e, x, SPEC, 1);
    const batch: PolicyLossBatch = { logProbs: x.logp, oldLogProbs: x.oldLogp, advantages: x.advantages };
    const ref = policyLossForwardRef(batch, 10);
    assertClose([got.loss], [(-1.2 - 0.5 + 0.8 + 3.0 + 2.6) / 10], { rtol: 1e-4, atol: 0 }, 'F-L1 loss vs spec');
    assertClose([got.loss], [ref.loss], { rtol: 1e-4, atol: 0 }, 'F-L1 loss vs policy-loss.ts');
    expect(got.metrics[0]).toBe(2);
    expect(got.metrics[1]).toBe(1);
    expect(got.metrics[3]).toBe(5);
    assertClose([got.metrics[2] / 5], [ref.ppoKl], { rtol: 1e-4, atol: 1e-6 }, 'F-L1 ppo_kl');
    assertClose(got.dLogp, policyLossBackwardRef(batch, 10), { rtol: 1e-4, atol: 1e-7 }, 'F-L1 d logp');
  });

  for (const n of [1, 7, 64, 65, 300]) {
    it(`N = ${n}: forward, metrics and backward match policy-loss.ts; backward matches finite differences`, async () => {
      const e = await testEngine();
      const x = randomTokens(n, 100 + n);
      const dLoss = 0.7;
      const o = { ...SPEC, normaliser: 3.5 * n };
      const got = await runGpu(e, x, o, dLoss);
      const batch = weightedBatch(x);
      const count = batch.logProbs.length;
      const ref = policyLossForwardRef(batch, o.normaliser);
      assertClose([got.loss], [ref.loss], { rtol: 1e-4, atol: 1e-7 }, 'loss');
      expect(got.metrics[3]).toBe(count);
      if (n === 300) expect(Math.min(got.metrics[0], got.metrics[1], n - count)).toBeGreaterThan(0); // every branch runs
      expect(got.metrics[0]).toBe(Math.round(ref.pgClipfrac * count));
      expect(got.metrics[1]).toBe(Math.round(ref.pgClipfracLower * count));
      assertClose([got.metrics[2]], [ref.ppoKl * count], { rtol: 1e-4, atol: 1e-5 }, 'kl sum');
      const full: PolicyLossBatch = { logProbs: x.logp, oldLogProbs: x.oldLogp, advantages: x.advantages, weights: x.weights };
      const refGrad = policyLossBackwardRef(full, o.normaliser).map((g) => dLoss * g);
      assertClose(got.dLogp, refGrad, { rtol: 1e-4, atol: 1e-8 }, 'd logp vs policy-loss.ts');
      const lossOf = (logp: Float64Array) => dLoss * ppoLossRef({ ...x, logp }, o).loss;
      const fd = finiteDiff(lossOf, Float64Array.from(x.logp));
      assertClose(got.dLogp, fd, { rtol: 1e-4, atol: 1e-7 }, 'd logp vs finite differences');
      assertClose(ppoLossBackwardRef(x, o, dLoss), fd, { rtol: 1e-6, atol: 1e-9 }, 'float64 backward vs finite differences');
    });
  }

  it('with the dual clip off, large negative-advantage ratios are not bounded', async () => {
    const e = await testEngine();
    const x: PpoLossRefInputs = { logp: asF32([Math.log(5), 0.1]), oldLogp: [0, 0], advantages: [-1, -1], weights: [1, 1] };
    const o = { ...SPEC, dualClip: null, normaliser: 2 };
    const got = await runGpu(e, x, o, 1);
    assertClose([got.loss], [(5 + Math.exp(0.1)) / 2], { rtol: 1e-4, atol: 0 }, 'loss without dual clip');
    expect(got.metrics[1]).toBe(0);
    assertClose(got.dLogp, [5 / 2, Math.exp(0.1) / 2], { rtol: 1e-4, atol: 0 }, 'd logp without dual clip');
  });

  it('log-ratios beyond ±20 are clamped in the loss and metrics and carry no gradient', async () => {
    const e = await testEngine();
    const x: PpoLossRefInputs = { logp: [-30, 0], oldLogp: [0, -25], advantages: [1, 1], weights: [1, 1] };
    const o = { ...SPEC, dualClip: null, normaliser: 1 };
    const got = await runGpu(e, x, o, 1);
    // Token 0: ρ = e^−20, the unclipped −ρ wins but is flat; token 1: ρ = e^20, the clip −1.2 wins.
    assertClose([got.loss], [-Math.exp(-20) - 1.2], { rtol: 1e-4, atol: 0 }, 'clamped loss');
    expect(got.metrics[0]).toBe(1);
    assertClose([got.metrics[2]], [20 - 20], { rtol: 0, atol: 1e-6 }, 'clamped kl sum');
    assertClose(got.dLogp, [0, 0], { rtol: 0, atol: 0 }, 'no gradient past the clamp');
  });

  it('rejects mismatched shapes and a non-positive normaliser with a clear error', async () => {
    const e = await testEngine();
    const a = e.fromArray([1, 2, 3], [3], 'a');
    const b = e.fromArray([1, 2], [2], 'b');
    expect(() => ppoLoss(a, b, a, a, SPEC)).toThrow(/oldLogp b\[2\] must be \[3\]/);
    expect(() => ppoLoss(a, a, a, a, { ...SPEC, normaliser: 0 })).toThrow(/normaliser/);
    a.dispose();
    b.dispose();
  });

  it('KL penalty, worked numbers: k = e^δ − δ − 1 with δ = ℓ^ref − ℓ, and ∂k/∂ℓ = 1 − e^δ', async () => {
    const e = await testEngine();
    // A = 0 leaves only the penalty. δ = ln 2: k = 2 − ln 2 − 1 = 0.306853, ∂k/∂ℓ = −1.
    // δ = −1: k = e^−1 = 0.367879, ∂k/∂ℓ = 1 − e^−1 = 0.632121. δ = 3: k = e³ − 4 = 16.09 > 10, clamped, flat.
    const x: PpoLossRefInputs = {
      logp: [-1, -2, -1, -0.5],
      oldLogp: [-1, -2, -1, -0.5],
      advantages: [0, 0, 0, 0],
      weights: [1, 0.5, 2, 0],
      refLogp: [-1 + Math.LN2, -3, 2, -9],
    };
    const o = { ...SPEC, normaliser: 4, klCoef: 0.1 };
    const got = await runGpu(e, x, o, 1);
    const kSum = 1 * (1 - Math.LN2) + 0.5 * Math.exp(-1) + 2 * 10;
    assertClose([got.loss], [(0.1 * kSum) / 4], { rtol: 1e-5, atol: 0 }, 'KL loss');
    assertClose([got.metrics[4]], [kSum], { rtol: 1e-5, atol: 0 }, 'Σ w k');
    expect(got.metrics[3]).toBe(3); // the zero-weight token enters no metric
    assertClose(got.dLogp, [(0.1 * 1 * -1) / 4, (0.1 * 0.5 * (1 - Math.exp(-1))) / 4, 0, 0], { rtol: 1e-5, atol: 1e-9 }, 'KL d logp');
  });

  for (const n of [7, 300]) {
    it(`KL penalty on, N = ${n}: forward, Σ w k and backward match the float64 reference and finite differences`, async () => {
      const e = await testEngine();
      const x = randomTokens(n, 500 + n);
      const shift = randn(n, 900 + n, 1.2);
      x.refLogp = asF32(Array.from(x.logp, (v, i) => v + shift[i]));
      const o = { ...SPEC, normaliser: 2.5 * n, klCoef: 0.3 };
      const got = await runGpu(e, x, o, 0.7);
      const ref = ppoLossRef(x, o);
      assertClose([got.loss], [ref.loss], { rtol: 1e-4, atol: 1e-7 }, 'loss with KL');
      assertClose([got.metrics[4]], [ref.metrics.klPenaltySum], { rtol: 1e-4, atol: 1e-6 }, 'Σ w k');
      // The penalty is added, not mixed in: the loss less β Σ w k / D is the plain PPO loss.
      const plain = ppoLossRef(x, { ...o, klCoef: 0 }).loss;
      assertClose([got.loss - (0.3 * got.metrics[4]) / o.normaliser], [plain], { rtol: 1e-4, atol: 1e-6 }, 'PPO part');
      const lossOf = (logp: Float64Array) => 0.7 * ppoLossRef({ ...x, logp }, o).loss;
      const fd = finiteDiff(lossOf, Float64Array.from(x.logp));
      assertClose(got.dLogp, fd, { rtol: 1e-4, atol: 1e-7 }, 'd logp vs finite differences');
      assertClose(ppoLossBackwardRef(x, o, 0.7), fd, { rtol: 1e-6, atol: 1e-9 }, 'float64 backward vs finite differences');
      if (n === 300) expect(Array.from(x.logp).some((v, i) => Math.exp(x.refLogp![i] - v) - (x.refLogp![i] - v) - 1 > 10)).toBe(true);
    });
  }

  it('KL coefficient 0 ignores the reference; a positive one without it is an error', async () => {
    const e = await testEngine();
    const x = randomTokens(20, 31);
    const withRef = { ...x, refLogp: asF32(Array.from(x.logp, (v) => v + 1)) };
    const a = await runGpu(e, x, SPEC, 1);
    const b = await runGpu(e, withRef, { ...SPEC, klCoef: 0 }, 1);
    expect(b.loss).toBe(a.loss);
    expect(Array.from(b.dLogp)).toEqual(Array.from(a.dLogp));
    expect(b.metrics[4]).toBe(0);
    const t = e.fromArray([0, 0], [2], 't');
    expect(() => ppoLoss(t, t, t, t, { ...SPEC, klCoef: 0.1 })).toThrow(/klCoef 0.1 needs the reference log-probs/);
    expect(() => ppoLoss(t, t, t, t, { ...SPEC, klCoef: -1 }, t)).toThrow(/klCoef must be a finite number ≥ 0/);
    t.dispose();
  });

  it('metrics readback returns the five sums', async () => {
    const e = await testEngine();
    const x = randomTokens(40, 9);
    const n = 40;
    const ts = [x.logp, x.oldLogp, x.advantages, x.weights].map((v) => e.fromArray(v, [n]));
    const out = ppoLoss(ts[0], ts[1], ts[2], ts[3], SPEC);
    const m = await readPpoLossMetricsAsync(out.metrics);
    const ref = ppoLossRef(x, SPEC).metrics;
    expect([m.clippedTokens, m.dualClippedTokens, m.tokenCount]).toEqual([ref.clippedTokens, ref.dualClippedTokens, ref.tokenCount]);
    assertClose([m.klSum], [ref.klSum], { rtol: 1e-4, atol: 1e-5 }, 'kl sum');
    for (const t of [...ts, out.loss, out.metrics]) t.dispose();
  });
});
