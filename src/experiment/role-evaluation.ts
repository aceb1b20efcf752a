// Evaluating a role without training it: the Solver's target accuracy (exactly Stage 1 of
// iteration.ts: same prompts, sampling settings and random keys, so the untrained Solver's value at
// iteration k equals a trained run's iteration-k dev accuracy before any update) and the Generator's
// question validity. Used by the `base` method and by the anchors' starting-point measurement.
import type { Document } from '../data/documents.ts';
import type { DevQuestion } from '../data/dev-pool.ts';
import { extractAnswer, scorePrediction, type AnswerScore } from '../infuser/answer-extraction.ts';
import type { RunConfig } from '../infuser/config.ts';
import { buildGeneratorMessages, buildSolverMessages } from '../infuser/prompts.ts';
import { parseGeneratorResponse } from '../infuser/question-parser.ts';
import type { PolicyRole, Sample } from '../infuser/roles.ts';
import { kindOf, rowKind } from './iteration-summary.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Correct / total pooled over samples, per-kind tallies (extra.topic / question_type) and reply lengths. */
export interface Tally {
  correct: number;
  total: number;
  byKind: Record<string, { correct: number; total: number }>;
  /** Reply lengths in tokens, for choosing response-length limits. */
  lengths: number[];
  /** Replies that hit the token limit. */
  truncated: number;
  /** Generator replies only: how many failed, by reject reason (spec §3.3). */
  rejections: Record<string, number>;
  /** Generator replies only, when a label check was given: per document kind, the valid questions (total) and those whose golden answer it finds right (correct). */
  rightLabels?: Record<string, { correct: number; total: number }>;
  /** Held-out only: per question, in order, what each answer predicted (§3.6 step 4; null = nothing boxed), to see which wrong choice a Solver picks. */
  predictions?: (string | null)[][];
}

function emptyTally(): Tally {
  return { correct: 0, total: 0, byKind: {}, lengths: [], truncated: 0, rejections: {} };
}

function addLengths(t: Tally, samples: readonly Sample[]): void {
  for (const s of samples) {
    t.lengths.push(s.tokens.length);
    if (s.finish === 'length') t.truncated++;
  }
}

function label(extra: Record<string, unknown>, key: string): string | null {
  return typeof extra[key] === 'string' ? (extra[key] as string) : null;
}

function add(t: Tally, kind: string, hits: number, n: number): void {
  t.correct += hits;
  t.total += n;
  const k = (t.byKind[kind] ??= { correct: 0, total: 0 });
  k.correct += hits;
  k.total += n;
}

/** Share correct; 0 for an empty tally. */
export function share(t: { correct: number; total: number }): number {
  return t.total === 0 ? 0 : t.correct / t.total;
}

/**
 * Stage 1 without an update: the Solver answers the first `data.dev_pool_size` dev questions
 * `solver.rollout.n` times each with the keys [iteration, 'dev', i]. Correct = strict (null = wrong).
 */
export function evaluateSolver(solver: PolicyRole, dev: readonly DevQuestion[], config: RunConfig, iteration: number): Promise<Tally> {
  return answerQuestions(solver, dev.slice(0, config['data.dev_pool_size']), config, iteration, 'dev');
}

/**
 * The same for questions outside the pool, with the keys [iteration, 'heldout', i]; `greedy`: one
 * temperature-0 answer per question instead.
 */
export function evaluateHeldout(
  solver: PolicyRole, questions: readonly DevQuestion[], config: RunConfig, iteration: number, greedy = false,
): Promise<Tally> {
  return answerQuestions(solver, questions, config, iteration, 'heldout', greedy);
}

async function answerQuestions(
  solver: PolicyRole, questions: readonly DevQuestion[], config: RunConfig, iteration: number, tag: 'dev' | 'heldout', greedy = false,
): Promise<Tally> {
  const tally = emptyTally();
  if (tag === 'heldout') tally.predictions = [];
  for (let i = 0; i < questions.length; i++) {
    const q = questions[i];
    const promptIds = await solver.encodeChat(buildSolverMessages(q.question_text, q.choices));
    const answers = await solver.sample({
      promptIds, n: greedy ? 1 : config['solver.rollout.n'], stream: 'solver_sample', keys: [iteration, tag, i],
      sampling: {
        temperature: greedy ? 0 : config['solver.rollout.temperature'],
        topP: config['solver.rollout.top_p'],
        maxNewTokens: config['solver.rollout.response_length'],
      },
    });
    const predictions = answers.map((a) => extractAnswer(a.text));
    tally.predictions?.push(predictions);
    const scores: AnswerScore[] = predictions.map((p) => scorePrediction(p, LETTERS[q.correct_index]));
    add(tally, kindOf(label(q.extra, 'topic'), label(q.extra, 'question_type')), scores.filter((s) => s === 1).length, scores.length);
    addLengths(tally, answers);
  }
  return tally;
}

/**
 * The Generator writes `generator.rollout.n` questions for each document (keys [iteration, slot], as in
 * Stage 2); `correct` counts replies that parse and validate (§3.2–3.3). With `labelIsRight` (a world's
 * label check) it also counts the valid questions whose golden answer is right, per question kind (rowKind).
 */
export async function evaluateGenerator(
  generator: PolicyRole, documents: readonly Document[], config: RunConfig, iteration = 0,
  labelIsRight?: (questionText: string, golden: string) => boolean,
): Promise<Tally> {
  const report = emptyTally();
  if (labelIsRight) report.rightLabels = {};
  for (let slot = 0; slot < documents.length; slot++) {
    const doc = documents[slot];
    const promptIds = await generator.encodeChat(buildGeneratorMessages(doc.content, config['generator.prompt_template']));
    const samples = await generator.sample({
      promptIds, n: config['generator.rollout.n'], stream: 'gen_sample', keys: [iteration, slot],
      sampling: {
        temperature: config['generator.rollout.temperature'],
        topP: config['generator.rollout.top_p'],
        maxNewTokens: config['generator.rollout.response_length'],
      },
    });
    const parsed = samples.map((s) => parseGeneratorResponse(s.text, { allowDuplicateChoices: !config['validation.reject_duplicate_choices'] }));
    for (const p of parsed) if (!p.ok) report.rejections[p.reason] = (report.rejections[p.reason] ?? 0) + 1;
    const kind = kindOf(label(doc.extra, 'topic'), label(doc.extra, 'question_type'));
    const valid = parsed.flatMap((p) => (p.ok ? [p] : []));
    add(report, kind, valid.length, samples.length);
    if (labelIsRight && report.rightLabels) {
      // A mixed world's document allows several kinds: a label is tallied under its question's (rowKind).
      for (const p of valid) {
        const questionKind = rowKind({ topic: label(doc.extra, 'topic'), question_type: label(doc.extra, 'question_type'), question: p.question_text });
        const k = (report.rightLabels[questionKind] ??= { correct: 0, total: 0 });
        if (labelIsRight(p.question_text, p.ground_truth)) k.correct++;
        k.total++;
      }
    }
    addLengths(report, samples);
  }
  return report;
}
