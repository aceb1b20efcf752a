// One co-training iteration end to end on the software adapter: real models, real PPO updates and
// real influence gradients. Only sampling is scripted (random tiny models never write valid JSON),
// so the stages downstream of generation have something to work on.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../engine/testing.ts';
import { randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../model/tiny-bpe-fixture.ts';
import { buildConfig, type RunConfig } from './config.ts';
import { DocumentSampler, identityShuffle } from './document-sampler.ts';
import { createEngineRoles } from './engine-roles.ts';
import { devIndices } from './dev-subsample.ts';
import { runIteration } from './iteration.ts';
import type { SampleRequest } from './roles.ts';
import { scriptSampling } from './scripted-sampling.ts';

function tokenizer(): TextTokenizer {
  return TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });
}

const script = scriptSampling;

const QUESTION = (slot: number, row: number) =>
  row % 2 === 0
    ? JSON.stringify({ question_text: `Q${slot}.${row}: pick x`, choices: ['w', 'x', 'y', 'z'], ground_truth: 'x' })
    : 'no json here';

/**
 * Tiny random Generator and Solver on the test adapter. The Generator writes QUESTION; the Solver answers
 * every question right first and wrong second, so no question is degenerate. `onSolverPrompt` sees each
 * decoded Solver prompt.
 */
async function scriptedRoles(config: RunConfig, onSolverPrompt?: (prompt: string, req: SampleRequest, row: number) => void) {
  const e = await testEngine();
  const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: 266, maxPositionEmbeddings: 1024, hiddenSize: 16 });
  const roles = createEngineRoles(e, {
    generator: { config: cfg, weights: randomWeights(cfg, 1), tokenizer: tokenizer() },
    solver: { config: cfg, weights: randomWeights(cfg, 2), tokenizer: tokenizer() },
    config,
  });
  script(roles.generator, (req, row) => QUESTION(Number(req.keys[1]), row));
  const solverTok = roles.solver.tokenizer;
  script(roles.solver, (req, row) => {
    const prompt = solverTok.decode(req.promptIds, { skipSpecialTokens: true });
    onSolverPrompt?.(prompt, req, row);
    const right = /^([A-H])\) (?:x|a)$/m.exec(prompt)![1];
    return row === 0 ? `so \\boxed{${right}}` : `hmm \\boxed{${right === 'A' ? 'B' : 'A'}}`;
  });
  return { cfg, roles };
}

