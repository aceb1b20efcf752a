// One co-training iteration, stage by stage as in spec §2: dev rollout, generation, answering,
// scoring, Generator update, Solver update. Roles are reached only through roles.ts, so the CLI
// (in-process roles) and the browser (worker proxies) run this same code.
//
// Invariants (§2.3): stages 1, 3 and 4 use the Solver's weights θ_k; the Generator updates before the
// Solver; influence filters Solver data only when `influence.solver_filter_mode` asks (off by default).
import type { Document } from '../data/documents.ts';
import type { DevQuestion } from '../data/dev-pool.ts';
import { computeAdvantages, filterSlots, type AdvantageMode } from './advantages.ts';
import { scoreResponse, extractAnswer, type AnswerScore } from './answer-extraction.ts';
import { ppoMiniBatchPrompts, type RunConfig } from './config.ts';
import type { DocumentSampler } from './document-sampler.ts';
import { buildGeneratorMessages, buildSolverMessages } from './prompts.ts';
import { parseGeneratorResponse } from './question-parser.ts';
import { buildQuestionRecord, correctLetter, type QuestionRecord } from './question-record.ts';
import {
  belowLiveFloor, generatorRowRewards, influenceRewardsByQuestion, isDegenerate, majorityPHat, goldenPHat, rZeroReward,
  solverRewards, spiceReward, type GeneratorRowStatus, type RejectReason,
} from './rewards.ts';
import type { AnswerGroup, InfluenceReport, InfluenceSettings, PolicyRole, Sample, SolverRole, TrainRow, UpdateReport } from './roles.ts';
import type { QuestionRow, StageName, StageProgress } from './run-records.ts';
import { filterNeedsInfluence, selectSolverQuestions } from './solver-filter.ts';
import { stratifyBySlot } from './stratify.ts';
import { iterationMetrics } from './iteration-metrics.ts';
import { devIndices } from './dev-subsample.ts';
import type { MetricRecord } from './metrics.ts';

export interface IterationContext {
  config: RunConfig;
  generator: PolicyRole;
  solver: SolverRole;
  documents: readonly Document[];
  dev: readonly DevQuestion[];
  sampler: DocumentSampler;
  onProgress?: (p: StageProgress) => void;
  /**
   * An extra test a parsed question must pass to be valid (lab extension, off by default): false makes
   * the row invalid as `failed_check` before the Solver answers it. The experiment passes the world's
   * label check here to measure what wrong golden answers cost.
   */
  checkQuestion?: (record: QuestionRecord, doc: Document) => boolean;
}

/** A dev or generated question with its Solver answers. */
export interface AnsweredQuestion {
  promptIds: number[];
  letter: string;
  answers: Sample[];
  scores: AnswerScore[];
}

/** One Generator row of Stage 2 and what became of it. */
export interface GenRow {
  slot: number;
  row: number;
  doc: Document;
  promptIds: number[];
  sample: Sample;
  record: QuestionRecord | null;
  rejection: RejectReason | null;
  /** Index into IterationState.answered when valid and answered. */
  answeredIndex: number | null;
}

