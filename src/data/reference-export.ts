// §10.2 export for scaling out: the lab's documents, dev pool and RunConfig as files the reference
// (FFishy-git/INFUSER, verl_inf_evolve) reads: documents.json, dev.json, run_config.json and a Hydra
// experiment file. Returns file name → text; the CLI writes a folder, the browser zips it (fflate).
// Dev ground truths are uppercase letters because the reference reads a letter before text (§9.2).

import { stringify } from 'yaml';
import { CONFIG_KEYS, CONFIG_SCHEMA, ppoMiniBatchPrompts, type ConfigKey, type RunConfig } from '../infuser/config.ts';
import { filterNeedsInfluence, referenceFilterMode } from '../infuser/solver-filter.ts';
import { CHOICE_LETTERS, type DevQuestion } from './dev-pool.ts';
import type { Document } from './documents.ts';
import { isPlainObject } from './input-files.ts';

export const EXPORT_FILES = {
  documents: 'documents.json',
  dev: 'dev.json',
  runConfig: 'run_config.json',
  hydra: 'infuser_lab.yaml',
} as const;

export interface ReferenceExportInput {
  config: RunConfig;
  documents: readonly Document[];
  devPool: readonly DevQuestion[];
  labVersion: string;
  /** Written to generator.model.path and solver.model.path; the user may edit it. */
  modelId: string;
  /** The last R5 figures (influence_proj/* metrics) when projected mode ran. */
  fidelity?: Readonly<Record<string, number>> | null;
  /** Rewrite sizes to the reference's (128 × 8 × 8, 4096/8192 tokens), keeping every algorithm choice. */
  scaleOut?: boolean;
}

/** A lab setting (or export decision) the reference has no key for, with what that means. */
export interface UnmappedSetting { key: string; value: unknown; note: string }

const ROLES = ['generator', 'solver'] as const;
const SCALE_OUT = { docBatch: 128, n: 8, miniBatch: 32, promptLength: 4096, responseLength: 8192, devQuestions: 800 };

/** Builds every export file. */
export function exportForReference(input: ReferenceExportInput): Record<string, string> {
  const options = { modelId: input.modelId, scaleOut: input.scaleOut ?? false };
  const overrides = referenceOverrides(input.config, options);
  const c = input.config;
  const isProjected = c['influence.mode'] === 'projected';
  const runConfig = {
    lab_version: input.labVersion,
    seed: c['training.seed'],
    lab_settings: Object.fromEntries(CONFIG_KEYS.map((k) => [k, c[k]])),
    reference_overrides: overrides,
    unmapped: unmappedSettings(c, options),
    fidelity: isProjected
      ? { option: c['influence.projection.option'], family: c['influence.projection.family'], k: c['influence.projection.k'], figures: input.fidelity ?? null }
      : null,
  };
  return {
    [EXPORT_FILES.documents]: documentsToReferenceJson(input.documents),
    [EXPORT_FILES.dev]: devPoolToReferenceJson(input.devPool),
    [EXPORT_FILES.runConfig]: `${JSON.stringify(runConfig, null, 2)}\n`,
    [EXPORT_FILES.hydra]: hydraExperimentYaml(overrides, input.labVersion),
  };
}

