// `infuser-lab run`: a headless co-training run (issue 4) on the same WGSL engine and iteration code as
// the browser. Settings: defaults → --config FILE → --iterations/--seed → --set key=value. Every input is
// read and checked before DIR is created or touched; then the loop runs iteration.ts and, after each
// iteration, appends its records and checkpoints both roles (run-folder.ts, run-checkpoint.ts), so
// --resume continues from the last completed iteration with nothing lost or repeated.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DevQuestion, GroundTruthConvention } from '../data/dev-pool.ts';
import type { Document } from '../data/documents.ts';
import { parseJsonFile } from '../data/input-files.ts';
import type { Engine } from '../engine/engine.ts';
import {
  applyOverrides, buildConfig, configToJson, CONFIG_KEYS, freezeConfig, parseCliOverride, type ConfigOverrides, type RunConfig,
} from '../infuser/config.ts';
import { DocumentSampler, docsShuffle } from '../infuser/document-sampler.ts';
import { createEngineRoles } from '../infuser/engine-roles.ts';
import { runIteration, type IterationContext } from '../infuser/iteration.ts';
import { STREAM_SCHEME_VERSION } from '../infuser/rng.ts';
import type { PolicyRole, RoleCheckpoint } from '../infuser/roles.ts';
import { parseFlags, type Flags } from './args.ts';
import type { Command } from './command.ts';
import { withEngine } from './model-flags.ts';
import { RunProgress, formatDuration, type ProgressOutput } from './progress.ts';
import {
  locateLatest, readCheckpointState, readRole, writeCheckpoint, ROLE_NAMES, type ModelFiles, type RoleName,
} from './run-checkpoint.ts';
import {
  appendIteration, checkRecords, folderKind, labVersion, readSavedRun, truncateToCompleted, writeFileAtomic, writeRunStart, RUN_FILES, type RunState,
} from './run-folder.ts';
import { DEFAULT_INPUTS, loadDev, loadPool, loadRoleModel } from './run-inputs.ts';

const FLAGS = {
  pool: 'string', dev: 'string', generator: 'string', solver: 'string', iterations: 'number', seed: 'number',
  out: 'string', config: 'string', resume: 'boolean', set: 'list', 'dev-ground-truth': 'string',
} as const;

const CONVENTIONS = ['auto', 'text', 'letter', 'index'] as const;

/** Everything the loop needs, checked; `resume` is null for a new run. */
export interface RunPlan {
  dir: string;
  config: RunConfig;
  documents: Document[];
  dev: DevQuestion[];
  models: Record<RoleName, ModelFiles>;
  state: RunState;
  resume: null | { checkpoints: Record<RoleName, RoleCheckpoint>; isRaised: boolean };
}

