// Metric keys of spec §8, declared once (the spec's strings verbatim), and the pure statistics behind
// them: distribution stats, accuracy strict/lenient, pass@k (21) and the diverse-question share.
// Producers (iteration.ts, influence.ts, the update loops) and the charts import the keys from here, so
// grepping a key finds both ends. Definitions follow the reference's `trainer/rollout_metrics.py` and
// `utils/metric_utils.py: add_distribution_stats`, computed in float64.

import type { AnswerScore } from './answer-extraction.ts';
import { isDegenerate } from './rewards.ts';

/** A flat metric record: key → value. */
export type MetricRecord = Record<string, number>;

/** Keys every record carries. */
export const TRAIN = {
  ansLoop: 'train/ans_loop',
  genStep: 'train/gen_step',
  solverNumTrainingSamples: 'train/solver_num_training_samples',
} as const;

/** Prefixes of the three answer rollouts that share one metric family. */
export const ANSWER_ROLLOUT_PREFIXES = {
  dev: 'dev_rollout',
  generated: 'gen_answer_rollout',
  eval: 'eval',
} as const;

export type AnswerRolloutPrefix = (typeof ANSWER_ROLLOUT_PREFIXES)[keyof typeof ANSWER_ROLLOUT_PREFIXES];

/** Suffixes of the answer-rollout family: `{prefix}/{suffix}`. */
export const ANSWER_ROLLOUT = {
  accuracyStrict: 'accuracy_strict',
  accuracyLenient: 'accuracy_lenient',
  numQuestions: 'num_questions',
  numGeneratedAnswers: 'num_generated_answers',
  numValidAnswers: 'num_valid_answers',
  numInvalidAnswers: 'num_invalid_answers',
  fracValidAnswers: 'frac_valid_answers',
  fracDiverseQuestions: 'frac_diverse_questions',
  fracRewardZeroStd: 'frac_reward_zero_std',
  responseLengthTokens: 'response_length_tokens', // distribution
} as const;

/** `{prefix}/pass_at_{k}_{strict|lenient}`. */
export function passAtKKey(prefix: AnswerRolloutPrefix, k: number, variant: 'strict' | 'lenient'): string {
  return `${prefix}/pass_at_${k}_${variant}`;
}

/** Stage 2: question validity. */
export const GEN_QUESTION_ROLLOUT = {
  numDocuments: 'gen_question_rollout/num_documents',
  numGeneratedQuestions: 'gen_question_rollout/num_generated_questions',
  numValidQuestions: 'gen_question_rollout/num_valid_questions',
  numInvalidQuestions: 'gen_question_rollout/num_invalid_questions',
  fracValidQuestions: 'gen_question_rollout/frac_valid_questions',
  validQuestionsPerDoc: 'gen_question_rollout/valid_questions_per_doc',
  numFailedParses: 'gen_question_rollout/num_failed_parses',
  numEmptyQuestions: 'gen_question_rollout/num_empty_questions',
  numInvalidGroundTruth: 'gen_question_rollout/num_invalid_ground_truth',
  numDuplicateChoices: 'gen_question_rollout/num_duplicate_choices',
  numPromptTooLong: 'gen_question_rollout/num_prompt_too_long',
  numFailedCheck: 'gen_question_rollout/num_failed_check', // lab extension: IterationContext.checkQuestion
  numDocsSkippedTooLong: 'gen_question_rollout/num_docs_skipped_too_long',
  numChoices: 'gen_question_rollout/num_choices', // distribution
  questionCharLen: 'gen_question_rollout/question_char_len', // distribution
  responseLengthTokens: 'gen_question_rollout/response_length_tokens', // distribution
} as const;

/** Stage 4: influence scores (distributions unless noted). */
export const INFLUENCE_SIM = {
  score: 'influence_sim/score', // distribution + median
  dot: 'influence_sim/dot',
  cosine: 'influence_sim/cosine',
  preconditionedDot: 'influence_sim/preconditioned_dot',
  preconditionedCosine: 'influence_sim/preconditioned_cosine',
  gammaNorm: 'influence_sim/gamma_norm',
  gradNorm: 'influence_sim/grad_norm',
  refNorm: 'influence_sim/ref_norm', // scalar
  reward: 'influence_sim/reward',
  rewardNumValidQuestions: 'influence_sim/reward/num_valid_questions', // scalar
  rewardFracDiverseQuestions: 'influence_sim/reward/frac_diverse_questions', // scalar
} as const;

export const INFLUENCE_DEV = {
  numQuestions: 'influence_dev/num_questions',
  pgLoss: 'influence_dev/pg_loss',
  gradNorm: 'influence_dev/grad_norm',
} as const;