/** `[{doc_id, content, source_pdf?, …kept keys}]`; `content` is the key the reference reads first. */
export function documentsToReferenceJson(documents: readonly Document[]): string {
  const rows = documents.map((d) => ({
    doc_id: d.doc_id,
    content: d.content,
    ...(d.source_pdf === undefined ? {} : { source_pdf: d.source_pdf }),
    ...omit(d.extra, ['doc_id', 'content', ...(d.source_pdf === undefined ? [] : ['source_pdf'])]),
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** `[{question_id, question_text, choices, ground_truth: LETTER, ground_truth_text, benchmark_type: "qa_mcq", …}]`. */
export function devPoolToReferenceJson(questions: readonly DevQuestion[]): string {
  const rows = questions.map((q) => {
    if (!Number.isInteger(q.correct_index) || q.correct_index < 0 || q.correct_index >= q.choices.length
      || q.choices.length > CHOICE_LETTERS.length) {
      throw new Error(`Dev question "${q.question_id}": correct_index ${q.correct_index} does not name one of its `
        + `${q.choices.length} choices (at most ${CHOICE_LETTERS.length})`);
    }
    return {
      question_id: q.question_id,
      question_text: q.question_text,
      choices: [...q.choices],
      ground_truth: CHOICE_LETTERS[q.correct_index],
      ground_truth_text: q.choices[q.correct_index],
      benchmark_type: 'qa_mcq',
      ...omit(q.extra, ['question_id', 'question_text', 'choices', 'ground_truth', 'ground_truth_text', 'benchmark_type']),
    };
  });
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** Dotted reference keys → values, following the §10.2 table row by row. */
export function referenceOverrides(config: RunConfig, options: { modelId: string; scaleOut?: boolean }): Record<string, unknown> {
  const c = config;
  const big = options.scaleOut === true;
  const o: Record<string, unknown> = {
    'training.seed': c['training.seed'],
    'training.max_ans_loop': c['training.iterations'],
    'training.max_gen_loop': c['training.iterations'],
    'training.doc_batch_size': big ? SCALE_OUT.docBatch : c['training.doc_batch_size'],
    'training.dev_rollout_subsample_size': big ? 0 : c['training.dev_rollout_subsample_size'],
    'training.gen_invalid_penalty': c['training.gen_invalid_penalty'],
    'training.save_every_n_steps': c['training.save_every_n_steps'],
    'training.documents_path': EXPORT_FILES.documents,
    'training.dev_dataset_path': EXPORT_FILES.dev,
    'algorithm.solver_normalization_mode': c['algorithm.solver_normalization_mode'],
    'algorithm.generator_normalization_mode': c['algorithm.generator_normalization_mode'],
    'algorithm.use_kl_in_reward': false,
    'algorithm.use_global_batch_norm': true,
    // The reference samples with a separate engine, so token TIS stays on there (§9.3).
    'algorithm.rollout_correction.rollout_is': 'token',
    'algorithm.rollout_correction.rollout_is_threshold': 2.0,
    // Projected mode has no reference counterpart; its underlying similarity is exported (note in `unmapped`).
    'influence.similarity_mode': c['influence.similarity_mode'],
    'influence.use_momentum': c['influence.use_momentum'],
    'influence.momentum_beta': c['influence.momentum_beta'],
    'influence.solver_filter_mode': referenceFilterMode(c['influence.solver_filter_mode'], c['influence.solver_filter_k']),
    'influence.solver_filter_alpha': c['influence.solver_filter_alpha'],
  };
  for (const role of ROLES) Object.assign(o, roleOverrides(c, role, options.modelId, big));
  Object.assign(o, rewardModeOverrides(c));
  return o;
}

function roleOverrides(c: RunConfig, role: (typeof ROLES)[number], modelId: string, big: boolean): Record<string, unknown> {
  const key = <K extends ConfigKey>(suffix: string): K => `${role}.${suffix}` as K;
  return {
    [`${role}.model.path`]: modelId,
    [`${role}.rollout.n`]: big ? SCALE_OUT.n : c[key('rollout.n')],
    [`${role}.rollout.temperature`]: c[key('rollout.temperature')],
    [`${role}.rollout.top_p`]: c[key('rollout.top_p')],
    [`${role}.rollout.top_k`]: -1,
    [`${role}.rollout.prompt_length`]: big ? SCALE_OUT.promptLength : c[key('rollout.prompt_length')],
    [`${role}.rollout.response_length`]: big ? SCALE_OUT.responseLength : c[key('rollout.response_length')],
    [`${role}.actor.optim.lr`]: c[key('actor.optim.lr')],
    [`${role}.actor.optim.betas`]: [...(c[key('actor.optim.betas')] as readonly number[])],
    [`${role}.actor.optim.weight_decay`]: c[key('actor.optim.weight_decay')],
    [`${role}.actor.grad_clip`]: c[key('actor.grad_clip')],
    [`${role}.actor.clip_ratio_low`]: c[key('actor.clip_ratio_low')],
    [`${role}.actor.clip_ratio_high`]: c[key('actor.clip_ratio_high')],
    [`${role}.actor.clip_ratio_c`]: c[key('actor.clip_ratio_c')],
    [`${role}.actor.ppo_mini_batch_size`]: big ? SCALE_OUT.miniBatch : ppoMiniBatchPrompts(c),
    [`${role}.actor.ppo_epochs`]: 1,
    [`${role}.actor.use_kl_loss`]: (c[key('actor.kl_loss_coef')] as number) > 0,
    [`${role}.actor.kl_loss_coef`]: c[key('actor.kl_loss_coef')],
    [`${role}.actor.kl_loss_type`]: 'low_var_kl',
    [`${role}.actor.entropy_coeff`]: 0,
    [`${role}.actor.loss_agg_mode`]: 'token-mean',
  };
}

/** §7 / §10.2 reward-mode rows; R-Zero has no reference counterpart (see `unmapped`). */
function rewardModeOverrides(c: RunConfig): Record<string, unknown> {
  switch (c['training.reward_mode']) {
    case 'infuser':
      return { 'training.generator_reward_components': ['influence_rewards', 'invalid_rewards'] };
    case 'spice':
      return {
        'training.generator_reward_components': ['spice_rewards', 'invalid_rewards'],
        'spice.target_variance': c['spice.target_variance'],
        'spice.variance_scale': c['spice.variance_scale'],
      };
    case 'fixed':
      return {
        'training.fix_generator': true,
        'training.skip_dev_rollout': true,
        'training.generator_reward_components': ['invalid_rewards'],
        'algorithm.generator_normalization_mode': 'none',
      };
    case 'dev_only':
      return { 'training.dev_only': true };
    case 'rzero':
      return {};
  }
}

/** Lab settings with no reference key, each with what the reference does instead. */
export function unmappedSettings(config: RunConfig, options: { scaleOut?: boolean } = {}): UnmappedSetting[] {
  const c = config;
  const out: UnmappedSetting[] = [];
  const add = (key: string, note: string): void => { out.push({ key, value: (c as Record<string, unknown>)[key] ?? null, note }); };
  add('data.dev_pool_size', `dev.json holds the lab's dev questions; the reference uses every question in the file (paper: ${SCALE_OUT.devQuestions})`);
  add('data.chunk_tokens', 'documents.json holds the lab\'s chunks; the reference reads documents as given');
  add('generator.prompt_template', c['generator.prompt_template'] === 'reference'
    ? 'the reference always uses this prompt (MCQ_QUESTION_GENERATION_PROMPT)'
    : 'the compact template has no reference counterpart; the reference uses its eight-step prompt');
  for (const role of ROLES) {
    add(`${role}.actor.optim.eps`, 'no reference key; torch AdamW uses eps = 1e-8');
  }
  add('validation.reject_duplicate_choices', c['validation.reject_duplicate_choices']
    ? 'the reference accepts questions with duplicate choices (§9.6)' : 'matches the reference (duplicates accepted)');
  if (c['training.reward_mode'] === 'rzero') {
    add('training.reward_mode', 'R-Zero-style difficulty reward (19) is lab-only; the reference has no such component');
    add('rzero.p_hat', 'R-Zero p̂ reading (lab-only)');
  }
  if (c['influence.solver_filter_alpha_of'] === 'non_degenerate') {
    add('influence.solver_filter_alpha_of', 'lab-only: the reference\'s α counts every valid question, degenerate ones included');
  }
  if (c['influence.degenerate_reward'] === 'below_live') {
    add('influence.degenerate_reward', 'lab-only: the reference rewards degenerate questions 0 and invalid rows gen_invalid_penalty (§6.6)');
  }
  if (filterNeedsInfluence(c['influence.solver_filter_mode']) && c['training.reward_mode'] !== 'infuser') {
    add('influence.solver_filter_mode', 'the lab ranks Solver data by influence in every reward mode; the reference ranks by '
      + 'the influence reward, which only influence modes compute, so elsewhere its top filter keeps questions in id order');
  }
  add('influence.mode', c['influence.mode'] === 'projected'
    ? `projected scores are lab-only; the reference computes exact ${c['influence.similarity_mode']} scores`
    : 'exact scores, as in the reference');
  if (c['influence.mode'] === 'projected') {
    for (const key of ['option', 'family', 'k', 'redraw', 'calibrate_every', 'spearman_warn']) {
      add(`influence.projection.${key}`, 'projected mode only (§9.4); no reference counterpart');
    }
  }
  if (options.scaleOut === true) {
    const lrs = ROLES.map((r) => c[`${r}.actor.optim.lr`]);
    const paper = ROLES.map((r) => CONFIG_SCHEMA[`${r}.actor.optim.lr`].default);
    out.push({ key: 'scale_out_preset', value: true, note: 'sizes rewritten to the reference\'s: 128 × 8 × 8, '
      + '4096/8192 tokens, mini-batch 32; all dev questions in dev.json are used each iteration'
      + (lrs.every((lr, i) => lr === paper[i]) ? '' : `; learning rates kept from the lab (${lrs.join(', ')}), `
        + `the paper uses ${paper.join(', ')}`) });
  }
  return out;
}

/** The overrides as a Hydra experiment file for the reference's `verl_inf_evolve/config/experiment_*` folders. */
export function hydraExperimentYaml(overrides: Record<string, unknown>, labVersion: string): string {
  const nested: Record<string, unknown> = {};
  for (const [dotted, value] of Object.entries(overrides)) {
    const parts = dotted.split('.');
    let node = nested;
    for (const part of parts.slice(0, -1)) {
      const child = node[part] ?? (node[part] = {});
      if (!isPlainObject(child)) throw new Error(`Reference key "${dotted}" collides with the value at "${part}"`);
      node = child;
    }
    node[parts[parts.length - 1]] = value;
  }
  const header = [
    '# @package _global_',
    `# Exported by INFUSER Lab ${labVersion}. Place in verl_inf_evolve/config/experiment_<family>/ and run`,
    '#   python -m verl_inf_evolve.main experiment_<family>=infuser_lab',
    '# Edit generator.model.path / solver.model.path and the data paths for your cluster.',
  ];
  return `${header.join('\n')}\n\n${stringify(nested)}`;
}

function omit(record: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value;
  return out;
}
