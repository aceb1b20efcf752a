// One (method, seed) run of the experiment, in process: fresh roles from the anchor weights, then N
// co-training iterations (iteration.ts, the same code the CLI and the browser drive), or for `base` N
// Stage-1 evaluations of the untouched Solver; then the final Solver answers the held-out dev questions.
// Roles are disposed afterwards so runs do not accumulate GPU buffers.
import type { DevQuestion } from '../data/dev-pool.ts';
import type { Document } from '../data/documents.ts';
import type { Engine } from '../engine/engine.ts';
import { DocumentSampler, docsShuffle } from '../infuser/document-sampler.ts';
import { createEngineRoles, type LoadedModel } from '../infuser/engine-roles.ts';
import { runIteration } from '../infuser/iteration.ts';
import type { QuestionRecord } from '../infuser/question-record.ts';
import type { MetricRecord, QuestionRow } from '../infuser/run-records.ts';
import { baseSummary, kindOf, summarizeIteration, type HeldoutSummary, type IterationSummary } from './iteration-summary.ts';
import { METHOD_INFO, type Method } from './methods.ts';
import { targetKindsOf } from './narrow-target.ts';
import { checkLabel, questionKind } from '../world/question-check.ts';
import { evaluateHeldout, evaluateSolver, share } from './role-evaluation.ts';
import { methodConfig, type ExperimentSettings } from './settings.ts';

/** Builds both roles; tests wrap createEngineRoles to script sampling. */
export type RoleFactory = typeof createEngineRoles;

export interface ExperimentInputs {
  engine: Engine;
  /** The anchor: both roles start from these weights in every run. */
  model: LoadedModel;
  documents: readonly Document[];
  /** The dev pool (`data.dev_pool_size` questions). */
  dev: readonly DevQuestion[];
  /** Questions no run trains or selects on (public/world/heldout.json); the first `heldout` are answered. */
  heldout: readonly DevQuestion[];
  makeRoles?: RoleFactory;
}

export interface RunOutput {
  summaries: IterationSummary[];
  /** Full spec §8 records per iteration (empty for base). */
  metrics: MetricRecord[];
  questions: QuestionRow[];
  /** Null when the settings ask for no held-out questions. */
  heldout: HeldoutSummary | null;
}

/**
 * What makes a question valid beyond the spec's checks: a right label (--check-labels), a kind the
 * method does not refuse, and, where `keeps` is given, one of those kinds ("topic/type"; a question of
 * no world form is then refused too).
 */
export function questionCheck(
  checkLabels: boolean,
  refuses: readonly (readonly [string, string])[],
  keeps: ReadonlySet<string> | null = null,
): ((r: QuestionRecord) => boolean) | undefined {
  if (!checkLabels && refuses.length === 0 && keeps === null) return undefined;
  return (r) => {
    if (checkLabels && checkLabel(r.question_text, r.choices[r.correct_index]).verdict !== 'right') return false;
    const kind = questionKind(r.question_text);
    if (keeps !== null && (kind === null || !keeps.has(kindOf(kind[0], kind[1])))) return false;
    return kind === null || !refuses.some(([topic, type]) => kind[0] === topic && kind[1] === type);
  };
}

/** The kinds of the dev questions ("topic/type"), from the world's row labels; a row without them is an error. */
export function devKinds(dev: readonly DevQuestion[]): Set<string> {
  return targetKindsOf(dev.map((q) => {
    const { topic, question_type } = q.extra;
    if (typeof topic !== 'string' || typeof question_type !== 'string') {
      throw new Error(`dev question "${q.question_id}" has no topic and question_type; a method that keeps the target's kinds needs the world's labelled dev rows`);
    }
    return { topic, question_type };
  }));
}

export async function runMethod(
  inputs: ExperimentInputs,
  settings: ExperimentSettings,
  method: Method,
  seed: number,
  onIteration: (s: IterationSummary) => void = () => {},
): Promise<RunOutput> {
  const config = methodConfig(settings, method, seed);
  const makeRoles = inputs.makeRoles ?? createEngineRoles;
  const roles = makeRoles(inputs.engine, { generator: inputs.model, solver: inputs.model, config });
  const out: RunOutput = { summaries: [], metrics: [], questions: [], heldout: null };
  const push = (s: IterationSummary) => {
    out.summaries.push(s);
    onIteration(s);
  };
  try {
    if (method === 'base') {
      for (let k = 0; k < settings.iterations; k++) {
        const t0 = performance.now();
        const tally = await evaluateSolver(roles.solver, inputs.dev, config, k);
        push(baseSummary(seed, k, share(tally), (performance.now() - t0) / 1000));
      }
    } else {
      const sampler = new DocumentSampler(inputs.documents.length, docsShuffle(seed));
      const ctx = {
        config, generator: roles.generator, solver: roles.solver, documents: inputs.documents, dev: inputs.dev, sampler,
        checkQuestion: questionCheck(settings.checkLabels, METHOD_INFO[method].refuses ?? [],
          METHOD_INFO[method].keepsTargetKindsOnly === true ? devKinds(inputs.dev) : null),
      };
      for (let k = 0; k < settings.iterations; k++) {
        const { metrics, questions } = await runIteration(ctx, k);
        out.metrics.push(metrics);
        out.questions.push(...questions);
        push(summarizeIteration(method, seed, metrics, questions));
      }
    }
    if (settings.heldout > 0) {
      const questions = inputs.heldout.slice(0, settings.heldout);
      const sampled = await evaluateHeldout(roles.solver, questions, config, settings.iterations);
      const greedy = await evaluateHeldout(roles.solver, questions, config, settings.iterations, true);
      out.heldout = {
        method, seed, total: sampled.total, accuracy: share(sampled), by_kind: sampled.byKind,
        greedy: { total: greedy.total, accuracy: share(greedy), by_kind: greedy.byKind, predictions: greedy.predictions },
        predictions: sampled.predictions,
      };
    }
    return out;
  } finally {
    roles.generator.dispose();
    roles.solver.dispose();
  }
}
