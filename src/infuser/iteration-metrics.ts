// One iteration's metric record (spec §8), assembled from what the stages produced. Names come from
// metrics.ts, declared once.
import type { RunConfig } from './config.ts';
import type { AnsweredQuestion, GenRow, GeneratorUpdate, Scoring, SolverUpdate } from './iteration.ts';
import {
  ANS_LOOP, ANSWER_ROLLOUT_PREFIXES, GEN_ACTOR, GEN_CRITIC, GEN_QUANT, GEN_QUESTION_ROLLOUT, GEN_RESPONSE_LENGTH,
  INFLUENCE_DEV, INFLUENCE_PROJ, INFLUENCE_SIM, ROLLOUT_CORR, SOLVER_ACTOR, SOLVER_CRITIC, SOLVER_RESPONSE_LENGTH,
  TIMING, TRAIN, answerRolloutMetrics, distributionStats, type MetricRecord,
} from './metrics.ts';
import { isDegenerate } from './rewards.ts';
import { pearson, signAgreement, spearman, meanAbsoluteError } from './rank-stats.ts';
import type { UpdateReport } from './roles.ts';

export interface IterationFacts {
  config: RunConfig;
  iteration: number;
  dev: AnsweredQuestion[];
  rows: GenRow[];
  answered: AnsweredQuestion[];
  skippedDocs: number;
  slots: number;
  scoring: Scoring;
  gen: GeneratorUpdate;
  solverUpdate: SolverUpdate;
  timing: Record<string, number>;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function rollout(prefix: 'dev_rollout' | 'gen_answer_rollout', qs: AnsweredQuestion[], nS: number): MetricRecord {
  return answerRolloutMetrics(prefix, qs.map((q) => q.scores), nS, qs.flatMap((q) => q.answers.map((a) => a.tokens.length)));
}

function actor(names: typeof GEN_ACTOR | typeof SOLVER_ACTOR, r: UpdateReport | null, lr: number): MetricRecord {
  return {
    [names.pgLoss]: r?.pgLoss ?? 0,
    [names.pgClipfrac]: r?.pgClipfrac ?? 0,
    [names.pgClipfracLower]: r?.pgClipfracLower ?? 0,
    [names.ppoKl]: r?.ppoKl ?? 0,
    [names.klLoss]: r?.klLoss ?? 0,
    [names.gradNorm]: r?.gradNorm ?? 0,
    [names.lr]: lr,
  };
}

function lengths(names: typeof GEN_RESPONSE_LENGTH | typeof SOLVER_RESPONSE_LENGTH, ls: number[], limit: number): MetricRecord {
  return {
    [names.mean]: mean(ls),
    [names.max]: ls.length ? Math.max(...ls) : 0,
    [names.min]: ls.length ? Math.min(...ls) : 0,
    [names.clipRatio]: ls.length ? ls.filter((l) => l >= limit).length / ls.length : 0,
  };
}

function questionValidity(f: IterationFacts): MetricRecord {
  const { rows } = f;
  const valid = rows.filter((r) => r.record && r.answeredIndex !== null);
  const count = (reason: string) => rows.filter((r) => !(r.record && r.answeredIndex !== null) && r.rejection === reason).length;
  const docs = f.slots - f.skippedDocs;
  return {
    [GEN_QUESTION_ROLLOUT.numDocuments]: docs,
    [GEN_QUESTION_ROLLOUT.numGeneratedQuestions]: rows.length,
    [GEN_QUESTION_ROLLOUT.numValidQuestions]: valid.length,
    [GEN_QUESTION_ROLLOUT.numInvalidQuestions]: rows.length - valid.length,
    [GEN_QUESTION_ROLLOUT.fracValidQuestions]: rows.length ? valid.length / rows.length : 0,
    [GEN_QUESTION_ROLLOUT.validQuestionsPerDoc]: docs ? valid.length / docs : 0,
    [GEN_QUESTION_ROLLOUT.numFailedParses]: count('failed_parse'),
    [GEN_QUESTION_ROLLOUT.numEmptyQuestions]: count('empty_question'),
    [GEN_QUESTION_ROLLOUT.numInvalidGroundTruth]: count('invalid_ground_truth'),
    [GEN_QUESTION_ROLLOUT.numDuplicateChoices]: count('duplicate_choices'),
    [GEN_QUESTION_ROLLOUT.numPromptTooLong]: count('prompt_too_long'),
    [GEN_QUESTION_ROLLOUT.numFailedCheck]: count('failed_check'),
    [GEN_QUESTION_ROLLOUT.numDocsSkippedTooLong]: f.skippedDocs,
    ...distributionStats(GEN_QUESTION_ROLLOUT.numChoices, valid.map((r) => r.record!.choices.length)),
    ...distributionStats(GEN_QUESTION_ROLLOUT.questionCharLen, valid.map((r) => r.record!.question_text.length)),
    ...distributionStats(GEN_QUESTION_ROLLOUT.responseLengthTokens, rows.map((r) => r.sample.tokens.length)),
  };
}

function influenceMetrics(f: IterationFacts): MetricRecord {
  const inf = f.scoring.influence;
  if (!inf) return {};
  const qs = inf.questions;
  const precond = f.config['influence.similarity_mode'].startsWith('preconditioned');
  const out: MetricRecord = {
    ...distributionStats(INFLUENCE_SIM.score, qs.map((q) => q.score), { median: true }),
    ...distributionStats(INFLUENCE_SIM.gradNorm, qs.map((q) => q.gradNorm)),
    [INFLUENCE_SIM.refNorm]: inf.refNorm,
    [INFLUENCE_DEV.numQuestions]: inf.devQuestions,
    [INFLUENCE_DEV.pgLoss]: inf.devPgLoss,
    [INFLUENCE_DEV.gradNorm]: inf.devGradNorm,
  };
  if (precond) {
    Object.assign(out, distributionStats(INFLUENCE_SIM.preconditionedDot, qs.map((q) => q.preconditionedDot)));
    Object.assign(out, distributionStats(INFLUENCE_SIM.preconditionedCosine, qs.map((q) => q.preconditionedCosine)));
    Object.assign(out, distributionStats(INFLUENCE_SIM.gammaNorm, qs.map((q) => q.gammaNorm)));
  } else {
    Object.assign(out, distributionStats(INFLUENCE_SIM.dot, qs.map((q) => q.dot)));
    Object.assign(out, distributionStats(INFLUENCE_SIM.cosine, qs.map((q) => q.cosine)));
  }
  const validRows = f.rows.filter((r) => r.record && r.answeredIndex !== null);
  const rewards = f.rows.flatMap((r, i) => (r.record && r.answeredIndex !== null ? [f.scoring.rewards[i]] : []));
  Object.assign(out, distributionStats(INFLUENCE_SIM.reward, rewards));
  out[INFLUENCE_SIM.rewardNumValidQuestions] = validRows.length;
  out[INFLUENCE_SIM.rewardFracDiverseQuestions] = validRows.length
    ? validRows.filter((r) => !isDegenerate(f.answered[r.answeredIndex!].scores)).length / validRows.length
    : 0;
  const calibrated = qs.filter((q) => q.exactScore !== undefined);
  if (calibrated.length >= 2) {
    const proj = calibrated.map((q) => q.score);
    const exact = calibrated.map((q) => q.exactScore!);
    out[INFLUENCE_PROJ.spearman] = spearman(proj, exact);
    out[INFLUENCE_PROJ.pearson] = pearson(proj, exact);
    out[INFLUENCE_PROJ.signAgreement] = signAgreement(proj, exact);
    out[INFLUENCE_PROJ.absErrMean] = meanAbsoluteError(proj, exact);
  }
  return out;
}

function updateMetrics(f: IterationFacts): MetricRecord {
  const { config, gen, solverUpdate, rows } = f;
  const trained = rows.flatMap((r, i) => (f.gen.keptSlots.includes(r.slot) ? [i] : []));
  const genLens = trained.map((i) => rows[i].sample.tokens.length);
  const solverLens = solverUpdate.rows.map((r) => r.responseIds.length);
  const reports = [gen.report, solverUpdate.report].filter((r): r is UpdateReport => !!r && r.logpAbsDiffMax >= 0);
  return {
    [GEN_QUANT.groupsKept]: gen.keptSlots.length,
    [GEN_QUANT.groupsDropped]: gen.droppedSlots.length,
    [GEN_QUANT.groupsKeepRate]: gen.keptSlots.length + gen.droppedSlots.length ? gen.keptSlots.length / (gen.keptSlots.length + gen.droppedSlots.length) : 0,
    [GEN_QUANT.rowsKept]: gen.rowsKept,
    ...distributionStats(GEN_CRITIC.score, trained.map((i) => f.scoring.rewards[i])),
    ...distributionStats(GEN_CRITIC.advantages, trained.map((i) => gen.advantages[i])),
    ...actor(GEN_ACTOR, gen.report, config['generator.actor.optim.lr']),
    ...lengths(GEN_RESPONSE_LENGTH, genLens, config['generator.rollout.response_length']),
    ...distributionStats(SOLVER_CRITIC.score, solverUpdate.rewards),
    ...distributionStats(SOLVER_CRITIC.advantages, solverUpdate.advantages),
    ...actor(SOLVER_ACTOR, solverUpdate.report, config['solver.actor.optim.lr']),
    ...lengths(SOLVER_RESPONSE_LENGTH, solverLens, config['solver.rollout.response_length']),
    [TRAIN.solverNumTrainingSamples]: solverUpdate.rows.length,
    [ROLLOUT_CORR.logpAbsDiffMean]: mean(reports.map((r) => r.logpAbsDiffMean)),
    [ROLLOUT_CORR.logpAbsDiffMax]: reports.length ? Math.max(...reports.map((r) => r.logpAbsDiffMax)) : 0,
  };
}

export function iterationMetrics(f: IterationFacts): MetricRecord {
  const nS = f.config['solver.rollout.n'];
  const validScores = f.rows.flatMap((r, i) => (r.record && r.answeredIndex !== null ? [f.scoring.rewards[i]] : []));
  const genScores = f.answered.flatMap((q) => q.scores).filter((s): s is 0 | 1 => s !== null);
  const timing: MetricRecord = {};
  for (const name of Object.values(TIMING)) timing[name] = f.timing[name.slice('timing_s/'.length)] ?? 0;
  return {
    [TRAIN.ansLoop]: f.iteration,
    [TRAIN.genStep]: f.iteration,
    ...rollout('dev_rollout', f.dev, nS),
    ...(f.rows.length ? questionValidity(f) : {}),
    ...(f.rows.length ? rollout(ANSWER_ROLLOUT_PREFIXES.generated, f.answered, nS) : {}),
    ...influenceMetrics(f),
    ...updateMetrics(f),
    [ANS_LOOP.meanReward]: mean(validScores),
    [ANS_LOOP.totalQuestionsGenerated]: f.rows.length,
    [ANS_LOOP.meanGenAccuracy]: mean(genScores),
    ...timing,
  };
}
