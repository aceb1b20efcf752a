import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildConfig, configFromJson, defaultConfig } from '../infuser/config.ts';
import { importDevPool, type DevQuestion } from './dev-pool.ts';
import { importDocuments, type Document } from './documents.ts';
import {
  devPoolToReferenceJson, documentsToReferenceJson, exportForReference, referenceOverrides, unmappedSettings,
} from './reference-export.ts';

// Independent port of the reference's utils/mcq_utils.py: _normalize_mcq_ground_truth (letter before text).
function referenceLetterFirstIndex(choices: string[], groundTruth: unknown): number {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, choices.length);
  if (typeof groundTruth === 'number') return groundTruth;
  const gt = String(groundTruth).trim();
  if (gt.length === 1 && letters.includes(gt.toUpperCase())) return letters.indexOf(gt.toUpperCase());
  return choices.findIndex((c) => c.toUpperCase().trim() === gt.toUpperCase());
}

const pool: DevQuestion[] = [
  { question_id: 'chem-1', question_text: 'Which element has Z = 8?', choices: ['C', 'N', 'O', 'H'], correct_index: 2, extra: {} },
  { question_id: 'chem-2', question_text: 'Z = 6?', choices: ['C', 'N', 'O', 'H'], correct_index: 0, extra: { data_source: 'mine' } },
  { question_id: 'q3', question_text: 'Pick x', choices: ['w', 'x', 'y', 'z', 'v'], correct_index: 1, extra: { difficulty: 3 } },
];

const exportInput = { documents: [], devPool: pool, labVersion: '0.1.0', modelId: 'Qwen/Qwen2.5-0.5B-Instruct' };

describe('dev.json (§10.2)', () => {
  it('F-D2 export → import is the identity (default auto convention)', () => {
    const text = devPoolToReferenceJson(pool);
    const back = importDevPool([{ name: 'dev.json', text }]);
    expect(back.unconfirmedFiles).toEqual([]);
    expect(back.rejected).toEqual([]);
    expect(back.questions).toEqual(pool);
  });

  it('F-D2 ground_truth is an uppercase letter the reference letter-first reading maps to the same choice', () => {
    const rows = JSON.parse(devPoolToReferenceJson(pool)) as Record<string, unknown>[];
    expect(rows.map((r) => r.ground_truth)).toEqual(['C', 'A', 'B']);
    rows.forEach((r, i) => {
      expect(referenceLetterFirstIndex(r.choices as string[], r.ground_truth)).toBe(pool[i].correct_index);
      expect(r.ground_truth_text).toBe(pool[i].choices[pool[i].correct_index]);
      expect(r.benchmark_type).toBe('qa_mcq');
    });
    // Text would have been misread: "O" is not a letter in range, but "C" for chem-2 would be read as index 2.
    expect(referenceLetterFirstIndex(pool[1].choices, 'C')).toBe(2);
  });

  it('keeps extra keys and never invents data_source', () => {
    const rows = JSON.parse(devPoolToReferenceJson(pool)) as Record<string, unknown>[];
    expect(rows.map((r) => r.data_source)).toEqual([undefined, 'mine', undefined]);
    expect(rows[2].difficulty).toBe(3);
  });

  it('refuses a correct_index outside the choices, naming the question', () => {
    expect(() => devPoolToReferenceJson([{ ...pool[0], correct_index: 4 }])).toThrow(/"chem-1": correct_index 4/);
  });
});

describe('documents.json (§10.2)', () => {
  it('export → import keeps ids, content, source_pdf and unknown keys', () => {
    const docs: Document[] = [
      { doc_id: 'a.md#0', content: 'Alpha $x^2$', source_pdf: 'a.md', extra: {} },
      { doc_id: '17', content: 'Beta', extra: { prompt_type: 'mcq', text: 'old' } },
    ];
    const text = documentsToReferenceJson(docs);
    expect(Object.keys(JSON.parse(text)[0] as object)).toEqual(['doc_id', 'content', 'source_pdf']);
    expect(importDocuments([{ name: 'documents.json', text }]).documents).toEqual(docs);
  });
});

