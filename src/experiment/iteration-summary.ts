// One experiment row: what the reproduction tracks of one iteration of one (method, seed) run, read from
// the iteration's metric record (spec §8 names) and its question rows. Validity and generated-question
// accuracy are null where the method generates nothing (base) or nothing valid was generated.
import type { MetricRecord, QuestionRow } from '../infuser/run-records.ts';
import type { Method } from './methods.ts';

export const TARGET_METRIC = 'dev_rollout/accuracy_strict';
export const VALIDITY_METRIC = 'gen_question_rollout/frac_valid_questions';
export const GEN_ACCURACY_METRIC = 'gen_answer_rollout/accuracy_strict';
const NUM_VALID_METRIC = 'gen_question_rollout/num_valid_questions';

/** Label of a question kind: "topic/question_type", with "?" for a missing label. */
export function kindOf(topic: string | null, questionType: string | null): string {
  return `${topic ?? '?'}/${questionType ?? '?'}`;
}

export interface IterationSummary {
  method: Method;
  seed: number;
  iteration: number;
  /** Target (dev) accuracy, `dev_rollout/accuracy_strict`. */
  target_accuracy: number;
  /** `gen_question_rollout/frac_valid_questions`; null for base. */
  frac_valid_questions: number | null;
  /** `gen_answer_rollout/accuracy_strict`; null for base or when no question was valid. */
  gen_accuracy: number | null;
  /** Valid generated questions per kind "topic/question_type" (the document's labels). */
  kind_counts: Record<string, number>;
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
  for (const q of questions) {
    if (!q.valid) continue;
    const kind = kindOf(q.topic, q.question_type);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  const numValid = metric(metrics, NUM_VALID_METRIC);
  return {
    method,
    seed,
    iteration: metric(metrics, 'train/ans_loop'),
    target_accuracy: metric(metrics, TARGET_METRIC),
    frac_valid_questions: metric(metrics, VALIDITY_METRIC),
    gen_accuracy: numValid > 0 ? metric(metrics, GEN_ACCURACY_METRIC) : null,
    kind_counts: kinds,
    seconds: metrics['timing_s/iteration'] ?? 0,
  };
}

/** Summary of one base evaluation: target accuracy only. */
export function baseSummary(seed: number, iteration: number, targetAccuracy: number, seconds: number): IterationSummary {
  return {
    method: 'base', seed, iteration, target_accuracy: targetAccuracy, frac_valid_questions: null, gen_accuracy: null, kind_counts: {}, seconds,
  };
}
