// Rewards of both roles: the Solver's binary reward (§3.7 (1)) and the Generator's reward per row
// (§6.6 (2)) under the INFUSER, R-Zero (§7 (19)) and SPICE (§7 (20)) modes. Called by Stage 4 and
// Stage 6 (iteration.ts); influence scores s_q come in from influence.ts, keyed by question id.
// Invariant: every row gets exactly one finite reward; a valid row whose question has no entry is an error.

import type { AnswerScore } from './answer-extraction.ts';
import type { ParseRejectReason } from './question-parser.ts';

/** Every reject reason of §3.3: the parser's four plus Stage 3's `prompt_too_long`. */
/**
 * `failed_check` (lab extension): a question the caller's own check refused (the experiment's world
 * label check); never produced without one.
 */
export type RejectReason = ParseRejectReason | 'prompt_too_long' | 'failed_check';

// A Record over the union, so the compiler insists on every reason and no other.
const REJECT_REASON_TABLE: Record<RejectReason, true> = {
  failed_parse: true,
  empty_question: true,
  invalid_ground_truth: true,
  duplicate_choices: true,
  prompt_too_long: true,
  failed_check: true,
};

/** Reject reasons of §3.3, in the order they are tested. */
export const REJECT_REASONS = Object.keys(REJECT_REASON_TABLE) as readonly RejectReason[];

/** A Generator row as the reward sees it: a valid question, or the reason it was rejected. */
export type GeneratorRowStatus = { status: 'valid'; questionId: string } | { status: RejectReason };

/** `training.gen_invalid_penalty` default (§6.6). */
export const DEFAULT_INVALID_PENALTY = 0.0;

/** Solver reward (1): 1 only for a correct answer; wrong and null both give 0. */
export function solverReward(score: AnswerScore): number {
  return score === 1 ? 1 : 0;
}

/** Solver rewards (1) for a list of answers. */
export function solverRewards(scores: readonly AnswerScore[]): Float64Array {
  return Float64Array.from(scores, solverReward);
}

/** A question is degenerate when its n_S scores (null → 0) are all equal: no GRPO signal. */
export function isDegenerate(scores: readonly AnswerScore[]): boolean {
  for (let i = 1; i < scores.length; i++) {
    if (solverReward(scores[i]) !== solverReward(scores[0])) return false;
  }
  return true;
}

/**
 * INFUSER rewards per valid question (F-R2): scored (non-degenerate) questions get their s_q,
 * every other valid question gets 0.0 (or `degenerateReward`, the lab's `below_live` floor).
 */
export function influenceRewardsByQuestion(
  scoredIds: readonly string[],
  scores: ArrayLike<number>,
  validIds: Iterable<string>,
  degenerateReward = 0.0,
): Map<string, number> {
  if (scoredIds.length !== scores.length) {
    throw new Error(`rewards.ts: ${scoredIds.length} scored question ids but ${scores.length} influence scores`);
  }
  const rewards = new Map<string, number>();
  for (const id of validIds) rewards.set(id, degenerateReward);
  scoredIds.forEach((id, i) => {
    if (!rewards.has(id)) throw new Error(`rewards.ts: scored question "${id}" is not among the valid questions`);
    if (!Number.isFinite(scores[i])) throw new Error(`rewards.ts: influence score of "${id}" is ${scores[i]}`);
    rewards.set(id, scores[i]);
  });
  return rewards;
}

/**
 * Lab departure from F-R2 (`influence.degenerate_reward = below_live`): a reward under every live
 * (scored) question of the iteration, for its degenerate and invalid rows. It is the lowest score less
 * the scores' standard deviation (less |lowest| when they do not spread, or 1 when that is 0 too); 0
 * when nothing was scored. With F-R2's 0, a live question of negative influence ranks below a failed
 * or always-answered one, so writing invalid questions becomes a way to steer (docs/experiment.md,
 * item 30) and a penalty on invalid rows pays for easy lookups instead (item 32).
 */
export function belowLiveFloor(scores: ArrayLike<number>): number {
  const n = scores.length;
  if (n === 0) return 0;
  let min = Infinity;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`rewards.ts: influence score ${i} is ${scores[i]}`);
    min = Math.min(min, scores[i]);
    mean += scores[i] / n;
  }
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (scores[i] - mean) ** 2 / n;
  const gap = Math.sqrt(variance) || Math.abs(min) || 1;
  return min - gap;
}

