// One experiment row: what the reproduction tracks of one iteration of one (method, seed) run, read from
// the iteration's metric record (spec §8 names) and its question rows. Validity and generated-question
// accuracy are null where the method generates nothing (base) or nothing valid was generated.
import { extractQuestionObject, normalizeStringField } from '../infuser/question-parser.ts';
import type { MetricRecord, QuestionRow } from '../infuser/run-records.ts';
import { checkLabel, questionKind, type LabelVerdict } from '../world/question-check.ts';
import { generates, type Method } from './methods.ts';

export const TARGET_METRIC = 'dev_rollout/accuracy_strict';
export const VALIDITY_METRIC = 'gen_question_rollout/frac_valid_questions';
export const GEN_ACCURACY_METRIC = 'gen_answer_rollout/accuracy_strict';
const NUM_VALID_METRIC = 'gen_question_rollout/num_valid_questions';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Label of a question kind: "topic/question_type", with "?" for a missing label. */
export function kindOf(topic: string | null, questionType: string | null): string {
  return `${topic ?? '?'}/${questionType ?? '?'}`;
}

/**
 * A question row's kind: its document's labels, except for a mixed world's document (question_type
 * 'mixed'), whose questions may be of several types: there the kind the question's text asks
 * (question-check.ts), or "topic/?" when the text is no world form.
 */
export function rowKind(q: Pick<QuestionRow, 'topic' | 'question_type' | 'question'>): string {
  if (q.question_type !== 'mixed') return kindOf(q.topic, q.question_type);
  const kind = questionKind(q.question ?? '');
  return kind === null ? kindOf(q.topic, null) : kindOf(...kind);
}

/**
 * The kind of question a row's Generator reply attempted, valid or not: rowKind, except that a rejected
 * reply on a mixed world's document is read for the question_text it wrote (a reply rejected for
 * duplicate choices or a wrong label still names its question), so validity per kind means something
 * there. "topic/?" when the reply names no question or one of no world form.
 */
export function attemptKind(q: Pick<QuestionRow, 'topic' | 'question_type' | 'question' | 'response'>): string {
  if (q.question !== null || q.question_type !== 'mixed') return rowKind(q);
  const obj = extractQuestionObject(q.response);
  return rowKind({ ...q, question: obj === null ? null : normalizeStringField(obj.question_text, true) });
}

export interface IterationSummary {
  method: Method;
  seed: number;
  iteration: number;
  /** Target (dev) accuracy, `dev_rollout/accuracy_strict`. */
  target_accuracy: number;
  /** `gen_question_rollout/frac_valid_questions`; null where nothing is generated (base, dev_only). */
  frac_valid_questions: number | null;
  /** `gen_answer_rollout/accuracy_strict`; null for base or when no question was valid. */
  gen_accuracy: number | null;
  /** Valid generated questions per kind "topic/question_type" (rowKind). */
  kind_counts: Record<string, number>;
  /** Valid generated questions by the world's label check (question-check.ts) of their golden answer. */
  label_counts: Partial<Record<LabelVerdict, number>>;
  seconds: number;
}

function metric(metrics: MetricRecord, name: string): number {
  const v = metrics[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`iteration metrics: "${name}" is missing or not finite (${String(v)})`);
  return v;
}

/** Summary of a trained method's iteration from runIteration's output. */
export function summarizeIteration(method: Method, seed: number, metrics: MetricRecord, questions: readonly QuestionRow[]): IterationSummary {
  const kinds: Record<string, number> = {};
  const labels: Partial<Record<LabelVerdict, number>> = {};
  for (const q of questions) {
    if (!q.valid) continue;
    const kind = rowKind(q);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const verdict = labelVerdictOf(q);
    labels[verdict] = (labels[verdict] ?? 0) + 1;
  }
  const numValid = generates(method) ? metric(metrics, NUM_VALID_METRIC) : 0;
  return {
    method,
    seed,
    iteration: metric(metrics, 'train/ans_loop'),
    target_accuracy: metric(metrics, TARGET_METRIC),
    frac_valid_questions: generates(method) ? metric(metrics, VALIDITY_METRIC) : null,
    gen_accuracy: numValid > 0 ? metric(metrics, GEN_ACCURACY_METRIC) : null,
    kind_counts: kinds,
    label_counts: labels,
    seconds: metrics['timing_s/iteration'] ?? 0,
  };
}

/** Summary of one base evaluation: target accuracy only. */
export function baseSummary(seed: number, iteration: number, targetAccuracy: number, seconds: number): IterationSummary {
  return {
    method: 'base', seed, iteration, target_accuracy: targetAccuracy, frac_valid_questions: null, gen_accuracy: null, kind_counts: {}, label_counts: {},
    seconds,
  };
}

/** Answers scored and the share right, overall and per kind "topic/question_type". */
export interface HeldoutTally {
  total: number;
  accuracy: number;
  by_kind: Record<string, { correct: number; total: number }>;
  /** Per held-out question, in file order, each answer's prediction (a letter, other boxed text, or null); absent in runs before 2026-12-07. */
  predictions?: (string | null)[][];
}

/**
 * The Solver after the run's last update on dev questions it never saw in the run (the ones after the
 * pool). Stage 1 measures iteration k before its update, so this is also the only measurement of the
 * final update. Sampled: `solver.rollout.n` answers at the rollout temperature with keys
 * [iterations, 'heldout', i], shared by every method of a seed. Greedy: one temperature-0 answer, which
 * depends on the weights alone, so a paired difference between two methods is no sampling noise at all.
 */
export interface HeldoutSummary extends HeldoutTally {
  method: Method;
  seed: number;
  greedy: HeldoutTally;
}

/** The world's label check of a valid question row's golden answer. */
export function labelVerdictOf(q: Pick<QuestionRow, 'question' | 'choices' | 'answer'>): LabelVerdict {
  return checkLabel(q.question ?? '', q.choices?.[LETTERS.indexOf(q.answer ?? '')] ?? '').verdict;
}

/** Share of checked-right labels among a summary's valid questions; null when none was valid. */
export function rightLabelShare(counts: Partial<Record<LabelVerdict, number>> | undefined): number | null {
  const total = Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
  return total === 0 ? null : (counts!.right ?? 0) / total;
}