describe('run configuration (§10.2)', () => {
  it('F-D3 the default config exports the paper recipe\'s algorithm keys at lab sizes', () => {
    const o = referenceOverrides(defaultConfig(), { modelId: 'm' });
    expect(o).toMatchObject({
      'algorithm.generator_normalization_mode': 'hybrid_std',
      'algorithm.solver_normalization_mode': 'none',
      'influence.similarity_mode': 'preconditioned_cosine',
      'training.doc_batch_size': 16,
      'generator.rollout.n': 4,
      'solver.rollout.n': 4,
      'solver.actor.optim.lr': 2e-6,
      'generator.actor.optim.lr': 4e-6,
    });
  });

  it('maps every §10.2 row for the default config', () => {
    const o = referenceOverrides(defaultConfig(), { modelId: 'org/model' });
    expect(o).toMatchObject({
      'training.seed': 42, 'training.max_ans_loop': 100, 'training.max_gen_loop': 100,
      'training.dev_rollout_subsample_size': 0, 'training.gen_invalid_penalty': 0, 'training.save_every_n_steps': 5,
      'training.documents_path': 'documents.json', 'training.dev_dataset_path': 'dev.json',
      'training.generator_reward_components': ['influence_rewards', 'invalid_rewards'],
      'solver.actor.optim.betas': [0.9, 0.999], 'solver.actor.optim.weight_decay': 0.01, 'solver.actor.grad_clip': 1,
      'generator.actor.clip_ratio_low': 0.2, 'generator.actor.clip_ratio_high': 0.2, 'generator.actor.clip_ratio_c': 3,
      'generator.actor.ppo_mini_batch_size': 4, 'solver.actor.ppo_mini_batch_size': 4, 'solver.actor.ppo_epochs': 1,
      'solver.actor.use_kl_loss': false, 'algorithm.use_kl_in_reward': false, 'generator.actor.entropy_coeff': 0,
      'solver.actor.loss_agg_mode': 'token-mean', 'algorithm.use_global_batch_norm': true,
      'solver.rollout.temperature': 0.7, 'solver.rollout.top_p': 1, 'solver.rollout.top_k': -1,
      'solver.rollout.prompt_length': 1024, 'solver.rollout.response_length': 512, 'generator.rollout.response_length': 768,
      'influence.use_momentum': false, 'influence.momentum_beta': 0.9,
      'algorithm.rollout_correction.rollout_is': 'token', 'algorithm.rollout_correction.rollout_is_threshold': 2,
      'generator.model.path': 'org/model', 'solver.model.path': 'org/model',
    });
    expect(o).not.toHaveProperty('training.fix_generator');
  });

  it('a KL penalty maps onto verl\'s use_kl_loss, kl_loss_coef and low_var_kl, per role', () => {
    const o = referenceOverrides(buildConfig({ overrides: { 'solver.actor.kl_loss_coef': 0.05 } }), { modelId: 'm' });
    expect(o).toMatchObject({
      'solver.actor.use_kl_loss': true, 'solver.actor.kl_loss_coef': 0.05, 'solver.actor.kl_loss_type': 'low_var_kl',
      'generator.actor.use_kl_loss': false, 'generator.actor.kl_loss_coef': 0,
    });
  });

  it('reward modes follow §7', () => {
    const fixed = referenceOverrides(buildConfig({ overrides: { 'training.reward_mode': 'fixed' } }), { modelId: 'm' });
    expect(fixed).toMatchObject({ 'training.fix_generator': true, 'training.skip_dev_rollout': true,
      'training.generator_reward_components': ['invalid_rewards'], 'algorithm.generator_normalization_mode': 'none' });
    const spice = referenceOverrides(buildConfig({ overrides: { 'training.reward_mode': 'spice' } }), { modelId: 'm' });
    expect(spice).toMatchObject({ 'training.generator_reward_components': ['spice_rewards', 'invalid_rewards'],
      'spice.target_variance': 0.25, 'spice.variance_scale': 0.02 });
    const devOnly = referenceOverrides(buildConfig({ overrides: { 'training.reward_mode': 'dev_only' } }), { modelId: 'm' });
    expect(devOnly['training.dev_only']).toBe(true);
    const rzero = buildConfig({ overrides: { 'training.reward_mode': 'rzero' } });
    expect(referenceOverrides(rzero, { modelId: 'm' })).not.toHaveProperty('training.generator_reward_components');
    expect(unmappedSettings(rzero).map((u) => u.key)).toContain('training.reward_mode');
  });

  it('the Solver filter maps onto the reference\'s mode names; a top filter outside influence modes is noted', () => {
    expect(referenceOverrides(defaultConfig(), { modelId: 'm' })).toMatchObject({
      'influence.solver_filter_mode': 'none', 'influence.solver_filter_alpha': 1 });
    const top = buildConfig({ overrides: { 'influence.solver_filter_mode': 'top_k', 'influence.solver_filter_k': 2 } });
    expect(referenceOverrides(top, { modelId: 'm' })['influence.solver_filter_mode']).toBe('top_2');
    expect(unmappedSettings(top).map((u) => u.key)).not.toContain('influence.solver_filter_mode');
    const fixedTop = buildConfig({ overrides: { 'training.reward_mode': 'fixed', 'influence.solver_filter_mode': 'top_alpha',
      'influence.solver_filter_alpha': 0.5 } });
    expect(referenceOverrides(fixedTop, { modelId: 'm' })).toMatchObject({
      'influence.solver_filter_mode': 'top_alpha', 'influence.solver_filter_alpha': 0.5 });
    expect(unmappedSettings(fixedTop).map((u) => u.key)).toContain('influence.solver_filter_mode');
  });

  it('scale-out rewrites sizes only', () => {
    const o = referenceOverrides(defaultConfig(), { modelId: 'm', scaleOut: true });
    expect(o).toMatchObject({ 'training.doc_batch_size': 128, 'generator.rollout.n': 8, 'solver.rollout.n': 8,
      'solver.actor.ppo_mini_batch_size': 32, 'generator.rollout.prompt_length': 4096, 'solver.rollout.response_length': 8192,
      'algorithm.generator_normalization_mode': 'hybrid_std', 'influence.similarity_mode': 'preconditioned_cosine',
      'solver.actor.optim.lr': 2e-6 });
  });

  it('run_config.json carries lab_version, seed, lab settings that reload, overrides, unmapped and fidelity', () => {
    const config = buildConfig({ overrides: { 'influence.mode': 'projected', 'influence.projection.option': 'P3', 'training.seed': 9 } });
    const files = exportForReference({ ...exportInput, config, fidelity: { 'influence_proj/spearman': 0.91 } });
    const run = JSON.parse(files['run_config.json']) as Record<string, unknown>;
    expect(Object.keys(run)).toEqual(['lab_version', 'seed', 'lab_settings', 'reference_overrides', 'unmapped', 'fidelity']);
    expect(run.seed).toBe(9);
    expect(configFromJson(JSON.stringify(run.lab_settings))).toEqual(config);
    expect(run.fidelity).toEqual({ option: 'P3', family: config['influence.projection.family'], k: 4096, figures: { 'influence_proj/spearman': 0.91 } });
    const unmapped = run.unmapped as { key: string; note: string }[];
    expect(unmapped.find((u) => u.key === 'influence.mode')?.note).toMatch(/exact preconditioned_cosine/);
    expect(unmapped.map((u) => u.key)).toContain('influence.projection.k');
    expect(Object.keys(files).sort()).toEqual(['dev.json', 'documents.json', 'infuser_lab.yaml', 'run_config.json']);
  });

  it('exact mode exports no fidelity', () => {
    const files = exportForReference({ ...exportInput, config: defaultConfig() });
    expect(JSON.parse(files['run_config.json']).fidelity).toBeNull();
  });

  it('infuser_lab.yaml is a Hydra _global_ package holding the same overrides, nested', () => {
    const files = exportForReference({ ...exportInput, config: defaultConfig() });
    const yaml = files['infuser_lab.yaml'];
    expect(yaml.split('\n')[0]).toBe('# @package _global_');
    const parsed = parse(yaml) as Record<string, Record<string, any>>;
    expect(parsed.generator.actor.optim.lr).toBe(4e-6);
    expect(parsed.solver.actor.optim.betas).toEqual([0.9, 0.999]);
    expect(parsed.algorithm.rollout_correction.rollout_is).toBe('token');
    expect(parsed.training.generator_reward_components).toEqual(['influence_rewards', 'invalid_rewards']);
    const overrides = JSON.parse(files['run_config.json']).reference_overrides as Record<string, unknown>;
    for (const [dotted, value] of Object.entries(overrides)) {
      const leaf = dotted.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], parsed);
      expect(leaf, dotted).toEqual(value);
    }
  });
});