describe('one INFUSER iteration on tiny models', () => {
  it('runs every stage: validity, answers, influence, DuGRPO and Dr.GRPO updates, metrics and question rows', async () => {
    const config = buildConfig({
      overrides: {
        'training.doc_batch_size': 8,
        'generator.rollout.n': 2,
        'solver.rollout.n': 2,
        'solver.actor.optim.lr': 1e-3,
        'generator.actor.optim.lr': 1e-3,
      },
    });
    const { cfg, roles } = await scriptedRoles(config);
    const documents = Array.from({ length: 10 }, (_, i) => ({ doc_id: `d${i}`, content: `document ${i}`, extra: { topic: i % 2 ? 'odd' : 'even' } }));
    const dev = Array.from({ length: 2 }, (_, i) => ({ question_id: `v${i}`, question_text: `dev ${i}`, choices: ['a', 'b', 'c', 'd'], correct_index: 0, extra: {} }));
    const before = await roles.solver.model.readWeights();
    const stages = new Set<string>();
    const result = await runIteration(
      { config, generator: roles.generator, solver: roles.solver, documents, dev, sampler: new DocumentSampler(10, identityShuffle), onProgress: (p) => stages.add(p.stage) },
      0,
    );
    const m = result.metrics;
    expect([...stages]).toEqual(['dev_rollout', 'gen_rollout', 'answer_rollout', 'influence', 'gen_update', 'solver_update']);
    // Stage 1: each dev question answered A then B with A correct.
    expect(m['dev_rollout/accuracy_strict']).toBe(0.5);
    expect(m['dev_rollout/frac_diverse_questions']).toBe(1);
    // Stage 2: half the rows parse.
    expect(m['gen_question_rollout/num_generated_questions']).toBe(16);
    expect(m['gen_question_rollout/num_valid_questions']).toBe(8);
    expect(m['gen_question_rollout/num_failed_parses']).toBe(8);
    // Stage 4: every valid question is non-degenerate (A vs B/C), so each has a finite influence score.
    const valid = result.questions.filter((q) => q.valid);
    expect(valid).toHaveLength(8);
    for (const q of valid) {
      expect(Number.isFinite(q.influence)).toBe(true);
      expect(Math.abs(q.influence!)).toBeLessThanOrEqual(1 + 1e-6); // preconditioned cosine
      expect(q.layer_scores).toHaveLength(cfg.numHiddenLayers + 2);
      const layerSum = q.layer_scores!.reduce((a, b) => a + b, 0);
      expect(Math.abs(layerSum - q.influence!)).toBeLessThan(1e-4 + 1e-3 * Math.abs(q.influence!));
      expect(q.reward).toBe(q.influence);
    }
    for (const q of result.questions.filter((r) => !r.valid)) {
      expect(q.rejection).toBe('failed_parse');
      expect(q.reward).toBe(0);
    }
    // Stage 5: slots whose valid row scored ≠ 0 against an invalid 0 survive; DuGRPO advantages are zero-mean per slot.
    expect(m['gen_quant/survival/groups_kept']).toBeGreaterThan(0);
    for (let slot = 0; slot < 8; slot++) {
      const rows = result.questions.filter((q) => q.slot === slot);
      expect(Math.abs(rows.reduce((s, q) => s + q.advantage, 0))).toBeLessThan(1e-9);
    }
    expect(m['gen_actor/grad_norm']).toBeGreaterThan(0);
    // Stage 6: the Solver trained on all 8 questions x 2 answers, and its weights moved.
    expect(m['train/solver_num_training_samples']).toBe(16);
    const after = await roles.solver.model.readWeights();
    const name = 'model.layers.0.self_attn.q_proj.weight';
    expect(after.get(name)!.some((v, i) => v !== before.get(name)![i])).toBe(true);
    expect(m['influence_dev/num_questions']).toBe(2);
    expect(m['influence_sim/ref_norm']).toBeGreaterThan(0);
    roles.generator.dispose();
    roles.solver.dispose();
  }, 300_000); // ~700-token byte-level prompts make this the suite's heaviest GPU test

  it('influence.degenerate_reward below_live: degenerate and invalid rows rank under every live question', async () => {
    const config = buildConfig({
      overrides: {
        'training.doc_batch_size': 8, 'generator.rollout.n': 2, 'solver.rollout.n': 2,
        'influence.degenerate_reward': 'below_live', 'training.gen_invalid_penalty': -0.25,
      },
    });
    const { roles } = await scriptedRoles(config);
    // Questions of odd documents are always answered right (degenerate); even ones right then wrong.
    const solverTok = roles.solver.tokenizer;
    script(roles.solver, (req, row) => {
      const prompt = solverTok.decode(req.promptIds, { skipSpecialTokens: true });
      const right = /^([A-H])\) (?:x|a)$/m.exec(prompt)![1];
      const slot = /Q(\d+)\./.exec(prompt);
      const live = row === 0 || (slot !== null && Number(slot[1]) % 2 === 1);
      return live ? `so \\boxed{${right}}` : `hmm \\boxed{${right === 'A' ? 'B' : 'A'}}`;
    });
    const documents = Array.from({ length: 8 }, (_, i) => ({ doc_id: `d${i}`, content: `doc ${i}`, extra: {} }));
    const dev = [{ question_id: 'v0', question_text: 'dev 0', choices: ['a', 'b', 'c', 'd'], correct_index: 0, extra: {} }];
    const result = await runIteration({
      config, generator: roles.generator, solver: roles.solver, documents, dev, sampler: new DocumentSampler(8, identityShuffle),
    }, 0);
    const live = result.questions.filter((q) => q.valid && q.influence !== null);
    const degenerate = result.questions.filter((q) => q.valid && q.influence === null);
    const invalid = result.questions.filter((q) => !q.valid);
    expect([live.length, degenerate.length, invalid.length]).toEqual([4, 4, 8]);
    const scores = live.map((q) => q.influence!);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const sd = Math.sqrt(scores.reduce((a, v) => a + (v - mean) ** 2, 0) / scores.length);
    const floor = Math.min(...scores) - (sd || Math.abs(Math.min(...scores)) || 1);
    for (const q of live) expect(q.reward).toBe(q.influence);
    for (const q of degenerate) expect(q.reward).toBeCloseTo(floor, 9);
    for (const q of invalid) expect(q.reward).toBeCloseTo(floor - 0.25, 9);
    // Every dev question answered right: no dev gradient, so no floor either; rewards fall back to F-R2's.
    script(roles.solver, (req, row) => {
      const prompt = solverTok.decode(req.promptIds, { skipSpecialTokens: true });
      const right = /^([A-H])\) (?:x|a)$/m.exec(prompt)![1];
      const live = row === 0 || !/Q\d+\./.test(prompt);
      return live ? `so \\boxed{${right}}` : `hmm \\boxed{${right === 'A' ? 'B' : 'A'}}`;
    });
    const blind = await runIteration({
      config, generator: roles.generator, solver: roles.solver, documents, dev, sampler: new DocumentSampler(8, identityShuffle),
    }, 1);
    expect(blind.metrics['influence_dev/num_questions']).toBe(0);
    for (const q of blind.questions) expect(q.reward).toBe(q.valid ? 0 : -0.25);
    roles.generator.dispose();
    roles.solver.dispose();
  }, 300_000);

  it('checkQuestion: refused questions are invalid as failed_check before the Solver answers them', async () => {
    const config = buildConfig({
      overrides: { 'training.doc_batch_size': 8, 'generator.rollout.n': 2, 'solver.rollout.n': 2, 'training.reward_mode': 'fixed' },
    });
    const answered: string[] = [];
    const { roles } = await scriptedRoles(config, (prompt, req, row) => {
      if (req.keys[1] === 'gen' && row === 0) answered.push(/Q(\d+)\.0/.exec(prompt)![1]);
    });
    const documents = Array.from({ length: 8 }, (_, i) => ({ doc_id: `d${i}`, content: `document ${i}`, extra: {} }));
    const dev = [{ question_id: 'v0', question_text: 'dev 0', choices: ['a', 'b', 'c', 'd'], correct_index: 0, extra: {} }];
    const seen: string[] = [];
    const result = await runIteration({
      config, generator: roles.generator, solver: roles.solver, documents, dev, sampler: new DocumentSampler(8, identityShuffle),
      // Accept the questions of even documents only; the record handed over is the shuffled one.
      checkQuestion: (record, doc) => {
        seen.push(`${doc.doc_id}:${record.choices[record.correct_index]}`);
        return Number(doc.doc_id.slice(1)) % 2 === 0;
      },
    }, 0);
    expect(seen).toEqual(Array.from({ length: 8 }, (_, i) => `d${i}:x`)); // only parsed rows are checked
    const m = result.metrics;
    expect(m['gen_question_rollout/num_valid_questions']).toBe(4);
    expect(m['gen_question_rollout/num_failed_check']).toBe(4);
    expect(m['gen_question_rollout/num_failed_parses']).toBe(8);
    expect(answered).toEqual(['0', '2', '4', '6']);
    expect(result.questions.filter((q) => q.rejection === 'failed_check').map((q) => q.doc_id)).toEqual(['d1', 'd3', 'd5', 'd7']);
    expect(m['train/solver_num_training_samples']).toBe(8);
    roles.generator.dispose();
    roles.solver.dispose();
  }, 300_000);

  it('solver filter top_alpha with a fixed Generator: influence is computed, the Solver trains on the top half only', async () => {
    const config = buildConfig({
      overrides: {
        'training.doc_batch_size': 8, 'generator.rollout.n': 2, 'solver.rollout.n': 2, 'training.reward_mode': 'fixed',
        'influence.solver_filter_mode': 'top_alpha', 'influence.solver_filter_alpha': 0.5,
      },
    });
    const { roles } = await scriptedRoles(config);
    const documents = Array.from({ length: 8 }, (_, i) => ({ doc_id: `d${i}`, content: `doc ${i}`, extra: {} }));
    const dev = [{ question_id: 'v0', question_text: 'dev 0', choices: ['a', 'b', 'c', 'd'], correct_index: 0, extra: {} }];
    const result = await runIteration({
      config, generator: roles.generator, solver: roles.solver, documents, dev, sampler: new DocumentSampler(8, identityShuffle),
    }, 0);
    const m = result.metrics;
    const valid = result.questions.filter((q) => q.valid);
    expect(valid).toHaveLength(8);
    // The fixed Generator's rewards stay 0 and it does not train, but every question has a score.
    for (const q of valid) {
      expect(Number.isFinite(q.influence)).toBe(true);
      expect(q.reward).toBe(0);
    }
    expect(m['gen_actor/grad_norm']).toBe(0);
    // ⌈0.5 · 8⌉ = 4 questions, the four highest scores, × 2 answers.
    const trained = valid.filter((q) => q.solver_trained);
    expect(trained).toHaveLength(4);
    expect(m['train/solver_num_training_samples']).toBe(8);
    const lowestTrained = Math.min(...trained.map((q) => q.influence!));
    for (const q of valid.filter((r) => !r.solver_trained)) expect(q.influence!).toBeLessThanOrEqual(lowestTrained);
    expect(result.questions.filter((q) => !q.valid).every((q) => q.solver_trained === false)).toBe(true);
    roles.generator.dispose();
    roles.solver.dispose();
  }, 300_000);
  it('dev subsample under dev_only: Stage 1 answers the drawn questions only, with their pool keys, and the Solver trains on them', async () => {
    const config = buildConfig({
      overrides: {
        'training.doc_batch_size': 8, 'solver.rollout.n': 2, 'training.reward_mode': 'dev_only', 'training.dev_rollout_subsample_size': 2,
      },
    });
    const asked: string[] = [];
    const { roles } = await scriptedRoles(config, (prompt, req, row) => {
      if (req.keys[1] === 'dev' && row === 0) asked.push(`${req.keys[2]}:${/dev (\d+)/.exec(prompt)![1]}`);
    });
    const dev = Array.from({ length: 5 }, (_, i) => ({ question_id: `v${i}`, question_text: `dev ${i}`, choices: ['a', 'b', 'c', 'd'], correct_index: 0, extra: {} }));
    const k = 3;
    const result = await runIteration({
      config, generator: roles.generator, solver: roles.solver, documents: [], dev, sampler: new DocumentSampler(1, identityShuffle),
    }, k);
    const picked = devIndices(config, dev.length, k);
    expect(picked).toHaveLength(2);
    // Each drawn question is asked once (the scripted rows 0 and 1 are its two answers), keyed by its pool index.
    expect(asked).toEqual(picked.map((i) => `${i}:${i}`));
    expect(result.metrics['dev_rollout/accuracy_strict']).toBe(0.5);
    expect(result.metrics['train/solver_num_training_samples']).toBe(4);
    roles.generator.dispose();
    roles.solver.dispose();
  }, 300_000);
});