export interface IterationResult {
  metrics: MetricRecord;
  questions: QuestionRow[];
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function progress(ctx: IterationContext, iteration: number, stage: StageName, done: number, total: number): void {
  ctx.onProgress?.({ iteration, stage, done, total });
}

/** A role's sampling settings from the run config (what every rollout of that role uses). */
export function sampling(config: RunConfig, role: 'generator' | 'solver') {
  return {
    temperature: config[`${role}.rollout.temperature`],
    topP: config[`${role}.rollout.top_p`],
    maxNewTokens: config[`${role}.rollout.response_length`],
  };
}

function ppoSettings(config: RunConfig, role: 'generator' | 'solver') {
  return {
    temperature: config[`${role}.rollout.temperature`],
    clipLow: config[`${role}.actor.clip_ratio_low`],
    clipHigh: config[`${role}.actor.clip_ratio_high`],
    dualClip: config[`${role}.actor.clip_ratio_c`],
    klCoef: config[`${role}.actor.kl_loss_coef`],
  };
}

// ---- Stage 1 ---------------------------------------------------------------------------------------

/**
 * Stage 1's answers: the Solver answers the iteration's dev questions (devIndices) n times each. A
 * question's sampling keys hold its pool index, so its answers do not depend on which others were drawn.
 * Exported for probes that need the same dev reference (scripts/*-probe.ts).
 */
export async function answerDevPool(
  solver: SolverRole, devQuestions: readonly DevQuestion[], config: RunConfig, k: number, onStep?: (done: number, total: number) => void,
): Promise<AnsweredQuestion[]> {
  const picked = devIndices(config, devQuestions.length, k);
  const out: AnsweredQuestion[] = [];
  for (let j = 0; j < picked.length; j++) {
    onStep?.(j, picked.length);
    const i = picked[j];
    const q = devQuestions[i];
    const promptIds = await solver.encodeChat(buildSolverMessages(q.question_text, q.choices));
    const letter = LETTERS[q.correct_index];
    const answers = await solver.sample({
      promptIds, n: config['solver.rollout.n'], stream: 'solver_sample', keys: [k, 'dev', i], sampling: sampling(config, 'solver'),
    });
    out.push({ promptIds, letter, answers, scores: answers.map((a) => scoreResponse(a.text, letter)) });
  }
  onStep?.(picked.length, picked.length);
  return out;
}

const devRollout = (ctx: IterationContext, k: number): Promise<AnsweredQuestion[]> =>
  answerDevPool(ctx.solver, ctx.dev, ctx.config, k, (done, total) => progress(ctx, k, 'dev_rollout', done, total));

// ---- Stage 2 ---------------------------------------------------------------------------------------

async function generate(ctx: IterationContext, k: number): Promise<{ rows: GenRow[]; skippedDocs: number; slots: number }> {
  const { config, generator } = ctx;
  const B = config['training.doc_batch_size'];
  const batch = ctx.sampler.nextBatch(B);
  const rows: GenRow[] = [];
  let skippedDocs = 0;
  for (let slot = 0; slot < batch.length; slot++) {
    progress(ctx, k, 'gen_rollout', slot, batch.length);
    const doc = ctx.documents[batch[slot]];
    const promptIds = await generator.encodeChat(buildGeneratorMessages(doc.content, config['generator.prompt_template']));
    if (promptIds.length > config['generator.rollout.prompt_length']) {
      skippedDocs++;
      continue;
    }
    const samples = await generator.sample({
      promptIds, n: config['generator.rollout.n'], stream: 'gen_sample', keys: [k, slot], sampling: sampling(config, 'generator'),
    });
    samples.forEach((sample, row) => {
      const parsed = parseGeneratorResponse(sample.text, { allowDuplicateChoices: !config['validation.reject_duplicate_choices'] });
      const built = parsed.ok
        ? buildQuestionRecord(parsed, { seed: config['training.seed'], iteration: k, slot, row, docId: doc.doc_id })
        : null;
      const refused = built !== null && ctx.checkQuestion !== undefined && !ctx.checkQuestion(built, doc);
      const record = refused ? null : built;
      const rejection = parsed.ok ? (refused ? 'failed_check' : null) : parsed.reason;
      rows.push({ slot, row, doc, promptIds, sample, record, rejection, answeredIndex: null });
    });
  }
  progress(ctx, k, 'gen_rollout', batch.length, batch.length);
  return { rows, skippedDocs, slots: batch.length };
}

// ---- Stage 3 ---------------------------------------------------------------------------------------

async function answer(ctx: IterationContext, k: number, rows: GenRow[]): Promise<AnsweredQuestion[]> {
  const { config, solver } = ctx;
  const valid = rows.filter((r) => r.record);
  const answered: AnsweredQuestion[] = [];
  for (let j = 0; j < valid.length; j++) {
    progress(ctx, k, 'answer_rollout', j, valid.length);
    const r = valid[j];
    const rec = r.record!;
    const promptIds = await solver.encodeChat(buildSolverMessages(rec.question_text, rec.choices));
    if (promptIds.length > config['solver.rollout.prompt_length']) {
      r.record = null;
      r.rejection = 'prompt_too_long';
      continue;
    }
    const letter = correctLetter(rec);
    const answers = await solver.sample({
      promptIds, n: config['solver.rollout.n'], stream: 'solver_sample', keys: [k, 'gen', r.slot, r.row], sampling: sampling(config, 'solver'),
    });
    r.answeredIndex = answered.length;
    answered.push({ promptIds, letter, answers, scores: answers.map((a) => scoreResponse(a.text, letter)) });
  }
  progress(ctx, k, 'answer_rollout', valid.length, valid.length);
  return answered;
}

// ---- Stage 4 ---------------------------------------------------------------------------------------

/** Dr.GRPO advantages r − mean within one question's answers (spec §6.1, eq. 12). */
export function answerGroup(q: Pick<AnsweredQuestion, 'promptIds' | 'answers' | 'scores'>): AnswerGroup {
  const r = solverRewards(q.scores);
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  return { promptIds: q.promptIds, responses: q.answers.map((a) => a.tokens), advantages: Array.from(r, (x) => x - mean) };
}

/** Stage 4's influence settings at iteration k, from the run config. */
export function influenceSettings(config: RunConfig, k: number): InfluenceSettings {
  return {
    similarityMode: config['influence.similarity_mode'],
    mode: config['influence.mode'],
    projection: {
      option: config['influence.projection.option'],
      family: config['influence.projection.family'],
      k: config['influence.projection.k'],
      redraw: config['influence.projection.redraw'],
    },
    calibrate: config['influence.mode'] === 'projected' && k % config['influence.projection.calibrate_every'] === 0,
    useMomentum: config['influence.use_momentum'],
    momentumBeta: config['influence.momentum_beta'],
    iteration: k,
    temperature: config['solver.rollout.temperature'],
  };
}

interface Scoring {
  rewards: Float64Array;
  influence: InfluenceReport | null;
  /** Influence per answered question index (non-degenerate ones). */
  scoreOf: Map<number, { score: number; layers: number[] }>;
}

async function score(ctx: IterationContext, k: number, rows: GenRow[], answered: AnsweredQuestion[], dev: AnsweredQuestion[]): Promise<Scoring> {
  const { config } = ctx;
  const mode = config['training.reward_mode'];
  const rewardByQuestion = new Map<string, number>();
  const scoreOf = new Map<number, { score: number; layers: number[] }>();
  let influence: InfluenceReport | null = null;
  let floor = 0; // reward of degenerate rows, and base of invalid ones (0 in the spec)
  const validRows = rows.filter((r) => r.record && r.answeredIndex !== null);
  // A top-k/top-α Solver filter ranks by influence, so it is computed in every reward mode then (lab
  // departure: the reference ranks by the influence reward only, all zeros outside influence modes).
  const needsInfluence = mode === 'infuser' || filterNeedsInfluence(config['influence.solver_filter_mode']);
  if (needsInfluence) {
    progress(ctx, k, 'influence', 0, 1);
    const scored = validRows.filter((r) => !isDegenerate(answered[r.answeredIndex!].scores));
    const devGroups = dev.filter((q) => !isDegenerate(q.scores)).map(answerGroup);
    influence = await ctx.solver.influence(devGroups, scored.map((r) => answerGroup(answered[r.answeredIndex!])), influenceSettings(config, k));
    const scores = influence.questions.map((q) => (influence!.hasReference ? q.score : 0));
    scored.forEach((r, i) => scoreOf.set(r.answeredIndex!, { score: scores[i], layers: influence!.questions[i].layers }));
    if (mode === 'infuser') {
      // Without a dev gradient nothing is scored, so the spec's "no update" holds under below_live too.
      if (config['influence.degenerate_reward'] === 'below_live' && influence.hasReference) floor = belowLiveFloor(scores);
      const m = influenceRewardsByQuestion(scored.map((r) => r.record!.question_id), scores, validRows.map((r) => r.record!.question_id), floor);
      m.forEach((v, id) => rewardByQuestion.set(id, v));
    }
    progress(ctx, k, 'influence', 1, 1);
  }
  if (mode !== 'infuser') {
    for (const r of validRows) {
      const q = answered[r.answeredIndex!];
      let reward = 0;
      if (mode === 'rzero') {
        const pHat = config['rzero.p_hat'] === 'majority' ? majorityPHat(q.answers.map((a) => extractAnswer(a.text))) : goldenPHat(q.scores);
        reward = rZeroReward(pHat);
      } else if (mode === 'spice') {
        reward = spiceReward(q.scores, { targetVariance: config['spice.target_variance'], varianceScale: config['spice.variance_scale'] });
      }
      rewardByQuestion.set(r.record!.question_id, reward);
    }
    if (!needsInfluence) progress(ctx, k, 'influence', 1, 1); // scoring without influence is immediate
  }
  const statuses: GeneratorRowStatus[] = rows.map((r) =>
    r.record && r.answeredIndex !== null ? { status: 'valid', questionId: r.record.question_id } : { status: r.rejection ?? 'failed_parse' },
  );
  const rewards = generatorRowRewards(statuses, rewardByQuestion, floor + config['training.gen_invalid_penalty']);
  return { rewards, influence, scoreOf };
}

// ---- Stages 5 and 6 --------------------------------------------------------------------------------

/** Constant normaliser L̄ · N_nom of eq. (7): mean response length over the whole update batch. */
function normaliser(rows: TrainRow[], promptsPerMiniBatch: number, n: number): number {
  const mean = rows.reduce((s, r) => s + r.responseIds.length, 0) / Math.max(1, rows.length);
  return Math.max(1, mean) * promptsPerMiniBatch * n;
}

interface GeneratorUpdate {
  advantages: Float64Array;
  keptSlots: number[];
  droppedSlots: number[];
  rowsKept: number;
  report: UpdateReport | null;
}

async function updateGenerator(ctx: IterationContext, k: number, rows: GenRow[], rewards: Float64Array): Promise<GeneratorUpdate> {
  const { config } = ctx;
  const advantages = new Float64Array(rows.length);
  const slots = [...new Set(rows.map((r) => r.slot))];
  const perSlot = slots.map((s) => rows.flatMap((r, i) => (r.slot === s ? [rewards[i]] : [])));
  const { keptSlots: keptIdx, droppedSlots: droppedIdx } = filterSlots(perSlot);
  const keptSlots = keptIdx.map((i) => slots[i]);
  const droppedSlots = droppedIdx.map((i) => slots[i]);
  if (config['training.reward_mode'] === 'fixed' || keptSlots.length === 0) {
    progress(ctx, k, 'gen_update', 0, 0); // nothing to train on: the stage is done
    return { advantages, keptSlots, droppedSlots, rowsKept: 0, report: null };
  }
  const kept = rows.flatMap((r, i) => (keptSlots.includes(r.slot) ? [i] : []));
  const adv = computeAdvantages(kept.map((i) => rewards[i]), kept.map((i) => rows[i].slot), config['algorithm.generator_normalization_mode'] as AdvantageMode);
  kept.forEach((i, j) => (advantages[i] = adv[j]));
  const trainRows: TrainRow[] = kept.map((i) => ({
    promptIds: rows[i].promptIds, responseIds: rows[i].sample.tokens, samplingLogprobs: rows[i].sample.logprobs, advantage: advantages[i],
  }));
  const perMb = ppoMiniBatchPrompts(config);
  const miniBatches: number[][] = [];
  for (let s = 0; s < keptSlots.length; s += perMb) {
    const mbSlots = new Set(keptSlots.slice(s, s + perMb));
    miniBatches.push(kept.flatMap((i, j) => (mbSlots.has(rows[i].slot) ? [j] : [])));
  }
  progress(ctx, k, 'gen_update', 0, miniBatches.length);
  const report = await ctx.generator.update(trainRows, miniBatches, normaliser(trainRows, perMb, config['generator.rollout.n']), ppoSettings(config, 'generator'));
  progress(ctx, k, 'gen_update', miniBatches.length, miniBatches.length);
  return { advantages, keptSlots, droppedSlots, rowsKept: kept.length, report };
}

interface SolverUpdate {
  rows: TrainRow[];
  rewards: number[];
  advantages: number[];
  report: UpdateReport | null;
}

/**
 * Stage 6: Dr.GRPO over the answers of the questions `keep` names (the non-degenerate ones, less what
 * the Solver filter drops), stratified by document (§2.4).
 */
async function updateSolver(
  ctx: IterationContext, k: number, questions: AnsweredQuestion[], slotOf: (string | number)[], keep: number[],
): Promise<SolverUpdate> {
  const { config } = ctx;
  if (keep.length === 0) {
    progress(ctx, k, 'solver_update', 0, 0); // every question degenerate or filtered out: nothing to train on
    return { rows: [], rewards: [], advantages: [], report: null };
  }
  const order = stratifyBySlot(keep.map((i) => slotOf[i])).map((j) => keep[j]);
  const rows: TrainRow[] = [];
  const groupOfRow: number[] = [];
  const rewards: number[] = [];
  for (const qi of order) {
    const q = questions[qi];
    const r = solverRewards(q.scores);
    q.answers.forEach((a, i) => {
      rows.push({ promptIds: q.promptIds, responseIds: a.tokens, samplingLogprobs: a.logprobs, advantage: 0 });
      groupOfRow.push(qi);
      rewards.push(r[i]);
    });
  }
  const adv = computeAdvantages(rewards, groupOfRow, config['algorithm.solver_normalization_mode'] as AdvantageMode);
  rows.forEach((r, i) => (r.advantage = adv[i]));
  const perMb = ppoMiniBatchPrompts(config);
  const miniBatches: number[][] = [];
  for (let s = 0; s < order.length; s += perMb) {
    const mbQuestions = new Set(order.slice(s, s + perMb));
    miniBatches.push(groupOfRow.flatMap((g, i) => (mbQuestions.has(g) ? [i] : [])));
  }
  progress(ctx, k, 'solver_update', 0, miniBatches.length);
  const report = await ctx.solver.update(rows, miniBatches, normaliser(rows, perMb, config['solver.rollout.n']), ppoSettings(config, 'solver'));
  progress(ctx, k, 'solver_update', miniBatches.length, miniBatches.length);
  return { rows, rewards, advantages: Array.from(adv), report };
}

/** The questions Stage 6 trains on: every non-degenerate one, or what the Solver filter keeps. */
function solverQuestions(
  config: RunConfig, k: number, questions: AnsweredQuestion[], slotOf: (string | number)[], ids: (string | null)[], scoring: Scoring,
): number[] {
  return selectSolverQuestions(questions.map((q, i) => ({
    questionId: ids[i] ?? String(i),
    slot: slotOf[i],
    degenerate: isDegenerate(q.scores),
    influence: scoring.scoreOf.get(i)?.score ?? null,
  })), {
    mode: config['influence.solver_filter_mode'],
    k: config['influence.solver_filter_k'],
    alpha: config['influence.solver_filter_alpha'],
    alphaOf: config['influence.solver_filter_alpha_of'],
    seed: config['training.seed'],
    iteration: k,
  });
}

// ---- the iteration ---------------------------------------------------------------------------------

export async function runIteration(ctx: IterationContext, k: number): Promise<IterationResult> {
  const t0 = performance.now();
  const timing: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await f();
    timing[name] = (performance.now() - t) / 1000;
    return out;
  };
  const mode = ctx.config['training.reward_mode'];
  const dev = await timed('dev_rollout', () => devRollout(ctx, k));
  let rows: GenRow[] = [];
  let answered: AnsweredQuestion[] = [];
  let skippedDocs = 0;
  let slots = 0;
  let scoring: Scoring = { rewards: new Float64Array(0), influence: null, scoreOf: new Map() };
  let gen: GeneratorUpdate = { advantages: new Float64Array(0), keptSlots: [], droppedSlots: [], rowsKept: 0, report: null };
  if (mode !== 'dev_only') {
    ({ rows, skippedDocs, slots } = await timed('gen_rollout', () => generate(ctx, k)));
    answered = await timed('answer_rollout', () => answer(ctx, k, rows));
    scoring = await timed('influence', () => score(ctx, k, rows, answered, dev));
    gen = await timed('gen_update', () => updateGenerator(ctx, k, rows, scoring.rewards));
  }
  const solverData = mode === 'dev_only' ? dev : answered;
  const rowOf = answered.map((_, i) => rows.find((r) => r.answeredIndex === i)!);
  const slotOf: (string | number)[] = mode === 'dev_only' ? dev.map((_, i) => i) : rowOf.map((r) => r.slot);
  const ids = mode === 'dev_only' ? dev.map(() => null) : rowOf.map((r) => r.record!.question_id);
  const keep = solverQuestions(ctx.config, k, solverData, slotOf, ids, scoring);
  const solverUpdate = await timed('solver_update', () => updateSolver(ctx, k, solverData, slotOf, keep));
  const trained = new Set(keep);
  timing.iteration = (performance.now() - t0) / 1000;

