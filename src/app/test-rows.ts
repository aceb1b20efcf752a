// Hand-made QuestionRow and RunEntry values for the app's unit tests.
import { defaultConfig } from '../infuser/config.ts';
import type { MetricRecord, QuestionRow } from '../infuser/run-records.ts';
import type { RunEntry } from './stores/runs.ts';

/** A valid scored question unless fields say otherwise. */
export function row(fields: Partial<QuestionRow> & Pick<QuestionRow, 'iteration' | 'slot' | 'row' | 'doc_id'>): QuestionRow {
  return {
    topic: null, question_type: null, question_id: `q${fields.iteration}.${fields.slot}.${fields.row}`,
    question: 'Which?', choices: ['a', 'b'], answer: 'A', valid: true, rejection: null, solver_accuracy: 0.5,
    degenerate: false, influence: 0, layer_scores: null, reward: 0, advantage: 0, response: '{}',
    ...fields,
  };
}

export function runEntry(id: string, metrics: MetricRecord[], questions: QuestionRow[]): RunEntry {
  return { id, name: id, source: 'imported', config: defaultConfig(), metrics, questions, status: 'finished', createdMs: 0 };
}
