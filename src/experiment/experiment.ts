// The reproduction (issue 5): every method × seed, one run at a time, seed-major so that partial results
// already compare all methods. After each run the folder gets that run's records and freshly written
// results (results.json, results.md, target-accuracy.svg) built from every finished run on disk, so a
// long experiment can be read while it runs, a restarted one skips the runs already on disk, and
// several processes (one shard of the seeds each) can fill one folder side by side.
//
// Folder layout (outDir):
//   settings.json                      the experiment settings; a restart must match them
//   iterations.jsonl                   one IterationSummary per finished iteration (tail -f to monitor)
//   runs/<method>-seed<s>.json         a finished run's summaries (its presence marks the run done)
//   runs/<method>-seed<s>.metrics.jsonl, .questions.jsonl   full spec §8 records and question rows
//   runs/<method>-seed<s>.heldout.json  the final Solver on the held-out dev questions
//   results.json, results.md, target-accuracy.svg
import { appendFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DevQuestion } from '../data/dev-pool.ts';
import { parseJsonlFile } from '../data/input-files.ts';
import type { QuestionRow } from '../infuser/run-records.ts';
import { aggregate, devKindsOf, type ExperimentResults } from './aggregate.ts';
import type { HeldoutSummary, IterationSummary } from './iteration-summary.ts';
import { METHOD_INFO, type Method } from './methods.ts';
import { readableJson } from './readable-json.ts';
import { resultsMarkdown } from './report-markdown.ts';
import { runMethod, type ExperimentInputs, type RunOutput } from './run-method.ts';
import { checkSettings, methodConfig, type ExperimentSettings } from './settings.ts';
import { lineChartSvg } from './svg-plot.ts';

export const EXPERIMENT_FILES = {
  settings: 'settings.json',
  iterations: 'iterations.jsonl',
  results: 'results.json',
  markdown: 'results.md',
  plot: 'target-accuracy.svg',
} as const;

export interface ExperimentOptions {
  settings: ExperimentSettings;
  outDir: string;
  title: string;
  /** Extra setup lines for results.md (model, adapter, ...). */
  setupNotes?: string[];
  log?: (line: string) => void;
  /** Run only the seeds at positions ≡ index (mod count), so several processes can share one folder. */
  shard?: { index: number; count: number };
}

export const runFileName = (method: Method, seed: number) => `${method}-seed${seed}`;

let partials = 0;

/**
 * Writes through a temporary file and a rename, so a reader never sees half a file. The temporary
 * name is unique per process and call: shards write settings.json and the results into one folder at
 * the same moments, and a shared name let one shard rename another's file away.
 */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const partial = `${path}.${process.pid}-${partials++}.partial`;
  await writeFile(partial, text);
  await rename(partial, path);
}

async function readJsonOrNull<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes settings.json, or checks that a restarted experiment uses the same settings. */
async function claimFolder(outDir: string, settings: ExperimentSettings): Promise<void> {
  await mkdir(join(outDir, 'runs'), { recursive: true });
  const path = join(outDir, EXPERIMENT_FILES.settings);
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  const saved = await readFile(path, 'utf8').catch(() => null);
  if (saved === null) return writeAtomic(path, text);
  if (saved !== text) {
    throw new Error(`${path}: this folder holds an experiment with other settings; choose another name or delete the folder`);
  }
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

async function saveRun(outDir: string, name: string, run: RunOutput): Promise<void> {
  const base = join(outDir, 'runs', name);
  await writeAtomic(`${base}.metrics.jsonl`, jsonl(run.metrics));
  await writeAtomic(`${base}.questions.jsonl`, jsonl(run.questions));
  if (run.heldout !== null) await writeAtomic(`${base}.heldout.json`, `${readableJson(run.heldout)}\n`);
  await writeAtomic(`${base}.json`, `${readableJson(run.summaries)}\n`);
}

/** Every run's generated questions in an experiment folder (saveRun's `.questions.jsonl`), with the method and seed its file name gives. */
export async function readRunQuestions(outDir: string): Promise<{ method: string; seed: string; file: string; rows: QuestionRow[] }[]> {
  const runs = join(outDir, 'runs');
  const files = (await readdir(runs)).filter((f) => f.endsWith('.questions.jsonl')).sort();
  return Promise.all(files.map(async (file) => {
    const path = join(runs, file);
    const rows = parseJsonlFile(await readFile(path, 'utf8'), path).map((r) => r.value as unknown as QuestionRow);
    const at = file.lastIndexOf('-seed');
    return { method: file.slice(0, at), seed: file.slice(at + '-seed'.length, -'.questions.jsonl'.length), file: path, rows };
  }));
}

function setupLines(o: ExperimentOptions): string[] {
  const s = o.settings;
  const c = methodConfig(s, s.methods[0], s.seeds[0]);
  return [
    `methods: ${s.methods.map((m) => `${m} (${METHOD_INFO[m].description})`).join('; ')}`,
    `seeds: ${s.seeds.join(', ')}; iterations: ${s.iterations}; held-out dev questions answered by each final Solver: ${s.heldout}`,
    `B_doc ${c['training.doc_batch_size']}, n_G ${c['generator.rollout.n']}, n_S ${c['solver.rollout.n']}, dev pool ${c['data.dev_pool_size']}, `
      + `response tokens Generator ${c['generator.rollout.response_length']} / Solver ${c['solver.rollout.response_length']}, `
      + `lr Solver ${c['solver.actor.optim.lr']} / Generator ${c['generator.actor.optim.lr']}`,
    ...(o.setupNotes ?? []),
  ];
}

/** Writes results.json, results.md and the plot from every summary so far. */
export async function writeResults(
  o: ExperimentOptions, finished: FinishedRuns, devKinds: string[], chance: number,
): Promise<ExperimentResults> {
  const { rows, heldout } = finished;
  const results = aggregate(rows, devKinds, heldout);
  await writeAtomic(join(o.outDir, EXPERIMENT_FILES.results), `${readableJson({ settings: o.settings, results, rows, heldout })}\n`);
  const setup = [...setupLines(o), `guessing uniformly among each dev question's choices scores ${chance.toFixed(3)}`];
  await writeAtomic(join(o.outDir, EXPERIMENT_FILES.markdown), resultsMarkdown(results, { title: o.title, setup }));
  const series = results.methods.map((m) => ({
    label: METHOD_INFO[m].label,
    points: results.iterations.filter((it) => it.method === m).map((it) => ({ x: it.iteration, mean: it.target_accuracy.mean, std: it.target_accuracy.std })),
  }));
  const svg = lineChartSvg({
    title: `Target accuracy over iterations (mean ± std, ${results.seeds.length} seed${results.seeds.length === 1 ? '' : 's'})`,
    xLabel: 'iteration', yLabel: 'dev_rollout/accuracy_strict', series,
    guides: [{ y: chance, label: `guessing (${chance.toFixed(3)})` }],
  });
  await writeAtomic(join(o.outDir, EXPERIMENT_FILES.plot), svg);
  return results;
}

export interface FinishedRuns {
  rows: IterationSummary[];
  heldout: HeldoutSummary[];
}

/** The dev kinds a results table counts as the target's, and the accuracy of a uniform guess over each question's choices. */
export function targetOf(devUsed: readonly DevQuestion[]): { devKinds: string[]; chance: number } {
  return { devKinds: devKindsOf(devUsed), chance: devUsed.reduce((s, q) => s + 1 / q.choices.length, 0) / Math.max(1, devUsed.length) };
}

/** Every finished run's summaries on disk, in settings order (other shards' runs included). */
export async function finishedRuns(outDir: string, settings: ExperimentSettings): Promise<FinishedRuns> {
  const out: FinishedRuns = { rows: [], heldout: [] };
  for (const seed of settings.seeds) {
    for (const method of settings.methods) {
      const base = join(outDir, 'runs', runFileName(method, seed));
      const rows = await readJsonOrNull<IterationSummary[]>(`${base}.json`);
      if (rows === null) continue;
      out.rows.push(...rows);
      const heldout = await readJsonOrNull<HeldoutSummary>(`${base}.heldout.json`);
      if (heldout !== null) out.heldout.push(heldout);
    }
  }
  return out;
}

function shardSeeds(o: ExperimentOptions): number[] {
  const { index, count } = o.shard ?? { index: 0, count: 1 };
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count)) {
    throw new Error(`experiment shard ${index}/${count}: need integers 0 ≤ index < count`);
  }
  return o.settings.seeds.filter((_, i) => i % count === index);
}