/** Generator reward per row (2): the question's reward if valid, else the invalid penalty. */
export function generatorRowRewards(
  rows: readonly GeneratorRowStatus[],
  rewardByQuestion: ReadonlyMap<string, number>,
  invalidPenalty: number = DEFAULT_INVALID_PENALTY,
): Float64Array {
  return Float64Array.from(rows, (row, i) => {
    if (row.status !== 'valid') {
      if (!REJECT_REASONS.includes(row.status)) {
        throw new Error(`rewards.ts: row ${i} has unknown status "${row.status as string}"`);
      }
      return invalidPenalty;
    }
    const reward = rewardByQuestion.get(row.questionId);
    if (reward === undefined) {
      throw new Error(`rewards.ts: row ${i} is valid but question "${row.questionId}" has no reward`);
    }
    return reward;
  });
}

/** p̂ against the golden answer: share of the n_S answers scored correct (null = wrong). */
export function goldenPHat(scores: readonly AnswerScore[]): number {
  if (scores.length === 0) throw new Error('rewards.ts: p̂ of a question with no answers');
  let correct = 0;
  for (const s of scores) correct += solverReward(s);
  return correct / scores.length;
}

/** p̂ as in R-Zero: share of the n_S answers that agree with the majority-vote letter (null agrees with none). */
export function majorityPHat(predictions: readonly (string | null)[]): number {
  if (predictions.length === 0) throw new Error('rewards.ts: p̂ of a question with no answers');
  const counts = new Map<string, number>();
  let best = 0;
  for (const p of predictions) {
    if (p === null) continue;
    const c = (counts.get(p) ?? 0) + 1;
    counts.set(p, c);
    best = Math.max(best, c);
  }
  // A tie between letters leaves the majority count, hence p̂, unchanged.
  return best / predictions.length;
}

/** R-Zero difficulty reward (19): 1 − 2·|p̂ − ½|, peaking at p̂ = ½. */
export function rZeroReward(pHat: number): number {
  if (!(pHat >= 0 && pHat <= 1)) throw new Error(`rewards.ts: p̂ must lie in [0, 1], got ${pHat}`);
  return 1 - 2 * Math.abs(pHat - 0.5);
}

/** SPICE constants (`spice.target_variance`, `spice.variance_scale`). */
export interface SpiceOptions {
  targetVariance: number;
  varianceScale: number;
}

export const DEFAULT_SPICE: SpiceOptions = { targetVariance: 0.25, varianceScale: 0.02 };

/** SPICE reward (20): exp(−(var − 0.25)²/0.02), var = population variance of the scores (null → 0). */
export function spiceReward(scores: readonly AnswerScore[], options: SpiceOptions = DEFAULT_SPICE): number {
  // For 0/1 scores the population variance is p̂(1 − p̂).
  const pHat = goldenPHat(scores);
  const variance = pHat * (1 - pHat);
  return Math.exp(-((variance - options.targetVariance) ** 2) / options.varianceScale);
}

/** One answered question, as the baseline reward modes read it. */
export interface AnsweredQuestion {
  questionId: string;
  scores: readonly AnswerScore[]; // (n_S)
  predictions?: readonly (string | null)[]; // (n_S) extracted letters; needed for p̂ = majority
}

export type PHatMode = 'golden' | 'majority';

function pHatOf(q: AnsweredQuestion, mode: PHatMode): number {
  if (mode === 'golden') return goldenPHat(q.scores);
  if (mode !== 'majority') throw new Error(`rewards.ts: unknown pHat mode "${mode as string}"; use golden or majority`);
  if (!q.predictions) throw new Error(`rewards.ts: question "${q.questionId}" needs predictions for pHat: majority`);
  return majorityPHat(q.predictions);
}

/** R-Zero rewards (19) per valid question. */
export function rZeroRewardsByQuestion(
  questions: readonly AnsweredQuestion[],
  pHatMode: PHatMode = 'golden',
): Map<string, number> {
  return new Map(questions.map((q) => [q.questionId, rZeroReward(pHatOf(q, pHatMode))]));
}

/** SPICE rewards (20) per valid question; degenerate questions get 0.0439 with the defaults. */
export function spiceRewardsByQuestion(
  questions: readonly AnsweredQuestion[],
  options: SpiceOptions = DEFAULT_SPICE,
): Map<string, number> {
  return new Map(questions.map((q) => [q.questionId, spiceReward(q.scores, options)]));
}
