// §10.1 dev pool import: reference dev JSON arrays and question-shaped JSONL → DevQuestion records with a
// resolved correct_index. The ground-truth convention (auto | text | letter | index) is chosen per file;
// `auto` flags rows whose text reading and letter reading disagree (F-G4), and such a file waits for the user
// to confirm a convention. Called by the CLI and the UI import panel; reference-export.ts writes these back.

import {
  DEFAULT_MAX_FILE_BYTES, decodeInputFile, fileExtension, isPlainObject, jsonRowKind, parseJsonArrayFile,
  parseJsonlFile, type InputFile, type JsonRow, type RejectedInput,
} from './input-files.ts';

export const CHOICE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const MIN_CHOICES = 2;
export const MAX_CHOICES = 26;
const WARN_ABOVE_CHOICES = 10;
const CONSUMED_KEYS = new Set(['question_id', 'question_text', 'choices', 'ground_truth', 'ground_truth_text', 'benchmark_type']);

export type GroundTruthConvention = 'auto' | 'text' | 'letter' | 'index';

/** One dev question. `extra` holds keys the lab does not read (e.g. data_source), kept for export. */
export interface DevQuestion {
  question_id: string;
  question_text: string;
  choices: string[];
  correct_index: number;
  extra: Record<string, unknown>;
}

/** A row that matches one choice by text while its single letter names another (flag `ambiguous_letter_text`). */
export interface AmbiguousRow { file: string; line: number; question_id: string; textIndex: number; letterIndex: number }

export interface DevPoolImport {
  questions: DevQuestion[];
  /** Bad rows or files, reasons prefixed by a code such as `unresolvable_ground_truth`. */
  rejected: RejectedInput[];
  /** Rows without choices (the lab is MCQ only). */
  skipped: RejectedInput[];
  warnings: string[];
  ambiguous: AmbiguousRow[];
  /** Files held back until the user picks `text` or `letter` for them; their questions are not in `questions`. */
  unconfirmedFiles: string[];
}

export interface DevPoolImportOptions {
  groundTruth?: GroundTruthConvention;
  groundTruthByFile?: Readonly<Record<string, GroundTruthConvention>>;
  maxFileBytes?: number;
}

export type GroundTruthResolution = { index: number; ambiguousLetterIndex?: number } | { error: string };

/** Imports dev questions from every file; malformed JSON and duplicate question ids throw. */
export function importDevPool(files: readonly InputFile[], options: DevPoolImportOptions = {}): DevPoolImport {
  const result: DevPoolImport = { questions: [], rejected: [], skipped: [], warnings: [], ambiguous: [], unconfirmedFiles: [] };
  const seen = new Map<string, string>();
  let rowCounter = 0;
  for (const file of files) {
    const rows = readRows(file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, result.rejected);
    if (rows === null) continue;
    const convention = options.groundTruthByFile?.[file.name] ?? options.groundTruth ?? 'auto';
    const fileQuestions: DevQuestion[] = [];
    const fileAmbiguous: AmbiguousRow[] = [];
    for (const row of rows) {
      const outcome = questionFromRow(row, rowCounter++, convention);
      const where = `${file.name}:${row.line}`;
      if ('skip' in outcome) result.skipped.push({ file: file.name, line: row.line, reason: outcome.skip });
      else if ('reject' in outcome) result.rejected.push({ file: file.name, line: row.line, reason: outcome.reject });
      else {
        const id = outcome.question.question_id;
        const earlier = seen.get(id);
        if (earlier !== undefined) throw new Error(`Duplicate question_id "${id}" at ${earlier} and ${where}`);
        seen.set(id, where);
        result.warnings.push(...outcome.warnings.map((w) => `${where}: ${w}`));
        fileQuestions.push(outcome.question);
        if (outcome.ambiguousLetterIndex !== undefined) {
          fileAmbiguous.push({ file: file.name, line: row.line, question_id: id,
            textIndex: outcome.question.correct_index, letterIndex: outcome.ambiguousLetterIndex });
        }
      }
    }
    if (fileAmbiguous.length > 0) {
      result.ambiguous.push(...fileAmbiguous);
      result.unconfirmedFiles.push(file.name);
    } else result.questions.push(...fileQuestions);
  }
  return result;
}

function readRows(file: InputFile, maxBytes: number, rejected: RejectedInput[]): JsonRow[] | null {
  const decoded = decodeInputFile(file, maxBytes);
  if ('reason' in decoded) {
    rejected.push({ file: file.name, reason: decoded.reason });
    return null;
  }
  const ext = fileExtension(file.name);
  if (ext !== 'json' && ext !== 'jsonl') {
    rejected.push({ file: file.name, reason: `unsupported file type ".${ext}" for a dev pool (use .json or .jsonl)` });
    return null;
  }
  const rows = ext === 'json' ? parseJsonArrayFile(decoded.text, file.name) : parseJsonlFile(decoded.text, file.name);
  if (rows.length > 0 && jsonRowKind(rows[0].value) === 'document') {
    rejected.push({ file: file.name, reason: 'document-shaped rows (content/text): import this file as documents' });
    return null;
  }
  return rows;
}

export type DevRowOutcome =
  | { question: DevQuestion; warnings: string[]; ambiguousLetterIndex?: number }
  | { skip: string }
  | { reject: string };

