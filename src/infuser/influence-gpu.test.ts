import { describe, expect, it } from 'vitest';
import { gradientsOf, influenceGroupOf, InfluenceSumsGpu, type InfluenceScore, type SecondMomentLike } from './influence-gpu.ts';
import { InfluenceAccumulator, similarityFromSums, type InfluenceSums, type PreconditionerKind } from './similarity.ts';
import { asF32, assertClose, randn, testEngine } from '../engine/testing.ts';
import type { Engine } from '../engine/engine.ts';
import { LlamaModel } from '../model/llama.ts';
import { randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { sequenceLogprobs } from '../model/losses.ts';
import { ppoLoss } from '../engine/ops/ppo-loss.ts';
import { AdamW } from '../engine/optim/adamw.ts';

interface Case {
  names: string[];
  g: ArrayLike<number>[];
  u: ArrayLike<number>[];
  v: ArrayLike<number>[] | null;
  beta2: number;
  eps: number;
  t: number;
}

async function gpuScore(e: Engine, c: Case, kind: PreconditionerKind = 'exact'): Promise<InfluenceScore> {
  const up = (xs: ArrayLike<number>[]) => xs.map((x, i) => e.fromArray(x, [x.length], c.names[i]));
  const [g, u] = [up(c.g), up(c.u)];
  const v = c.v ? up(c.v) : null;
  const sums = new InfluenceSumsGpu(c.names, u);
  const moment: SecondMomentLike = { v, t: c.t, beta2: c.beta2, eps: c.eps };
  try {
    return await sums.scoreAsync(g, moment, kind);
  } finally {
    sums.dispose();
    for (const t of [...g, ...u, ...(v ?? [])]) t.dispose();
  }
}

function refSums(c: Case, kind: PreconditionerKind, only?: number): InfluenceSums {
  const acc = new InfluenceAccumulator({ beta2: c.beta2, epsilon: c.eps, step: c.t }, kind);
  const f64 = (x: ArrayLike<number>) => Float64Array.from(x);
  c.names.forEach((name, i) => {
    if (only === undefined || only === i) acc.addTensor(name, f64(c.g[i]), f64(c.u[i]), c.v ? f64(c.v[i]) : null);
  });
  return acc.sums;
}

/** Sums agree at f32 precision: dot terms relative to the norms they are bounded by. */
function assertSumsClose(got: InfluenceSums, want: InfluenceSums, what: string): void {
  const rtol = 1e-4;
  assertClose([got.gammaSq, got.gradSq, got.refSq], [want.gammaSq, want.gradSq, want.refSq], { rtol, atol: 1e-30 }, `${what} squares`);
  const scale = (a: number, b: number) => 1e-5 * Math.sqrt(a * b) + 1e-30;
  assertClose([got.dot], [want.dot], { rtol, atol: scale(want.gradSq, want.refSq) }, `${what} ⟨g,u⟩`);
  assertClose([got.preconditionedDot], [want.preconditionedDot], { rtol, atol: scale(want.gammaSq, want.refSq) }, `${what} ⟨γ,u⟩`);
}

// §6.7 split over two tensors of different groups.
const F_I1: Case = {
  names: ['model.layers.0.mlp.up_proj.weight', 'model.norm.weight'],
  g: [[4, 2, 2], [-1]],
  u: [[2, -2, 1], [4]],
  v: [[4, 8, 36], [2]],
  beta2: 0.75,
  eps: 0,
  t: 1,
};

describe('exact influence sums on the GPU (spec §6.4, §6.5, §6.8)', () => {
  it('F-I1 preconditioned cosine flips sign to -0.12; raw cosine 0.08; empty state gives -0.3', async () => {
    const e = await testEngine();
    const s = (await gpuScore(e, F_I1)).similarity;
    assertClose([s.preconditionedCosine, s.cosine, s.dot, s.preconditionedDot], [-0.12, 0.08, 2, -0.75], { rtol: 1e-4, atol: 0 }, 'F-I1 t = 1');
    assertClose([s.gammaNorm, s.gradNorm, s.refNorm], [1.25, 5, 5], { rtol: 1e-4, atol: 0 }, 'F-I1 norms');
    const empty = (await gpuScore(e, { ...F_I1, v: null, t: 0 })).similarity;
    assertClose([empty.preconditionedCosine], [-0.3], { rtol: 1e-4, atol: 0 }, 'F-I1 empty state');
  });

  it('F-I1 per-group shares add up to the preconditioned cosine', async () => {
    const e = await testEngine();
    const score = await gpuScore(e, F_I1);
    expect(score.perGroup.map((g) => g.group)).toEqual(['layers.0', 'head']);
    // ⟨γ,u⟩ per group: 2 − 1 + 0.25 = 1.25 and −2, over ‖γ‖‖u‖ = 6.25.
    assertClose(score.perGroup.map((g) => g.preconditionedCosineShare), [1.25 / 6.25, -2 / 6.25], { rtol: 1e-4, atol: 0 }, 'shares');
  });

  it('F-I2 stored step 6: preconditioned_dot -2.411766, preconditioned_cosine -0.371478 and norms', async () => {
    const e = await testEngine();
    const s = (await gpuScore(e, { names: ['w'], g: [[2, -4]], u: [[3, 5]], v: [[4, 9]], beta2: 0.9, eps: 0.2, t: 6 })).similarity;
    assertClose(
      [s.preconditionedDot, s.preconditionedCosine, s.gammaNorm, s.gradNorm, s.refNorm],
      [-2.411766, -0.371478, 1.113429, 4.472136, 5.830952],
      { rtol: 1e-4, atol: 0 },
      'F-I2',
    );
  });

  it('F-I3 and F-I5 empty state: preconditioned cosines 0.881196 and -0.436406', async () => {
    const e = await testEngine();
    const i3 = await gpuScore(e, { names: ['w'], g: [[2, -3, 0.5]], u: [[1.5, -0.5, 2]], v: null, beta2: 0.95, eps: 0.1, t: 0 });
    assertClose([i3.similarity.preconditionedDot, i3.similarity.preconditionedCosine], [3.579109, 0.881196], { rtol: 1e-4, atol: 0 }, 'F-I3');
    const i5 = await gpuScore(e, { names: ['w'], g: [[2, -1]], u: [[1, 3]], v: null, beta2: 0.8, eps: 0.05, t: 0 });
    assertClose([i5.similarity.preconditionedCosine], [-0.436406], { rtol: 1e-4, atol: 0 }, 'F-I5');
  });

  it('F-I6 frozen D on the §6.7 data: score +0.0080231, ⟨D g, u⟩ = 0.0692677', async () => {
    const e = await testEngine();
    const s = (await gpuScore(e, F_I1, 'frozen')).similarity;
    assertClose([s.preconditionedCosine, s.preconditionedDot], [0.0080231, 0.0692677], { rtol: 1e-4, atol: 0 }, 'F-I6');
  });

  const SIZES = [1, 63, 256, 257, 1000, 70001];
  for (const t of [0, 5]) {
    for (const kind of ['exact', 'frozen'] as const) {
      it(`random tensors ${SIZES.join(', ')} at t = ${t}, ${kind}: per-tensor and total sums match the float64 accumulator`, async () => {
        const e = await testEngine();
        const c: Case = {
          names: SIZES.map((n, i) => `model.layers.${i % 2}.t${i}`),
          g: SIZES.map((n, i) => asF32(randn(n, 10 + i, 1e-3).map((x, j) => (j % 7 === 3 ? 0 : x)))),
          u: SIZES.map((n, i) => asF32(randn(n, 20 + i, 2e-3))),
          v: t === 0 ? null : SIZES.map((n, i) => asF32(randn(n, 30 + i, 1e-3).map((x) => x * x))),
          beta2: 0.999,
          eps: 1e-8,
          t,
        };
        const score = await gpuScore(e, c, kind);
        c.names.forEach((name, i) => assertSumsClose(score.perTensor[i], refSums(c, kind, i), name));
        const want = similarityFromSums(refSums(c, kind));
        const s = score.similarity;
        assertClose([s.cosine, s.preconditionedCosine], [want.cosine, want.preconditionedCosine], { rtol: 1e-4, atol: 1e-6 }, 'cosines');
        assertClose([s.gammaNorm, s.gradNorm, s.refNorm], [want.gammaNorm, want.gradNorm, want.refNorm], { rtol: 1e-4, atol: 0 }, 'norms');
        expect(score.perGroup.map((g) => g.group)).toEqual(['layers.0', 'layers.1']);
      });
    }
  }

  it('rejects missing second moments after step 0 and mismatched tensor sizes', async () => {
    const e = await testEngine();
    const u = [e.fromArray([1, 2], [2], 'u')];
    const sums = new InfluenceSumsGpu(['w'], u);
    const g = [e.fromArray([1, 2, 3], [3], 'g')];
    expect(() => sums.record(u, { v: null, t: 3, beta2: 0.9, eps: 1e-8 })).toThrow(/second moments are missing/);
    expect(() => sums.record(g, { v: null, t: 0, beta2: 0.9, eps: 1e-8 })).toThrow(/tensor "w": gradient has 3 values, u has 2/);
    sums.dispose();
    for (const t of [...u, ...g]) t.dispose();
  });

  it('groups names as embed, layers.{i} and head', () => {
    expect(['model.embed_tokens.weight', 'model.layers.12.self_attn.q_proj.weight', 'model.norm.weight', 'lm_head.weight'].map(influenceGroupOf))
      .toEqual(['embed', 'layers.12', 'head', 'head']);
  });

  it('a tiny model question gradient with the AdamW second moment matches the float64 accumulator', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('LlamaForCausalLM');
    const model = new LlamaModel(e, cfg, randomWeights(cfg, 5));
    const params = model.parameters();
    const opt = new AdamW(params, { lr: 1e-3 });
    const onPolicyBackward = (ids: number[], advantage: number) =>
      e.tidy(() => {
        const logp = sequenceLogprobs(model, ids, 0.7);
        const n = logp.size;
        const old = e.empty([n], 'old');
        e.copy(logp, old);
        const weights = e.fromArray(Array.from({ length: n }, (_, i) => (i < n - 1 ? 1 : 0)), [n]);
        const out = ppoLoss(logp, old, e.fromArray(new Float32Array(n).fill(advantage), [n]), weights, { clipLow: 0.2, clipHigh: 0.2, dualClip: 3, normaliser: 8 });
        e.tape.backward(out.loss);
      });
    onPolicyBackward([1, 5, 9, 2, 30], 0.5);
    await opt.step();
    opt.zeroGrad();
    onPolicyBackward([4, 8, 15, 16, 23, 3], -0.25);
    const grads = gradientsOf(params, model.names);
    const u = params.map((p, i) => e.keep(e.fromArray(asF32(randn(p.size, 50 + i, 1e-2)), p.shape, `u ${model.names[i]}`)));
    const sums = new InfluenceSumsGpu(model.names, u);
    const moment = opt.getSecondMoment();
    const score = await sums.scoreAsync(grads, moment);
    const [gs, us, vs] = await Promise.all([e.readMany(grads), e.readMany(u), e.readMany([...moment.v])]);
    const c: Case = { names: model.names, g: gs, u: us, v: vs, beta2: moment.beta2, eps: moment.eps, t: moment.t };
    expect(moment.t).toBe(1);
    const want = similarityFromSums(refSums(c, 'exact'));
    assertClose([score.similarity.preconditionedCosine, score.similarity.cosine], [want.preconditionedCosine, want.cosine], { rtol: 1e-4, atol: 1e-6 }, 'model scores');
    expect(score.perGroup.map((g) => g.group)).toEqual(['embed', 'layers.0', 'layers.1', 'head']);
    const shareSum = score.perGroup.reduce((a, g) => a + g.preconditionedCosineShare, 0);
    assertClose([shareSum], [score.similarity.preconditionedCosine], { rtol: 1e-9, atol: 1e-12 }, 'shares add up');
    sums.dispose();
    for (const t of u) t.dispose();
    opt.dispose();
    model.dispose();
  });
});
