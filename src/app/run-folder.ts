// A run folder as files: config.json (RunConfig), metrics.jsonl (MetricRecord per iteration) and
// questions.jsonl (QuestionRow per generated question), the layout of src/infuser/run-records.ts.
// Read from dropped files, a picked folder or a zip (ExportPanel's own export); written as a zip with
// fflate. Callers: RunsPanel (import), ExportPanel (export), ReplayDriver, the e2e fixture.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { configFromJson, configToJson, type RunConfig } from '../infuser/config.ts';
import { TRAIN } from '../infuser/metrics.ts';
import type { MetricRecord, QuestionRow } from '../infuser/run-records.ts';
import { parseJsonlFile } from '../data/input-files.ts';

export interface RunFolder {
  name: string;
  config: RunConfig;
  metrics: MetricRecord[];
  questions: QuestionRow[];
}

/** A file of a run folder: its path (folder-relative or zip entry) and raw bytes. */
export interface RunFile {
  path: string;
  bytes: Uint8Array;
}

export const RUN_FILE_NAMES = ['config.json', 'metrics.jsonl', 'questions.jsonl'] as const;

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/** Whether a dropped path can be part of a run folder (the three files or a zip); nothing else is read. */
export function isRunFilePath(path: string): boolean {
  return path.toLowerCase().endsWith('.zip') || (RUN_FILE_NAMES as readonly string[]).includes(baseName(path));
}

/** Reads a run from its three files, or from one zip holding them; errors name the file and line. */
export function readRunFolder(files: readonly RunFile[], fallbackName = 'imported run'): RunFolder {
  const zip = files.find((f) => f.path.toLowerCase().endsWith('.zip'));
  if (zip !== undefined) {
    const entries = Object.entries(unzipSync(zip.bytes)).map(([path, bytes]) => ({ path, bytes }));
    return readRunFolder(entries, baseName(zip.path).replace(/\.zip$/i, ''));
  }
  // The shallowest match wins: a CLI run folder also holds checkpoints/*/config.json.
  const depth = (path: string): number => path.split(/[\\/]/).length;
  const find = (name: string): RunFile => {
    const file = files.filter((f) => baseName(f.path) === name).sort((a, b) => depth(a.path) - depth(b.path))[0];
    if (file === undefined) {
      throw new Error(`Run folder: ${name} is missing (a run folder holds ${RUN_FILE_NAMES.join(', ')})`);
    }
    return file;
  };
  const configFile = find('config.json');
  const folder = configFile.path.split(/[\\/]/).slice(-2, -1)[0];
  const metrics = parseJsonlFile(strFromU8(find('metrics.jsonl').bytes), 'metrics.jsonl')
    .map((row) => metricFromJson(row.value, `metrics.jsonl:${row.line}`));
  const questions = parseJsonlFile(strFromU8(find('questions.jsonl').bytes), 'questions.jsonl')
    .map((row) => questionRowFromJson(row.value, `questions.jsonl:${row.line}`));
  return {
    name: folder !== undefined && folder !== '' ? folder : fallbackName,
    config: configFromJson(strFromU8(configFile.bytes), 'config.json'),
    metrics,
    questions,
  };
}

/** Checks one metrics line: numbers only, and the iteration key every record carries (§8). */
export function metricFromJson(value: unknown, where: string): MetricRecord {
  const record = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(record)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${where}: metric "${key}" must be a finite number, got ${JSON.stringify(v)}`);
    }
  }
  if (!(TRAIN.ansLoop in record)) throw new Error(`${where}: every metric record needs "${TRAIN.ansLoop}" (§8)`);
  return record as MetricRecord;
}

type FieldCheck = (v: unknown) => boolean;
const isInt: FieldCheck = (v) => Number.isInteger(v);
const isNum: FieldCheck = (v) => typeof v === 'number' && Number.isFinite(v);
const isStr: FieldCheck = (v) => typeof v === 'string';
const isBool: FieldCheck = (v) => typeof v === 'boolean';
const orNull = (check: FieldCheck): FieldCheck => (v) => v === null || check(v);
const isStrList: FieldCheck = (v) => Array.isArray(v) && v.every(isStr);
const isNumList: FieldCheck = (v) => Array.isArray(v) && v.every(isNum);

const QUESTION_FIELDS: Record<keyof QuestionRow, [FieldCheck, string]> = {
  iteration: [isInt, 'an integer'],
  slot: [isInt, 'an integer'],
  row: [isInt, 'an integer'],
  doc_id: [isStr, 'a string'],
  topic: [orNull(isStr), 'a string or null'],
  question_type: [orNull(isStr), 'a string or null'],
  question_id: [orNull(isStr), 'a string or null'],
  question: [orNull(isStr), 'a string or null'],
  choices: [orNull(isStrList), 'a list of strings or null'],
  answer: [orNull(isStr), 'a letter or null'],
  valid: [isBool, 'true or false'],
  rejection: [orNull(isStr), 'a reject reason or null'],
  solver_accuracy: [orNull(isNum), 'a number or null'],
  degenerate: [orNull(isBool), 'true, false or null'],
  influence: [orNull(isNum), 'a number or null'],
  layer_scores: [orNull(isNumList), 'a list of numbers or null'],
  reward: [isNum, 'a number'],
  advantage: [isNum, 'a number'],
  solver_trained: [isBool, 'true or false'],
  response: [isStr, 'a string'],
};
/** Fields that runs saved by earlier versions lack. */
const LATER_FIELDS: ReadonlySet<string> = new Set<keyof QuestionRow>(['solver_trained']);

/** Checks one questions line against QuestionRow, field by field. */
export function questionRowFromJson(value: unknown, where: string): QuestionRow {
  const record = value as Record<string, unknown>;
  for (const [key, [check, expected]] of Object.entries(QUESTION_FIELDS)) {
    if (!(key in record)) {
      if (LATER_FIELDS.has(key)) continue;
      throw new Error(`${where}: question row lacks "${key}"`);
    }
    if (!check(record[key])) {
      throw new Error(`${where}: "${key}" must be ${expected}, got ${JSON.stringify(record[key])}`);
    }
  }
  return record as unknown as QuestionRow;
}

/** One line per record, as the CLI writes them. */
export function toJsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
}

/** A file-system-safe folder name for a run. */
export function runFolderName(name: string): string {
  return name.trim().replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}

/** The run as a zip: `<name>/config.json`, `metrics.jsonl`, `questions.jsonl`. */
export function runFolderToZip(run: RunFolder): Uint8Array {
  const dir = runFolderName(run.name);
  return zipSync({
    [`${dir}/config.json`]: strToU8(configToJson(run.config)),
    [`${dir}/metrics.jsonl`]: strToU8(toJsonl(run.metrics)),
    [`${dir}/questions.jsonl`]: strToU8(toJsonl(run.questions)),
  });
}
