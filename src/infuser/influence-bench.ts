// Projected vs exact influence on the built-in world (spec §9.4 R5, issue 4's benchmark): the Solver
// answers world questions and dev questions, then the same (θ, v, t) scores one set of questions
// exactly and with each projection option and width. Reports Spearman against exact, wall time for
// the questions, and peak GPU bytes.
import type { Engine } from '../engine/engine.ts';
import type { DevQuestion } from '../data/dev-pool.ts';
import { scoreResponse } from './answer-extraction.ts';
import type { EngineSolverRole } from './influence-role.ts';
import { buildSolverMessages } from './prompts.ts';
import { pearson, spearman } from './rank-stats.ts';
import { isDegenerate, solverRewards } from './rewards.ts';
import type { AnswerGroup, InfluenceSettings } from './roles.ts';

export interface BenchQuestion {
  questionText: string;
  choices: string[];
  letter: string;
}

/** A projection to benchmark: §9.4's option with the sparse family, or `P3-factored`. */
export type BenchVariant = 'P1' | 'P2' | 'P3' | 'P3-factored';
export const BENCH_VARIANTS: readonly BenchVariant[] = ['P1', 'P2', 'P3', 'P3-factored'];

export interface InfluenceBenchRow {
  mode: 'exact' | 'projected';
  option: BenchVariant | null;
  k: number | null;
  questions: number;
  /** Wall time to score the questions (the dev-gradient pass excluded, as timed inside the role). */
  seconds: number;
  /** Wall time of this row's dev-gradient pass, the same work in every mode. */
  devSeconds: number;
  spearman: number | null;
  pearson: number | null;
  /** Peak bytes held by tensors while scoring (engine pool accounting). */
  peakLiveBytes: number;
  speedup: number | null;
}

export interface InfluenceBenchOptions {
  questions: BenchQuestion[];
  dev: readonly DevQuestion[];
  nS: number;
  target: number;
  ks: number[];
  options: BenchVariant[];
  seed: number;
  /** Solver steps on the dev answers before scoring, so that the Adam state is t steps old (default 1). */
  warmSteps?: number;
  onLog?: (line: string) => void;
}

/** Answers questions n_S times until `target` non-degenerate groups are found (Dr.GRPO advantages). */
async function answerGroups(solver: EngineSolverRole, qs: BenchQuestion[], nS: number, target: number, phase: string): Promise<AnswerGroup[]> {
  const out: AnswerGroup[] = [];
  for (let i = 0; i < qs.length && out.length < target; i++) {
    const promptIds = await solver.encodeChat(buildSolverMessages(qs[i].questionText, qs[i].choices));
    const answers = await solver.sample({
      promptIds, n: nS, stream: 'solver_sample', keys: [0, phase, i], sampling: { temperature: 0.7, topP: 1, maxNewTokens: 96 },
    });
    const scores = answers.map((a) => scoreResponse(a.text, qs[i].letter));
    if (isDegenerate(scores)) continue;
    const r = solverRewards(scores);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    out.push({ promptIds, responses: answers.map((a) => a.tokens), advantages: Array.from(r, (x) => x - mean) });
  }
  return out;
}

function settings(over: Partial<InfluenceSettings>): InfluenceSettings {
  return {
    similarityMode: 'preconditioned_cosine', mode: 'exact', projection: { option: 'P1', family: 'sparse', k: 4096, redraw: 'per_iteration' },
    calibrate: false, useMomentum: false, momentumBeta: 0.9, iteration: 0, temperature: 0.7, ...over,
  };
}

async function timed<T>(e: Engine, f: () => Promise<T>): Promise<{ value: T; seconds: number; peak: number }> {
  await e.sync();
  e.pool.resetPeaks();
  const t0 = performance.now();
  const value = await f();
  await e.sync();
  return { value, seconds: (performance.now() - t0) / 1000, peak: e.stats.peakLiveBytes };
}

export async function runInfluenceBench(solver: EngineSolverRole, o: InfluenceBenchOptions): Promise<InfluenceBenchRow[]> {
  const e = solver.engine;
  const log = o.onLog ?? (() => {});
  const devQs = o.dev.map((d) => ({ questionText: d.question_text, choices: d.choices, letter: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[d.correct_index] }));
  log(`answering dev questions (${devQs.length} x ${o.nS})...`);
  const dev = await answerGroups(solver, devQs, o.nS, devQs.length, 'dev');
  // One Solver step on the dev answers first, so the preconditioner has a stored second moment (t > 0).
  const warmRows = dev.flatMap((g) => g.responses.map((r, i) => ({ promptIds: g.promptIds, responseIds: r, advantage: g.advantages[i] })));
  for (let step = 0; step < (o.warmSteps ?? 1); step++) {
    await solver.update(warmRows, [warmRows.map((_, i) => i)], 64, { temperature: 0.7, clipLow: 0.2, clipHigh: 0.2, dualClip: 3 });
  }
  log(`answering world questions until ${o.target} are non-degenerate...`);
  const questions = await answerGroups(solver, o.questions, o.nS, o.target, 'gen');
  log(`${dev.length} dev groups, ${questions.length} question groups, Adam step t = ${await solver.optimizerStep()}; scoring...`);
  await solver.influence(dev, [], settings({})); // compiles every pipeline the passes use
  const exact = await timed(e, () => solver.influence(dev, questions, settings({})));
  const ex = exact.value.questions.map((q) => q.score);
  const rows: InfluenceBenchRow[] = [{
    mode: 'exact', option: null, k: null, questions: questions.length, seconds: exact.value.seconds!.questions,
    devSeconds: exact.value.seconds!.reference, spearman: 1, pearson: 1, peakLiveBytes: exact.peak, speedup: 1,
  }];
  for (const option of o.options) {
    for (const k of o.ks) {
      const projection = option === 'P3-factored'
        ? { option: 'P3' as const, family: 'factored' as const, k, redraw: 'per_iteration' as const }
        : { option, family: 'sparse' as const, k, redraw: 'per_iteration' as const };
      const p = await timed(e, () => solver.influence(dev, questions, settings({ mode: 'projected', projection })));
      const pr = p.value.questions.map((q) => q.score);
      const seconds = p.value.seconds!.questions;
      rows.push({
        mode: 'projected', option, k, questions: questions.length, seconds, devSeconds: p.value.seconds!.reference,
        spearman: questions.length > 2 ? spearman(pr, ex) : null, pearson: questions.length > 2 ? pearson(pr, ex) : null,
        peakLiveBytes: p.peak, speedup: rows[0].seconds / seconds,
      });
      log(`projected ${option} k=${k}: spearman ${rows[rows.length - 1].spearman?.toFixed(3)} in ${seconds.toFixed(1)} s`);
    }
  }
  return rows;
}