export async function runExperiment(o: ExperimentOptions, inputs: ExperimentInputs): Promise<ExperimentResults> {
  const { settings, outDir } = o;
  const log = o.log ?? (() => {});
  checkSettings(settings);
  const seeds = shardSeeds(o);
  // Inputs are checked before the folder is claimed, so a refused start leaves no settings behind that
  // would refuse the corrected command.
  const pool = methodConfig(settings, settings.methods[0], settings.seeds[0])['data.dev_pool_size'];
  if (inputs.dev.length < pool) {
    throw new Error(`experiment: the dev set (${settings.dev ?? 'the built-in one'}) has ${inputs.dev.length} questions, fewer than data.dev_pool_size ${pool}; `
      + 'every run uses that many, so give a dev file with at least as many');
  }
  if (inputs.heldout.length < settings.heldout) {
    throw new Error(`experiment: the held-out set has ${inputs.heldout.length} questions; ${settings.heldout} were asked for (lower --heldout)`);
  }
  await claimFolder(outDir, settings);
  const devUsed = inputs.dev.slice(0, pool);
  const poolTexts = new Set(devUsed.map((q) => q.question_text));
  const shared = inputs.heldout.slice(0, settings.heldout).filter((q) => poolTexts.has(q.question_text));
  if (shared.length > 0) {
    throw new Error(`experiment: ${shared.length} held-out question(s) are also in the dev pool, e.g. ${shared[0].question_id}; a held-out set must be disjoint from it`);
  }
  const { devKinds, chance } = targetOf(devUsed);
  for (const seed of seeds) {
    for (const method of settings.methods) {
      const name = runFileName(method, seed);
      if ((await readJsonOrNull<IterationSummary[]>(join(outDir, 'runs', `${name}.json`))) !== null) {
        log(`${name}: already done, skipped`);
        continue;
      }
      const t0 = performance.now();
      const run = await runMethod(inputs, settings, method, seed, (s) => {
        appendFileSync(join(outDir, EXPERIMENT_FILES.iterations), `${JSON.stringify(s)}\n`);
        log(`${name} iteration ${s.iteration}: target ${s.target_accuracy.toFixed(3)}`
          + (s.frac_valid_questions === null ? '' : `, valid ${s.frac_valid_questions.toFixed(3)}`)
          + (s.gen_accuracy === null ? '' : `, gen acc ${s.gen_accuracy.toFixed(3)}`) + ` (${s.seconds.toFixed(1)} s)`);
      });
      await saveRun(outDir, name, run);
      await writeResults(o, await finishedRuns(outDir, settings), devKinds, chance);
      const held = run.heldout === null ? '' : `; held-out accuracy ${run.heldout.accuracy.toFixed(3)} (${run.heldout.total} answers)`;
      log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s${held}`);
    }
  }
  return writeResults(o, await finishedRuns(outDir, settings), devKinds, chance);
}