  const questions: QuestionRow[] = rows.map((r, i) => {
    const q = r.answeredIndex !== null ? answered[r.answeredIndex] : null;
    const inf = r.answeredIndex !== null ? scoring.scoreOf.get(r.answeredIndex) : undefined;
    const rec = r.record;
    return {
      iteration: k, slot: r.slot, row: r.row, doc_id: r.doc.doc_id,
      topic: typeof r.doc.extra.topic === 'string' ? r.doc.extra.topic : null,
      question_type: typeof r.doc.extra.question_type === 'string' ? r.doc.extra.question_type : null,
      question_id: rec?.question_id ?? null,
      question: rec?.question_text ?? null,
      choices: rec?.choices ?? null,
      answer: rec ? correctLetter(rec) : null,
      valid: !!rec && q !== null,
      rejection: rec && q ? null : (r.rejection ?? 'failed_parse'),
      solver_accuracy: q ? q.scores.filter((s) => s === 1).length / q.scores.length : null,
      degenerate: q ? isDegenerate(q.scores) : null,
      influence: inf?.score ?? null,
      layer_scores: inf?.layers ?? null,
      reward: scoring.rewards[i] ?? 0,
      advantage: gen.advantages[i] ?? 0,
      solver_trained: r.answeredIndex !== null ? trained.has(r.answeredIndex) : false,
      response: r.sample.text,
    };
  });
  const metrics = iterationMetrics({
    config: ctx.config, iteration: k, dev, rows, answered, skippedDocs, slots, scoring, gen, solverUpdate, timing,
  });
  return { metrics, questions };
}

export type { Scoring, GeneratorUpdate, SolverUpdate };