/** Reads one `{question_id?, question_text, choices, ground_truth, …}` row; `index` names an id-less row. */
export function questionFromRow(row: JsonRow, index: number, convention: GroundTruthConvention): DevRowOutcome {
  const value = row.value;
  if (!isPlainObject(value)) return { reject: 'not_an_object: each row must be a JSON object' };
  const warnings: string[] = [];
  const choices = readChoices(value.choices, warnings);
  if (choices === null) return { skip: 'no_choices: rows without choices are skipped (MCQ only)' };
  if (typeof choices === 'string') return { reject: choices };
  if (choices.length < MIN_CHOICES || choices.length > MAX_CHOICES) {
    return { reject: `bad_choice_count: ${choices.length} choices (allowed ${MIN_CHOICES}–${MAX_CHOICES})` };
  }
  if (choices.length > WARN_ABOVE_CHOICES) warnings.push(`${choices.length} choices (more than ${WARN_ABOVE_CHOICES})`);
  if (typeof value.question_text !== 'string' || value.question_text.trim() === '') {
    return { reject: 'missing_question_text: question_text must be a non-empty string' };
  }
  const rawId = value.question_id;
  if (rawId != null && typeof rawId !== 'string' && typeof rawId !== 'number') {
    return { reject: `bad_question_id: question_id must be a string or number, got ${JSON.stringify(rawId)}` };
  }
  const groundTruthText = typeof value.ground_truth_text === 'string' ? value.ground_truth_text : undefined;
  const resolved = resolveGroundTruth(choices, value.ground_truth, convention, groundTruthText);
  if ('error' in resolved) return { reject: `unresolvable_ground_truth: ${resolved.error}` };
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!CONSUMED_KEYS.has(key)) extra[key] = v;
  const question: DevQuestion = {
    question_id: rawId == null ? `dev_${index}` : String(rawId),
    question_text: value.question_text,
    choices,
    correct_index: resolved.index,
    extra,
  };
  return { question, warnings, ambiguousLetterIndex: resolved.ambiguousLetterIndex };
}

/** Choices as a list of scalars, or an object keyed A, B, … (or a, b, …) read in letter order to the first gap. */
function readChoices(raw: unknown, warnings: string[]): string[] | string | null {
  let list: unknown[];
  if (raw == null) return null;
  if (Array.isArray(raw)) list = raw;
  else if (isPlainObject(raw)) {
    list = [];
    for (const letter of CHOICE_LETTERS) {
      const v = raw[letter] ?? raw[letter.toLowerCase()];
      if (v === undefined) break;
      list.push(v);
    }
    const unread = Object.keys(raw).length - list.length;
    if (unread > 0) warnings.push(`${unread} choice key(s) after the first missing letter were ignored`);
  } else return `bad_choices: choices must be a list or a letter-keyed object, got ${JSON.stringify(raw)}`;
  if (list.length === 0) return null;
  if (!list.every((c) => typeof c === 'string' || typeof c === 'number')) {
    return 'bad_choices: every choice must be a string or number';
  }
  return list.map(String);
}

const fold = (s: string): string => s.trim().toLowerCase();

function indexByText(choices: readonly string[], gt: unknown): number {
  if (typeof gt !== 'string') return -1;
  const exact = choices.flatMap((c, i) => (c === gt ? [i] : []));
  if (exact.length === 1) return exact[0];
  const folded = choices.flatMap((c, i) => (fold(c) === fold(gt) ? [i] : []));
  return folded.length === 1 ? folded[0] : -1;
}

function indexByPosition(choices: readonly string[], gt: unknown): number {
  return typeof gt === 'number' && Number.isInteger(gt) && gt >= 0 && gt < choices.length ? gt : -1;
}

function indexByLetter(choices: readonly string[], gt: unknown): number {
  if (typeof gt !== 'string') return -1;
  const letter = gt.trim().toUpperCase();
  const index = letter.length === 1 ? CHOICE_LETTERS.indexOf(letter) : -1;
  return index < choices.length ? index : -1;
}

/**
 * Resolves a dev ground truth to a choice index (§10.1). `auto`: exact text, trimmed case-folded text,
 * integer index, single letter, in that order. A lab export's `ground_truth_text`, when present, must name
 * the same choice as one reading of `ground_truth`, and that reading wins (so lab exports re-import exactly).
 */
export function resolveGroundTruth(
  choices: readonly string[], groundTruth: unknown, convention: GroundTruthConvention, groundTruthText?: string,
): GroundTruthResolution {
  const byText = indexByText(choices, groundTruth);
  const byLetter = indexByLetter(choices, groundTruth);
  const readings: Record<GroundTruthConvention, number[]> = {
    auto: [byText, indexByPosition(choices, groundTruth), byLetter].filter((i) => i >= 0),
    text: byText >= 0 ? [byText] : [],
    index: [indexByPosition(choices, groundTruth)].filter((i) => i >= 0),
    letter: byLetter >= 0 ? [byLetter] : [],
  };
  const candidates = readings[convention];
  const shown = JSON.stringify(groundTruth);
  if (candidates.length === 0) {
    return { error: `ground_truth ${shown} matches no choice under the "${convention}" convention` };
  }
  if (groundTruthText !== undefined) {
    const audited = indexByText(choices, groundTruthText);
    if (!candidates.includes(audited)) {
      return { error: `ground_truth ${shown} and ground_truth_text ${JSON.stringify(groundTruthText)} name different choices` };
    }
    return { index: audited };
  }
  const index = candidates[0];
  const isAmbiguous = convention === 'auto' && byText >= 0 && byLetter >= 0 && byLetter !== byText;
  return isAmbiguous ? { index, ambiguousLetterIndex: byLetter } : { index };
}
