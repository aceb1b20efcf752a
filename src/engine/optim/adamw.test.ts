import { describe, expect, it } from 'vitest';
import { AdamW, adamwStepRef, type AdamWRefState } from './adamw.ts';
import { clipRef } from './clip.ts';
import { asF32, assertClose, randn, testEngine } from '../testing.ts';
import type { Engine } from '../engine.ts';
import type { Tensor } from '../tensor.ts';

const OPTS = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
const SHAPES = [[5], [3, 100]];

/** Gradients per step: small (unclipped), large (clipped), NaN and Infinity (skipped), then small. */
function gradSchedule(): Float64Array[][] {
  const steps = [0.02, 3, 0.02, 0.02, 0.05].map((s, k) => SHAPES.map((sh, j) => asF32(randn(sh.reduce((a, b) => a * b), 100 + 10 * k + j, s))));
  steps[2][1][17] = NaN;
  steps[3][0][2] = Infinity;
  return steps;
}

function setGrads(e: Engine, params: Tensor[], grads: Float64Array[]): void {
  params.forEach((p, i) => (p.grad = e.keep(e.fromArray(grads[i], p.shape))));
}

describe('AdamW (spec §4 (9)) with global norm clipping (§4 (8))', () => {
  it('adamwStepRef: the first step is θ(1 − ηλ) − η g / (|g| + ε)', () => {
    const s: AdamWRefState = { theta: Float64Array.of(1, -2), m: new Float64Array(2), v: new Float64Array(2) };
    const g = [0.5, -3];
    const out = adamwStepRef(s, g, 1, OPTS);
    const want = [0, 1].map((i) => s.theta[i] * (1 - 0.01 * 0.1) - (0.01 * g[i]) / (Math.abs(g[i]) + 1e-8));
    assertClose(out.theta, want, { rtol: 0, atol: 1e-12 }, 'first AdamW step');
    assertClose(out.v, [0.001 * 0.25, 0.001 * 9], { rtol: 1e-12, atol: 0 }, 'first second moment');
  });

  it('five steps (one clipped, two non-finite skipped) match the float64 closed form; t counts 3', async () => {
    const e = await testEngine();
    const theta0 = SHAPES.map((sh, j) => asF32(randn(sh.reduce((a, b) => a * b), 90 + j)));
    const params = theta0.map((t, j) => e.keep(e.fromArray(t, SHAPES[j], `p${j}`)));
    const frozen = e.keep(e.fromArray([1, 2, 3], [3], 'frozen')); // never gets a gradient
    const opt = new AdamW([...params, frozen], { ...OPTS, maxGradNorm: 1 });
    let ref: AdamWRefState[] = theta0.map((theta) => ({ theta, m: new Float64Array(theta.length), v: new Float64Array(theta.length) }));
    let t = 0;
    const schedule = gradSchedule();
    for (const [k, grads] of schedule.entries()) {
      opt.zeroGrad();
      setGrads(e, params, grads);
      const report = await opt.step();
      const want = clipRef(grads, 1);
      expect(report.isSkipped, `step ${k} skipped`).toBe(!want.isFinite);
      if (want.isFinite) {
        t++;
        ref = ref.map((s, j) => adamwStepRef(s, grads[j].map((g) => g * want.scale), t, OPTS));
        assertClose([report.gradNorm, report.scale], [want.gradNorm, want.scale], { rtol: 1e-5, atol: 0 }, `step ${k} G and scale`);
      }
      expect(report.t).toBe(t);
      const state = await opt.exportState();
      const thetaNow = await e.readMany(params);
      ref.forEach((s, j) => {
        assertClose(thetaNow[j], s.theta, { rtol: 1e-5, atol: 1e-6 }, `step ${k} θ${j}`);
        assertClose(state.m[j], s.m, { rtol: 1e-4, atol: 1e-8 }, `step ${k} m${j}`);
        assertClose(state.v[j], s.v, { rtol: 1e-4, atol: 1e-10 }, `step ${k} v${j}`);
      });
      expect(Array.from(state.v[2])).toEqual([0, 0, 0]);
    }
    expect(schedule.filter((g) => clipRef(g, 1).scale < 1 && clipRef(g, 1).isFinite).length).toBe(1);
    expect(Array.from(await e.read(frozen))).toEqual([1, 2, 3]);
    expect(opt.t).toBe(3);
    opt.dispose();
    for (const p of [...params, frozen]) p.dispose();
  });

  it('ε is added after the square root: a 1e-8 gradient moves θ by η / 2 on the first step', async () => {
    const e = await testEngine();
    const p = e.keep(e.fromArray([0.5, -0.5], [2], 'w'));
    const opt = new AdamW([p], { ...OPTS, weightDecay: 0 });
    setGrads(e, [p], [Float64Array.of(1e-8, -3e-8)]);
    await opt.step();
    // g / (|g| + ε): 1e-8 / 2e-8 = 0.5 and −3e-8 / 4e-8 = −0.75 (ε inside the root would give ~1e-4).
    assertClose(await e.read(p), [0.5 - 0.01 * 0.5, -0.5 + 0.01 * 0.75], { rtol: 1e-5, atol: 0 }, 'tiny-gradient step');
    opt.dispose();
    p.dispose();
  });

  it('exportState / importState round-trip: a restored optimizer takes the same next step', async () => {
    const e = await testEngine();
    const theta0 = asF32(randn(40, 120));
    const [g1, g2] = [asF32(randn(40, 121, 0.1)), asF32(randn(40, 122, 0.1))];
    const a = e.keep(e.fromArray(theta0, [40], 'a'));
    const optA = new AdamW([a], OPTS);
    setGrads(e, [a], [g1]);
    await optA.step();
    const state = await optA.exportState();
    const b = e.keep(e.fromArray(await e.read(a), [40], 'b'));
    const optB = new AdamW([b], OPTS);
    optB.importState(state);
    expect(optB.t).toBe(1);
    const [vA, vB] = await e.readMany([optA.getSecondMoment().v[0], optB.getSecondMoment().v[0]]);
    expect(Array.from(vB)).toEqual(Array.from(vA));
    for (const [p, opt] of [[a, optA], [b, optB]] as const) {
      opt.zeroGrad();
      setGrads(e, [p], [g2]);
      await opt.step();
    }
    const [thetaA, thetaB] = await e.readMany([a, b]);
    expect(Array.from(thetaB)).toEqual(Array.from(thetaA));
    expect(optB.getSecondMoment()).toMatchObject({ t: 2, beta2: 0.999, eps: 1e-8 });
    expect(() => optB.importState({ t: 1, m: [new Float32Array(3)], v: [new Float32Array(40)] })).toThrow(/m\[0\] has 3 values/);
    for (const x of [optA, optB, a, b]) x.dispose();
  });

  it('step without gradients and a second concurrent step are clear errors', async () => {
    const e = await testEngine();
    const p = e.keep(e.fromArray([1, 2], [2], 'w'));
    const opt = new AdamW([p], OPTS);
    await expect(opt.step()).rejects.toThrow(/no parameter has a gradient/);
    setGrads(e, [p], [Float64Array.of(0.1, 0.2)]);
    const first = opt.step();
    await expect(opt.step()).rejects.toThrow(/previous step has not finished/);
    await first;
    opt.dispose();
    p.dispose();
  });
});