/** Projected mode only (§9.4 R5). */
export const INFLUENCE_PROJ = {
  spearman: 'influence_proj/spearman',
  spearmanWithinDoc: 'influence_proj/spearman_within_doc',
  pearson: 'influence_proj/pearson',
  signAgreement: 'influence_proj/sign_agreement',
  absErrMean: 'influence_proj/abs_err/mean',
  rhoMedian: 'influence_proj/rho/median',
  rhoP99: 'influence_proj/rho/p99',
  rhoMax: 'influence_proj/rho/max',
} as const;

/** Stage 5: slot filter. */
export const GEN_QUANT = {
  groupsKept: 'gen_quant/survival/groups_kept',
  groupsDropped: 'gen_quant/survival/groups_dropped',
  groupsKeepRate: 'gen_quant/survival/groups_keep_rate',
  rowsKept: 'gen_quant/survival/rows_kept',
} as const;

/** Stages 5 and 6: rewards and advantages of the rows trained on (distributions). */
export const GEN_CRITIC = { score: 'gen_critic/score', advantages: 'gen_critic/advantages' } as const;
export const SOLVER_CRITIC = { score: 'solver_critic/score', advantages: 'solver_critic/advantages' } as const;

/** Per optimizer step, then averaged over the iteration's steps. */
export const GEN_ACTOR = {
  pgLoss: 'gen_actor/pg_loss',
  pgClipfrac: 'gen_actor/pg_clipfrac',
  pgClipfracLower: 'gen_actor/pg_clipfrac_lower',
  ppoKl: 'gen_actor/ppo_kl',
  klLoss: 'gen_actor/kl_loss',
  entropy: 'gen_actor/entropy',
  gradNorm: 'gen_actor/grad_norm',
  lr: 'gen_actor/lr',
} as const;

export const SOLVER_ACTOR = {
  pgLoss: 'solver_actor/pg_loss',
  pgClipfrac: 'solver_actor/pg_clipfrac',
  pgClipfracLower: 'solver_actor/pg_clipfrac_lower',
  ppoKl: 'solver_actor/ppo_kl',
  klLoss: 'solver_actor/kl_loss',
  entropy: 'solver_actor/entropy',
  gradNorm: 'solver_actor/grad_norm',
  lr: 'solver_actor/lr',
} as const;

export const GEN_RESPONSE_LENGTH = {
  mean: 'gen_response_length/mean',
  max: 'gen_response_length/max',
  min: 'gen_response_length/min',
  clipRatio: 'gen_response_length/clip_ratio',
} as const;

export const SOLVER_RESPONSE_LENGTH = {
  mean: 'solver_response_length/mean',
  max: 'solver_response_length/max',
  min: 'solver_response_length/min',
  clipRatio: 'solver_response_length/clip_ratio',
} as const;

export const ANS_LOOP = {
  meanReward: 'ans_loop/mean_reward',
  totalQuestionsGenerated: 'ans_loop/total_questions_generated',
  meanGenAccuracy: 'ans_loop/mean_gen_accuracy',
} as const;

export const ROLLOUT_CORR = {
  logpAbsDiffMean: 'rollout_corr/logp_abs_diff/mean',
  logpAbsDiffMax: 'rollout_corr/logp_abs_diff/max',
} as const;

export const TIMING = {
  devRollout: 'timing_s/dev_rollout',
  genRollout: 'timing_s/gen_rollout',
  answerRollout: 'timing_s/answer_rollout',
  influence: 'timing_s/influence',
  genUpdate: 'timing_s/gen_update',
  solverUpdate: 'timing_s/solver_update',
  iteration: 'timing_s/iteration',
} as const;

/** Median of a non-empty list (mean of the two middle values for even length). */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('metrics.ts: median of an empty list');
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * `{name}/mean, std, min, max` (population std), plus `median` if asked. An empty input writes 0 for
 * each and also `{name}/count = 0`.
 */
export function distributionStats(
  name: string,
  values: ArrayLike<number>,
  options: { median?: boolean } = {},
): MetricRecord {
  const out: MetricRecord = {};
  const n = values.length;
  if (n === 0) {
    for (const stat of ['mean', 'std', 'min', 'max']) out[`${name}/${stat}`] = 0;
    if (options.median) out[`${name}/median`] = 0;
    out[`${name}/count`] = 0;
    return out;
  }
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`metrics.ts: ${name}: value ${i} is ${values[i]}`);
    sum += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const mean = sum / n;
  let ssd = 0;
  for (let i = 0; i < n; i++) ssd += (values[i] - mean) ** 2;
  out[`${name}/mean`] = mean;
  out[`${name}/std`] = Math.sqrt(ssd / n);
  out[`${name}/min`] = min;
  out[`${name}/max`] = max;
  if (options.median) out[`${name}/median`] = median(values);
  return out;
}

