// The folder a headless run writes (node only). Layout, relative to --out DIR:
//   config.json          every setting used (RunConfig, schema order)
//   data/documents.json  the document pool actually used, in the reference's format (§10.2)
//   data/dev.json        the dev questions actually used (first data.dev_pool_size), reference format
//   metrics.jsonl        one MetricRecord per completed iteration, appended
//   questions.jsonl      one QuestionRow per generated question, appended
//   run-state.json       mirror of checkpoints/latest/run-state.json (see run-checkpoint.ts)
//   checkpoints/         latest/ every iteration, iter-NNNN/ at the save cadence and at the last
// Whole files are written to a temp file and renamed into place; the .jsonl files are appended and cut
// back to the last completed iteration on resume, so an interrupted iteration leaves nothing behind.
import { appendFile, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importDevPool, type DevQuestion } from '../data/dev-pool.ts';
import { importDocuments, type Document } from '../data/documents.ts';
import { devPoolToReferenceJson, documentsToReferenceJson } from '../data/reference-export.ts';
import type { RejectedInput } from '../data/input-files.ts';
import { configFromJson, configToJson, type RunConfig } from '../infuser/config.ts';
import type { DocumentSamplerState } from '../infuser/document-sampler.ts';
import { TRAIN, type MetricRecord } from '../infuser/metrics.ts';
import type { QuestionRow } from '../infuser/run-records.ts';

export const RUN_FILES = {
  config: 'config.json',
  documents: 'data/documents.json',
  dev: 'data/dev.json',
  metrics: 'metrics.jsonl',
  questions: 'questions.jsonl',
  runState: 'run-state.json',
  checkpoints: 'checkpoints',
} as const;

/** What a resume needs besides weights: stored in every checkpoint and mirrored at the top level. */
export interface RunState {
  completedIterations: number;
  sampler: DocumentSamplerState;
  streamSchemeVersion: number;
  labVersion: string;
  seed: number;
  /** Where the initial models came from (the export's default model id). */
  models: { generator: string; solver: string };
}

let cachedVersion: string | null = null;

/** The lab's version, from package.json. */
export function labVersion(): string {
  if (cachedVersion === null) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return cachedVersion;
}

let tempCounter = 0;

/** Writes `data` to a sibling temp file, then renames it over `path`: readers see old or new, never half. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/** What lies at a path: nothing, an empty folder, a run folder, or something else. */
export async function folderKind(dir: string): Promise<'absent' | 'empty' | 'run' | 'file' | 'other'> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new Error(`${dir}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!info.isDirectory()) return 'file';
  const entries = await readdir(dir);
  if (entries.length === 0) return 'empty';
  return entries.includes(RUN_FILES.config) && entries.includes(RUN_FILES.checkpoints) ? 'run' : 'other';
}

/** The files a new run starts with: its settings and the exact inputs it draws from. */
export async function writeRunStart(dir: string, config: RunConfig, documents: readonly Document[], dev: readonly DevQuestion[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, RUN_FILES.documents), documentsToReferenceJson(documents));
  await writeFileAtomic(join(dir, RUN_FILES.dev), devPoolToReferenceJson(dev));
  await writeFileAtomic(join(dir, RUN_FILES.metrics), '');
  await writeFileAtomic(join(dir, RUN_FILES.questions), '');
  await writeFileAtomic(join(dir, RUN_FILES.config), configToJson(config));
}

/** Appends one iteration's records (questions first: the metrics line marks the iteration as written). */
export async function appendIteration(dir: string, metrics: MetricRecord, questions: readonly QuestionRow[]): Promise<void> {
  const lines = questions.map((q) => `${JSON.stringify(q)}\n`).join('');
  if (lines !== '') await appendFile(join(dir, RUN_FILES.questions), lines);
  await appendFile(join(dir, RUN_FILES.metrics), `${JSON.stringify(metrics)}\n`);
}

interface KeptLines { text: string; kept: number; dropped: number }

/**
 * Keeps the lines whose iteration is below `completed`. A torn last line (an append cut short) is
 * dropped; a bad line elsewhere is an error naming file and line, since the file was edited.
 */
function keepCompleted(text: string, file: string, completed: number, iterationOf: (row: Record<string, unknown>) => unknown): KeptLines {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  let dropped = 0;
  let previous = -1;
  for (let i = 0; i < lines.length; i++) {
    let row: unknown;
    try {
      row = JSON.parse(lines[i]);
    } catch {
      if (i === lines.length - 1) { dropped++; continue; }
      throw new Error(`${file}:${i + 1}: not a JSON line; the run folder was edited, restore it or start a new run`);
    }
    const k = row !== null && typeof row === 'object' ? iterationOf(row as Record<string, unknown>) : undefined;
    if (!Number.isInteger(k) || (k as number) < previous) {
      throw new Error(`${file}:${i + 1}: missing or out-of-order iteration ${JSON.stringify(k)}`);
    }
    previous = k as number;
    if ((k as number) < completed) out.push(lines[i]);
    else dropped++;
  }
  return { text: out.map((l) => `${l}\n`).join(''), kept: out.length, dropped };
}

async function completedRecords(dir: string, completed: number) {
  const metricsPath = join(dir, RUN_FILES.metrics);
  const questionsPath = join(dir, RUN_FILES.questions);
  const metrics = keepCompleted(await readText(metricsPath), metricsPath, completed, (r) => r[TRAIN.ansLoop]);
  if (metrics.kept !== completed) {
    throw new Error(`${metricsPath}: holds ${metrics.kept} record(s) for the ${completed} completed iteration(s); `
      + 'the file lost or gained lines, so resuming would not reproduce the run');
  }
  const questions = keepCompleted(await readText(questionsPath), questionsPath, completed, (r) => r.iteration);
  return { metricsPath, metrics, questionsPath, questions };
}

/** The checks truncateToCompleted makes, without writing (resume validates before touching DIR). */
export async function checkRecords(dir: string, completed: number): Promise<void> {
  await completedRecords(dir, completed);
}

/**
 * Cuts metrics.jsonl and questions.jsonl back to the first `completed` iterations (resume). Throws when
 * metrics.jsonl lacks a record of a completed iteration, because a resumed run would then miss it.
 */
export async function truncateToCompleted(dir: string, completed: number): Promise<{ droppedMetrics: number; droppedQuestions: number }> {
  const { metricsPath, metrics, questionsPath, questions } = await completedRecords(dir, completed);
  if (metrics.dropped > 0) await writeFileAtomic(metricsPath, metrics.text);
  if (questions.dropped > 0) await writeFileAtomic(questionsPath, questions.text);
  return { droppedMetrics: metrics.dropped, droppedQuestions: questions.dropped };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is this a run folder?`);
  }
}

