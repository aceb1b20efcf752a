// The Solver's influence scores on a tiny model: projected (P1, sparse JL) against exact at the same
// (θ, v, t), per-layer shares, and the degenerate cases. Short token sequences keep it fast.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../engine/testing.ts';
import { randomWeights, tinyModelConfig, mulberry32 } from '../model/random-model.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../model/tiny-bpe-fixture.ts';
import { buildConfig } from './config.ts';
import { createEngineRole } from './engine-roles.ts';
import type { EngineSolverRole } from './influence-role.ts';
import { pearson, spearman } from './rank-stats.ts';
import type { AnswerGroup, InfluenceSettings } from './roles.ts';
import { answerRows, backwardRows } from './policy-gradient-batch.ts';
import { frozenPreconditionerRef } from './similarity.ts';

const rand = mulberry32(7);
const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 256));
const group = (): AnswerGroup => ({ promptIds: ids(6), responses: [ids(4), ids(5)], advantages: [0.5, -0.5] });

function settings(over: Partial<InfluenceSettings> = {}): InfluenceSettings {
  return {
    similarityMode: 'preconditioned_cosine', mode: 'exact', projection: { option: 'P1', family: 'sparse', k: 16384, redraw: 'per_iteration' },
    calibrate: false, useMomentum: false, momentumBeta: 0.9, iteration: 3, temperature: 0.7, ...over,
  };
}