/** #correct / #answers, pooled over all answers (null = wrong); 0 for no answers. */
export function accuracyStrict(scores: readonly AnswerScore[]): number {
  if (scores.length === 0) return 0;
  return scores.filter((s) => s === 1).length / scores.length;
}

/** #correct / #answers with an extractable letter; 0 if none has one. */
export function accuracyLenient(scores: readonly AnswerScore[]): number {
  const extracted = scores.filter((s) => s !== null).length;
  return extracted === 0 ? 0 : scores.filter((s) => s === 1).length / extracted;
}

/** The k of pass@k: powers of 2 up to n_S, plus n_S. */
export function passAtKValues(nS: number): number[] {
  if (!(Number.isInteger(nS) && nS > 0)) throw new Error(`metrics.ts: n_S must be a positive integer, got ${nS}`);
  const ks = new Set<number>();
  for (let k = 1; k <= nS; k *= 2) ks.add(k);
  ks.add(nS);
  return [...ks].sort((a, b) => a - b);
}

/** Unbiased pass@k (21): 1 − C(n−c, k)/C(n, k); null when n < k (the question is skipped). */
export function passAtK(n: number, c: number, k: number): number | null {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k) && c >= 0 && c <= n && k >= 1)) {
    throw new Error(`metrics.ts: pass@k needs integers 0 ≤ c ≤ n and k ≥ 1, got n=${n}, c=${c}, k=${k}`);
  }
  if (n < k) return null;
  // C(n−c, k)/C(n, k) = Π_{i<k} (n−c−i)/(n−i), which avoids large binomials; it is 0 once n−c < k.
  let ratio = 1;
  for (let i = 0; i < k; i++) ratio *= Math.max(0, n - c - i) / (n - i);
  return 1 - ratio;
}

/** Mean pass@k over the questions with n ≥ k (lenient: n counts non-null answers); 0 if none qualify. */
export function meanPassAtK(
  questions: readonly (readonly AnswerScore[])[],
  k: number,
  variant: 'strict' | 'lenient',
): number {
  let sum = 0;
  let count = 0;
  for (const scores of questions) {
    const n = variant === 'strict' ? scores.length : scores.filter((s) => s !== null).length;
    const value = passAtK(n, scores.filter((s) => s === 1).length, k);
    if (value === null) continue;
    sum += value;
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

/** Share of non-degenerate questions (scores not all equal after null → 0); 0 for no questions. */
export function fracDiverseQuestions(questions: readonly (readonly AnswerScore[])[]): number {
  if (questions.length === 0) return 0;
  return questions.filter((q) => !isDegenerate(q)).length / questions.length;
}

/** The whole answer-rollout family for one prefix (lengths in tokens, one per answer). */
export function answerRolloutMetrics(
  prefix: AnswerRolloutPrefix,
  questions: readonly (readonly AnswerScore[])[],
  nS: number,
  responseLengthsTokens: ArrayLike<number>,
): MetricRecord {
  const all = questions.flat();
  const valid = all.filter((s) => s !== null).length;
  const diverse = fracDiverseQuestions(questions);
  const key = (suffix: string) => `${prefix}/${suffix}`;
  const out: MetricRecord = {
    [key(ANSWER_ROLLOUT.accuracyStrict)]: accuracyStrict(all),
    [key(ANSWER_ROLLOUT.accuracyLenient)]: accuracyLenient(all),
    [key(ANSWER_ROLLOUT.numQuestions)]: questions.length,
    [key(ANSWER_ROLLOUT.numGeneratedAnswers)]: all.length,
    [key(ANSWER_ROLLOUT.numValidAnswers)]: valid,
    [key(ANSWER_ROLLOUT.numInvalidAnswers)]: all.length - valid,
    [key(ANSWER_ROLLOUT.fracValidAnswers)]: all.length === 0 ? 0 : valid / all.length,
    [key(ANSWER_ROLLOUT.fracDiverseQuestions)]: diverse,
    [key(ANSWER_ROLLOUT.fracRewardZeroStd)]: questions.length === 0 ? 0 : 1 - diverse,
  };
  for (const k of passAtKValues(nS)) {
    out[passAtKKey(prefix, k, 'strict')] = meanPassAtK(questions, k, 'strict');
    out[passAtKKey(prefix, k, 'lenient')] = meanPassAtK(questions, k, 'lenient');
  }
  return { ...out, ...distributionStats(key(ANSWER_ROLLOUT.responseLengthTokens), responseLengthsTokens) };
}