/** Reads a --config FILE: a JSON object of setting overrides; unknown keys are errors naming the key. */
export async function readConfigFile(path: string): Promise<ConfigOverrides> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`--config ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const parsed = parseJsonFile(text, path);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path}:1: expected a JSON object of "key": value settings`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(CONFIG_KEYS as string[]).includes(key)) {
      try {
        applyOverrides(buildConfig(), { [key]: (parsed as Record<string, unknown>)[key] });
      } catch (error) {
        throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return parsed as ConfigOverrides;
}

/** defaults → --config FILE → --iterations/--seed → --set key=value, validated once at the end. */
export async function buildRunConfig(flags: Flags): Promise<RunConfig> {
  const overrides: ConfigOverrides = flags.config === undefined ? {} : await readConfigFile(flags.config as string);
  if (flags.iterations !== undefined) overrides['training.iterations'] = flags.iterations;
  if (flags.seed !== undefined) overrides['training.seed'] = flags.seed;
  for (const item of (flags.set as string[] | undefined) ?? []) {
    const { key, value } = parseCliOverride(`--${item}`);
    overrides[key] = value;
  }
  try {
    return freezeConfig(buildConfig({ overrides }));
  } catch (error) {
    const source = flags.config === undefined ? 'settings' : `settings (defaults, ${flags.config as string}, flags)`;
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
}

async function planNewRun(flags: Flags, dir: string, warn: (m: string) => void): Promise<RunPlan> {
  const kind = await folderKind(dir);
  if (kind === 'run') throw new Error(`--out ${dir} already holds a run: add --resume to continue it, or choose another --out`);
  if (kind === 'file') throw new Error(`--out ${dir} is a file; give a folder path`);
  if (kind === 'other') throw new Error(`--out ${dir} exists and is not empty; choose a new or empty folder`);
  const config = await buildRunConfig(flags);
  const convention = (flags['dev-ground-truth'] ?? 'auto') as GroundTruthConvention;
  if (!CONVENTIONS.includes(convention)) throw new Error(`--dev-ground-truth must be one of ${CONVENTIONS.join(', ')}, got '${convention}'`);
  const generator = await loadRoleModel(flags.generator as string | undefined, '--generator');
  const solver = await loadRoleModel(flags.solver as string | undefined, '--solver');
  const pool = await loadPool(flags.pool as string | undefined, generator.model.tokenizer, config, warn);
  const dev = await loadDev(flags.dev as string | undefined, convention, config, warn);
  const sampler = new DocumentSampler(pool.documents.length, docsShuffle(config['training.seed']));
  return {
    dir, config, documents: pool.documents, dev: dev.questions,
    models: { generator: generator.model, solver: solver.model },
    state: {
      completedIterations: 0, sampler: sampler.state(), streamSchemeVersion: STREAM_SCHEME_VERSION,
      labVersion: labVersion(), seed: config['training.seed'], models: { generator: generator.path, solver: solver.path },
    },
    resume: null,
  };
}

const FIXED_ON_RESUME = ['pool', 'dev', 'generator', 'solver', 'config', 'set', 'dev-ground-truth'];

async function planResume(flags: Flags, dir: string): Promise<RunPlan> {
  const given = FIXED_ON_RESUME.filter((f) => flags[f] !== undefined);
  if (given.length > 0) {
    throw new Error(`--resume continues the run saved in ${dir} with its own inputs and settings; drop `
      + `${given.map((f) => `--${f}`).join(', ')} (only --iterations may raise the total)`);
  }
  if ((await folderKind(dir)) !== 'run') throw new Error(`--out ${dir}: no run to resume here (config.json and checkpoints/ are missing)`);
  const saved = await readSavedRun(dir);
  let config = saved.config;
  const seed = config['training.seed'];
  if (flags.seed !== undefined && flags.seed !== seed) {
    throw new Error(`--seed ${flags.seed as number} differs from the run's seed ${seed} (${join(dir, RUN_FILES.config)}); a resumed run keeps its seed`);
  }
  const total = config['training.iterations'];
  if (flags.iterations !== undefined && (flags.iterations as number) < total) {
    throw new Error(`--iterations ${flags.iterations as number} is below the run's total ${total}; --resume can only raise it`);
  }
  if (flags.iterations !== undefined) config = applyOverrides(config, { 'training.iterations': flags.iterations });
  const checkpointDir = await locateLatest(dir);
  const state = await readCheckpointState(checkpointDir);
  if (state.streamSchemeVersion !== STREAM_SCHEME_VERSION) {
    throw new Error(`${checkpointDir}: written with random-stream scheme ${state.streamSchemeVersion}, this lab uses `
      + `${STREAM_SCHEME_VERSION}; resuming would not continue the same run (use the lab version ${state.labVersion})`);
  }
  if (state.seed !== seed) throw new Error(`${checkpointDir}: seed ${state.seed} differs from config.json's ${seed}; the run folder is inconsistent`);
  new DocumentSampler(saved.documents.length, docsShuffle(seed), state.sampler);
  await checkRecords(dir, state.completedIterations);
  const roles = await Promise.all(ROLE_NAMES.map((name) => readRole(checkpointDir, name)));
  return {
    dir, config: freezeConfig(config), documents: saved.documents, dev: saved.dev,
    models: { generator: roles[0].model, solver: roles[1].model },
    state: { ...state, labVersion: labVersion() },
    resume: { checkpoints: { generator: roles[0].checkpoint, solver: roles[1].checkpoint }, isRaised: config['training.iterations'] !== total },
  };
}

/** Parses and checks everything; touches nothing on disk. */
export async function planRun(argv: string[], warn: (m: string) => void): Promise<RunPlan> {
  const flags = parseFlags(argv, FLAGS, 'run');
  if (flags.out === undefined) throw new Error('--out DIR is required (see infuser-lab run --help)');
  const dir = resolve(flags.out as string);
  return flags.resume === true ? planResume(flags, dir) : planNewRun(flags, dir, warn);
}

async function snapshot(plan: RunPlan, roles: Record<RoleName, PolicyRole>, name: RoleName) {
  const { config, tokenizer } = plan.models[name];
  return { config, tokenizer, checkpoint: await roles[name].checkpoint() };
}

async function saveCheckpoint(plan: RunPlan, roles: Record<RoleName, PolicyRole>, state: RunState, keep: boolean): Promise<void> {
  const generator = await snapshot(plan, roles, 'generator');
  const solver = await snapshot(plan, roles, 'solver');
  await writeCheckpoint(plan.dir, { generator, solver }, state, keep);
}

function summary(k: number, total: number, metrics: Record<string, number>, seconds: number): string {
  const pick = (key: string) => (metrics[key] === undefined ? '-' : metrics[key].toFixed(3));
  return `iteration ${k + 1}/${total} done in ${formatDuration(seconds)}: dev accuracy ${pick('dev_rollout/accuracy_strict')}, `
    + `valid questions ${pick('gen_question_rollout/frac_valid_questions')}, mean reward ${pick('ans_loop/mean_reward')}`;
}

/** Builds the two roles; tests wrap createEngineRoles to script sampling. */
export type RoleFactory = typeof createEngineRoles;

/** Runs the planned iterations on `engine`, writing DIR as it goes. */
export async function executeRun(plan: RunPlan, engine: Engine, progress: RunProgress, makeRoles: RoleFactory = createEngineRoles): Promise<void> {
  const { dir, config } = plan;
  const total = config['training.iterations'];
  const roles = makeRoles(engine, { generator: plan.models.generator, solver: plan.models.solver, config });
  try {
    if (plan.resume === null) {
      await writeRunStart(dir, config, plan.documents, plan.dev);
      await saveCheckpoint(plan, roles, plan.state, false);
    } else {
      const dropped = await truncateToCompleted(dir, plan.state.completedIterations);
      if (dropped.droppedMetrics + dropped.droppedQuestions > 0) progress.line(`resume: dropped the records of an unfinished iteration`);
      if (plan.resume.isRaised) await writeFileAtomic(join(dir, RUN_FILES.config), configToJson(config));
      for (const name of ROLE_NAMES) await roles[name].restore(plan.resume.checkpoints[name]);
    }
    const sampler = new DocumentSampler(plan.documents.length, docsShuffle(config['training.seed']), plan.state.sampler);
    const ctx: IterationContext = {
      config, generator: roles.generator, solver: roles.solver, documents: plan.documents, dev: plan.dev, sampler,
      onProgress: (p) => progress.update(p),
    };
    for (let k = plan.state.completedIterations; k < total; k++) {
      const t0 = performance.now();
      const { metrics, questions } = await runIteration(ctx, k);
      await appendIteration(dir, metrics, questions);
      progress.update({ iteration: k, stage: 'checkpoint', done: 0, total: 1 });
      const completed = k + 1;
      const keep = completed % config['training.save_every_n_steps'] === 0 || completed === total;
      await saveCheckpoint(plan, roles, { ...plan.state, completedIterations: completed, sampler: sampler.state() }, keep);
      progress.update({ iteration: k, stage: 'checkpoint', done: 1, total: 1 });
      progress.line(summary(k, total, metrics, (performance.now() - t0) / 1000));
    }
  } finally {
    roles.generator.dispose();
    roles.solver.dispose();
  }
}

export const RUN_HELP = `infuser-lab run [--pool PATH] [--dev PATH] [--generator DIR] [--solver DIR]
                [--iterations N] [--seed S] --out DIR [--config FILE] [--set key=value]... [--resume]

Runs INFUSER co-training headless on the WebGPU engine: N iterations of dev rollout, question
generation, answering, influence scoring, Generator update and Solver update (spec §2).

Inputs (each defaults to the built-in tiny world in public/):
  --pool PATH        documents: the reference's documents.json, a JSONL file of {doc_id?, content|text},
                     a .txt/.md/.pdf file, or a folder of .txt/.md/.pdf files (chunked with the Generator
                     tokenizer into data.chunk_tokens pieces)         default ${DEFAULT_INPUTS.pool}
  --dev PATH         dev questions: the reference's dev-pool JSON or a JSONL file of
                     {question_id?, question_text, choices, ground_truth}; the first data.dev_pool_size
                     are used                                         default ${DEFAULT_INPUTS.dev}
  --dev-ground-truth auto|text|letter|index
                     how --dev ground truths name a choice (spec §10.1; default auto)
  --generator DIR    Hugging Face folder of the Generator (config.json, model.safetensors, tokenizer.json,
                     tokenizer_config.json with a chat template)    default ${DEFAULT_INPUTS.model}
  --solver DIR       the same for the Solver                          default ${DEFAULT_INPUTS.model}

Settings, applied in this order (later wins; unknown keys and bad values are errors):
  defaults  →  --config FILE (JSON object {"key": value})  →  --iterations N, --seed S
            →  --set key=value (repeatable, e.g. --set training.doc_batch_size=8)
  Keys are the spec's dotted names (training.iterations, influence.similarity_mode, ...).

Output (--out DIR, which must be new or empty; nothing is written until every input checks out):
  DIR/config.json          every setting used
  DIR/data/                documents.json and dev.json: the inputs actually used
  DIR/metrics.jsonl        one object per iteration, metric names as in spec §8
  DIR/questions.jsonl      every generated question: iteration, doc_id, question, choices, answer,
                           valid / rejection, solver_accuracy, influence, reward, advantage
  DIR/checkpoints/latest/  generator/ and solver/ as Hugging Face folders plus optimizer.safetensors
                           (AdamW m, v and t) and role-state.safetensors; rewritten every iteration
  DIR/checkpoints/iter-NNNN/  kept every training.save_every_n_steps iterations and at the last
  DIR/run-state.json       completed iterations, document-sampler state, seed, stream scheme

  --resume           continue the run in --out DIR from its last completed iteration with its saved
                     settings and inputs; only --iterations may raise the total, and --seed, if given,
                     must match. Records of an unfinished iteration are dropped and redone.

Progress goes to stderr: a bar per stage with counts and time left on a terminal, one line per stage
otherwise. The same seed on the same machine gives an identical questions.jsonl.
Exit status: 0 done, 1 bad input or failure (the message names the file and line), 2 usage.
`;

export const runCommand: Command = {
  name: 'run',
  summary: 'co-train Generator and Solver headless; writes metrics, questions and checkpoints',
  help: RUN_HELP,
  async run(argv) {
    const stderr: ProgressOutput = process.stderr;
    const plan = await planRun(argv, (m) => stderr.write(`warning: ${m}\n`));
    const total = plan.config['training.iterations'];
    if (plan.state.completedIterations >= total) {
      stderr.write(`${plan.dir}: all ${total} iterations are complete; pass --iterations M (M > ${total}) to extend the run\n`);
      return 0;
    }
    await withEngine((engine) => executeRun(plan, engine, new RunProgress(stderr, total)));
    stderr.write(`run complete: ${total} iteration(s) in ${plan.dir}\n`);
    return 0;
  },
};