describe('Solver influence on a tiny model', () => {
  it('projected P1 scores rank like the exact ones, and calibration reports the exact scores', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('Qwen3ForCausalLM', { vocabSize: 266 });
    const config = buildConfig({ overrides: { 'solver.actor.optim.lr': 1e-3 } });
    const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });
    const solver = createEngineRole(e, { config: cfg, weights: randomWeights(cfg, 3), tokenizer }, config, 'solver', 11) as EngineSolverRole;
    // One optimizer step first, so the preconditioner has a stored second moment (t = 1).
    const warm = group();
    await solver.update(warm.responses.map((r, i) => ({ promptIds: warm.promptIds, responseIds: r, advantage: warm.advantages[i] })), [[0, 1]], 8, {
      temperature: 0.7, clipLow: 0.2, clipHigh: 0.2, dualClip: 3,
    });
    expect(await solver.optimizerStep()).toBe(1);
    const dev = [group(), group(), group()];
    // Copies of dev groups align with u, negated copies oppose it, random ones sit near 0: a spread of
    // true scores well above the projection noise (1 − c²)/√k (spec §9.4 E1).
    const negated = (g: AnswerGroup): AnswerGroup => ({ ...g, advantages: g.advantages.map((a) => -a) });
    const questions = [...dev, ...dev.map(negated), ...Array.from({ length: 6 }, group)];
    const exact = await solver.influence(dev, questions, settings());
    const projected = await solver.influence(dev, questions, settings({ mode: 'projected', calibrate: true }));
    const ex = exact.questions.map((q) => q.score);
    const pr = projected.questions.map((q) => q.score);
    projected.questions.forEach((q, i) => expect(Math.abs(q.exactScore! - ex[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(ex[i]))));
    expect(pearson(pr, ex)).toBeGreaterThan(0.99);
    expect(spearman(pr, ex)).toBeGreaterThan(0.9);
    for (const q of [...exact.questions, ...projected.questions]) {
      expect(q.layers).toHaveLength(cfg.numHiddenLayers + 2);
      const total = q.layers.reduce((a, b) => a + b, 0);
      expect(Math.abs(total - q.score)).toBeLessThan(1e-3 * Math.max(1e-3, Math.abs(q.score)) + 1e-6);
    }
    // The same seed and iteration draw the same P: projected scores repeat exactly.
    const again = await solver.influence(dev, questions, settings({ mode: 'projected' }));
    expect(again.questions.map((q) => q.score)).toEqual(pr);
    expect(again.questions[0].exactScore).toBeUndefined();
    solver.dispose();
  });

  it('without non-degenerate dev questions there is no reference and every score is 0', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: 266 });
    const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });
    const solver = createEngineRole(e, { config: cfg, weights: randomWeights(cfg, 4), tokenizer }, buildConfig(), 'solver', 1) as EngineSolverRole;
    const r = await solver.influence([], [group(), group()], settings());
    expect(r.hasReference).toBe(false);
    expect(r.questions.map((q) => q.score)).toEqual([0, 0]);
    solver.dispose();
  });

  // Qwen2: tied embeddings (gather and outer taps on one table) and q/k/v biases (bias taps);
  // Qwen3: per-head q/k RMSNorm (several gradient rows per token)
  it.each(['Qwen2ForCausalLM', 'Qwen3ForCausalLM'] as const)('P3-factored on %s: one batched backward gives cos(g_q, D u) exactly when no side is projected, and ranks alike when sides are', async (arch) => {
    const e = await testEngine();
    const cfg = tinyModelConfig(arch, { vocabSize: 266 });
    const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });
    const solver = createEngineRole(e, { config: cfg, weights: randomWeights(cfg, 5), tokenizer }, buildConfig(), 'solver', 13) as EngineSolverRole;
    const warm = group();
    for (let i = 0; i < 2; i++) {
      await solver.update(warm.responses.map((r, j) => ({ promptIds: warm.promptIds, responseIds: r, advantage: warm.advantages[j] })), [[0, 1]], 8, {
        temperature: 0.7, clipLow: 0.2, clipHigh: 0.2, dualClip: 3,
      });
    }
    const dev = [group(), group(), group()];
    const negated = (g: AnswerGroup): AnswerGroup => ({ ...g, advantages: g.advantages.map((a) => -a) });
    const degenerate: AnswerGroup = { ...group(), advantages: [0, 0] };
    const questions = [...dev, ...dev.map(negated), ...Array.from({ length: 5 }, group), degenerate];

    // float64 reference from each question's own gradient (plain backward, no taps)
    const params = solver.model.parameters();
    const meanLen = (gs: AnswerGroup[]) => Math.max(1, gs.flatMap((g) => g.responses.map((r) => r.length)).reduce((a, b) => a + b, 0) / gs.flatMap((g) => g.responses).length);
    const gradientOf = async (gs: AnswerGroup[], D: (g: AnswerGroup) => number): Promise<Float64Array> => {
      solver.model.zeroGrad();
      for (const g of gs) backwardRows(solver.model, answerRows(g, D(g)), 0.7).dispose();
      const parts = await e.readMany(params.map((p) => p.grad ?? e.zeros(p.shape)));
      solver.model.zeroGrad();
      return Float64Array.from(parts.flatMap((a) => Array.from(a)));
    };
    const devRows = dev.reduce((n, g) => n + g.responses.length, 0);
    const u = await gradientOf(dev, () => meanLen(dev) * devRows);
    const m = solver.opt.getSecondMoment();
    const v = Float64Array.from((await e.readMany([...m.v!])).flatMap((a) => Array.from(a)));
    const D = frozenPreconditionerRef(v, { beta2: m.beta2, epsilon: m.eps, step: m.t });
    const Du = u.map((x, i) => x * D[i]);
    const ref: number[] = [];
    for (const q of questions) {
      const g = q.advantages.some((a) => a !== 0) ? await gradientOf([q], (x) => meanLen(questions) * x.responses.length) : new Float64Array(u.length);
      let dot = 0, gg = 0, uu = 0;
      g.forEach((x, i) => { dot += x * Du[i]; gg += x * x; uu += Du[i] * Du[i]; });
      ref.push(dot / (Math.max(Math.sqrt(gg), 1e-12) * Math.sqrt(uu)));
    }

    const factored = (k: number, iteration = 3) =>
      solver.influence(dev, questions, settings({ mode: 'projected', iteration, projection: { option: 'P3', family: 'factored', k, redraw: 'per_iteration' } }));
    const full = await factored(1 << 17); // √k ≥ every side (266): no side is projected
    // float32 rounding gives ~1e-7 here; dropping the norm weights' x̂ factor moves scores by 1e-5–1e-4
    full.questions.forEach((q, i) => expect(Math.abs(q.score - ref[i])).toBeLessThan(2e-6 + 2e-5 * Math.abs(ref[i])));
    expect(full.questions[questions.length - 1].score).toBe(0);
    for (const q of full.questions) {
      expect(q.layers).toHaveLength(cfg.numHiddenLayers + 2);
      expect(Math.abs(q.layers.reduce((a, b) => a + b, 0) - q.score)).toBeLessThan(1e-4);
    }
    const small = await factored(4096); // sides of 64: the vocabulary side (266) is projected
    const pr = small.questions.map((q) => q.score);
    expect(pearson(pr, ref)).toBeGreaterThan(0.9);
    expect((await factored(4096)).questions.map((q) => q.score)).toEqual(pr); // same seed and iteration, same P
    expect((await factored(4096, 4)).questions.map((q) => q.score)).not.toEqual(pr); // redrawn per iteration
    expect(params.every((p) => p.grad === null && p.gradTap === null)).toBe(true);
    await expect(solver.influence(dev, questions, settings({ mode: 'projected', projection: { option: 'P1', family: 'factored', k: 256, redraw: 'per_iteration' } })))
      .rejects.toThrow(/option P3 only/);
    solver.dispose();
  });
});
