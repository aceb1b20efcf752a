// What a run writes, one record type per file of a run folder (CLI) or per store (browser):
// config.json (RunConfig), metrics.jsonl (MetricRecord per iteration), questions.jsonl
// (QuestionRow per generated question). The UI reads exactly these, so an exported run re-imported
// shows the same charts.
import type { RejectReason } from './rewards.ts';

/** One iteration's metrics: the spec §8 names verbatim (`dev_rollout/accuracy_strict`, ...). */
export type MetricRecord = Record<string, number>;

export interface QuestionRow {
  iteration: number;
  slot: number;
  row: number;
  doc_id: string;
  /** Topic / question-type labels when the document pool carries them (built-in world), else null. */
  topic: string | null;
  question_type: string | null;
  question_id: string | null;
  question: string | null;
  choices: string[] | null;
  /** Correct letter after shuffling (A, B, ...), null for invalid rows. */
  answer: string | null;
  valid: boolean;
  /** Null when valid, else the reject reason (spec §3.3). */
  rejection: RejectReason | null;
  /** Share of the n_S solver answers that were correct (null → wrong); null for invalid rows. */
  solver_accuracy: number | null;
  /** All n_S answers agree (zero-variance group). */
  degenerate: boolean | null;
  /** Influence score s_q (null for invalid/degenerate rows or reward modes that do not compute it). */
  influence: number | null;
  /** Per-layer contributions to the score's numerator ⟨γ_q, u⟩ (layers 0..L-1, then "embed"/"head"). */
  layer_scores: number[] | null;
  reward: number;
  /** Generator advantage of this row (0 when its slot was dropped). */
  advantage: number;
  /**
   * The Solver trained on this question's answers in Stage 6 (false for invalid, degenerate and
   * filtered-out rows; absent in runs saved before the Solver filter existed).
   */
  solver_trained?: boolean;
  /** The raw generator response (untrusted text: render as text only). */
  response: string;
}

/** Progress of the running iteration, for progress bars with counts and time left. */
export interface StageProgress {
  iteration: number;
  stage: StageName;
  done: number;
  total: number;
}

export const STAGES = [
  'dev_rollout',
  'gen_rollout',
  'answer_rollout',
  'influence',
  'gen_update',
  'solver_update',
  'checkpoint',
] as const;
export type StageName = (typeof STAGES)[number];

/** Names of the layer heatmap's rows, matching QuestionRow.layer_scores. */
export function layerNames(numLayers: number): string[] {
  return [...Array.from({ length: numLayers }, (_, i) => `layer ${i}`), 'embed', 'head'];
}
