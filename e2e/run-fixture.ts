// A plausible small run folder for the UI journeys: 3 iterations × 8 slots × 2 questions over 10
// documents in 3 topics, some rows invalid or degenerate, per-layer scores for a 4-layer model, and one
// question whose text is an HTML injection probe. Values come from a seeded LCG, not from lab code, and
// the metric records are computed here from the rows the way §8 defines them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfig, configToJson } from '../src/infuser/config.ts';
import type { MetricRecord, QuestionRow } from '../src/infuser/run-records.ts';

export const XSS_PROBE = '<img src=x onerror=alert(1)>';
export const DOC_IDS = Array.from({ length: 10 }, (_, i) => `doc-${String.fromCharCode(97 + i)}`);
const TOPICS = ['algebra', 'biology', 'history'];
const TYPES = ['recall', 'inference'];
const LAYERS = 4;

function lcg(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

export interface RunFixture {
  name: string;
  configJson: string;
  metrics: MetricRecord[];
  questions: QuestionRow[];
}

function question(rand: () => number, iteration: number, slot: number, row: number, docIndex: number): QuestionRow {
  const isProbe = iteration === 0 && slot === 1 && row === 0;
  const isValid = isProbe || (!(iteration === 0 && slot === 0 && row === 0) && rand() > 0.2);
  const accuracy = isValid ? Math.floor(rand() * 5) / 4 : null;
  const degenerate = accuracy === null ? null : accuracy === 0 || accuracy === 1;
  const layers = isValid && !degenerate ? Array.from({ length: LAYERS + 2 }, () => (rand() - 0.45) * 0.02) : null;
  const influence = layers === null ? null : layers.reduce((a, b) => a + b, 0);
  const text = isProbe ? XSS_PROBE : `Q${iteration}.${slot}.${row}: which statement about ${TOPICS[docIndex % 3]} item ${docIndex} holds?`;
  return {
    iteration, slot, row,
    doc_id: DOC_IDS[docIndex],
    topic: TOPICS[docIndex % 3],
    question_type: TYPES[(slot + row) % 2],
    question_id: isValid ? `q-${iteration}-${slot}-${row}` : null,
    question: isValid ? text : null,
    choices: isValid ? ['first option', 'second option', 'third option', 'fourth option'] : null,
    answer: isValid ? 'ABCD'[Math.floor(rand() * 4)] : null,
    valid: isValid,
    rejection: isValid ? null : 'failed_parse',
    solver_accuracy: accuracy,
    degenerate,
    influence,
    layer_scores: layers,
    reward: influence ?? 0,
    advantage: influence === null ? 0 : influence * 10,
    response: isValid ? `{"question": ${JSON.stringify(text)}}` : 'I cannot write a question <b>here</b>',
  };
}

const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * A 3-iteration run; `seed` changes the draws so two fixtures differ. `calibrations` makes it a
 * projected-influence run whose exact-vs-projected checks (R5) logged these Spearman values by iteration.
 */
export function makeRunFixture(name: string, seed: number, calibrations?: Record<number, number>): RunFixture {
  const rand = lcg(seed);
  const config = buildConfig({
    overrides: {
      'training.seed': seed, 'training.iterations': 3, 'training.doc_batch_size': 8, 'generator.rollout.n': 2,
      ...(calibrations ? { 'influence.mode': 'projected' as const } : {}),
    },
  });
  const metrics: MetricRecord[] = [];
  const questions: QuestionRow[] = [];
  for (let it = 0; it < 3; it++) {
    const rows: QuestionRow[] = [];
    for (let slot = 0; slot < 8; slot++) {
      const docIndex = (it * 3 + slot) % DOC_IDS.length;
      for (let row = 0; row < 2; row++) rows.push(question(rand, it, slot, row, docIndex));
    }
    const valid = rows.filter((q) => q.valid);
    const scores = rows.flatMap((q) => (q.influence === null ? [] : [q.influence]));
    metrics.push({
      'train/ans_loop': it,
      'train/gen_step': it,
      'dev_rollout/accuracy_strict': 0.3 + 0.1 * it + rand() * 0.05,
      'gen_question_rollout/frac_valid_questions': valid.length / rows.length,
      'gen_answer_rollout/accuracy_strict': mean(valid.map((q) => q.solver_accuracy as number)),
      'influence_sim/score/mean': mean(scores),
      'gen_critic/score/mean': mean(rows.map((q) => q.reward)),
      'solver_critic/score/mean': mean(valid.map((q) => q.solver_accuracy as number)),
      ...(calibrations?.[it] !== undefined ? { 'influence_proj/spearman': calibrations[it] } : {}),
    });
    questions.push(...rows);
  }
  return { name, configJson: configToJson(config), metrics, questions };
}

/** Writes `<dir>/<name>/{config.json, metrics.jsonl, questions.jsonl}`; returns the three paths. */
export function writeRunFolder(dir: string, fixture: RunFixture): string[] {
  const folder = join(dir, fixture.name);
  mkdirSync(folder, { recursive: true });
  const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const files: [string, string][] = [
    ['config.json', fixture.configJson],
    ['metrics.jsonl', jsonl(fixture.metrics)],
    ['questions.jsonl', jsonl(fixture.questions)],
  ];
  return files.map(([file, text]) => {
    writeFileSync(join(folder, file), text);
    return join(folder, file);
  });
}