/** Reads a run-state.json, checking every field. */
export function parseRunState(text: string, source: string): RunState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const s = raw as Partial<RunState> | null;
  const problem = (what: string): Error => new Error(`${source}: ${what}; the run folder is damaged`);
  if (s === null || typeof s !== 'object') throw problem('expected a JSON object');
  if (!Number.isInteger(s.completedIterations) || s.completedIterations! < 0) throw problem('"completedIterations" must be an integer ≥ 0');
  const sampler = s.sampler;
  if (!sampler || !Number.isInteger(sampler.epoch) || !Number.isInteger(sampler.cursor) || !Array.isArray(sampler.order)) {
    throw problem('"sampler" must be {epoch, order, cursor}');
  }
  if (!Number.isInteger(s.streamSchemeVersion)) throw problem('"streamSchemeVersion" must be an integer');
  if (!Number.isSafeInteger(s.seed)) throw problem('"seed" must be an integer');
  if (typeof s.labVersion !== 'string') throw problem('"labVersion" must be a string');
  if (!s.models || typeof s.models.generator !== 'string' || typeof s.models.solver !== 'string') {
    throw problem('"models" must be {generator, solver}');
  }
  return s as RunState;
}

export function runStateToJson(state: RunState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** The run's settings and inputs, as saved in its folder. */
export interface SavedRun {
  config: RunConfig;
  documents: Document[];
  dev: DevQuestion[];
}

function describeRejected(r: RejectedInput): string {
  return `${r.file}${r.line === undefined ? '' : `:${r.line}`}: ${r.reason}`;
}

/** Reads config.json and the data/ copies back; everything they need is inside the folder. */
export async function readSavedRun(dir: string): Promise<SavedRun> {
  const configPath = join(dir, RUN_FILES.config);
  const config = configFromJson(await readText(configPath), configPath);
  const docsPath = join(dir, RUN_FILES.documents);
  const docs = importDocuments([{ name: docsPath, bytes: new Uint8Array(await readFile(docsPath)) }]);
  const devPath = join(dir, RUN_FILES.dev);
  const dev = importDevPool([{ name: devPath, bytes: new Uint8Array(await readFile(devPath)) }], { groundTruth: 'letter' });
  const bad = [...docs.rejected, ...dev.rejected, ...dev.skipped];
  if (bad.length > 0) throw new Error(`the run folder's data copy is damaged: ${describeRejected(bad[0])}`);
  return { config, documents: docs.documents, dev: dev.questions };
}

/** The last metric record `accept` takes (any by default), or null; a torn last line is skipped. */
export async function lastMetrics(dir: string, accept: (m: MetricRecord) => boolean = () => true): Promise<MetricRecord | null> {
  const lines = (await readText(join(dir, RUN_FILES.metrics))).split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    let record: MetricRecord;
    try {
      record = JSON.parse(lines[i]) as MetricRecord;
    } catch {
      continue; // an append cut short by an interruption
    }
    if (accept(record)) return record;
  }
  return null;
}
