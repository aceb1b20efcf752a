// Generator response -> validated MCQ fields (spec §3.2 parsing, §3.3 validation and reject reasons).
// Mirrors the reference's utils/question_parser.py (extract_thinking_and_json, fix_json_escapes,
// parse_generated_question_response, parse_generated_questions) step for step, MCQ only.
// Called by Stage 2 on decoded text (special tokens already skipped); question-record.ts shuffles the result.
// Pure: no randomness, no I/O.

export type ParseRejectReason = 'failed_parse' | 'empty_question' | 'invalid_ground_truth' | 'duplicate_choices';

export type ParsedQuestion =
  | { ok: true; question_text: string; choices: string[]; ground_truth: string }
  | { ok: false; reason: ParseRejectReason };

export interface ParseOptions {
  /** Parity switch (§9.6): accept choices that repeat after trimming and case-folding, as the reference does. */
  allowDuplicateChoices?: boolean;
}

// The reference caps its brute-force recovery so long garbage cannot stall parsing (§3.2 step 4).
const FALLBACK_MAX_CHARS = 16384;
const FALLBACK_MAX_BRACES = 8;
const MIN_CHOICES = 4;
const MAX_CHOICES = 8;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

type JsonObject = Record<string, unknown>;

/** §3.2 step 1: drop `<think>…</think>` blocks and code-fence markers (with following whitespace), trim. */
export function cleanResponse(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>/g, '')
    .replace(/```json\s*/g, '')
    .replace(/```\s*/g, '')
    .trim();
}

/** §3.2 step 2: [start, endExclusive) of every top-level balanced `{…}`, ignoring braces inside JSON strings. */
export function findTopLevelBraceSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (escaped) {
      escaped = false;
    } else if (inString) {
      if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0 && start >= 0) {
        spans.push([start, i + 1]);
        start = -1;
      }
    }
  }
  return spans;
}

const ASCII_LETTER = /[a-zA-Z]/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * §3.2 step 3 escape repair, one left-to-right pass equivalent to the reference's three regex passes:
 * (i) an existing `\\` pair is kept; (ii) `\b \f \n \r \t` before an ASCII letter is LaTeX (`\frac`,
 * `\beta`), so its backslash is doubled; (iii) any other backslash not starting a valid JSON escape is
 * doubled. `\u` + 4 hex digits counts as valid (lab); a backslash before a newline or at the end is left,
 * as Python's `.` never matches a newline.
 */
export function repairJsonEscapes(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch !== '\\' || next === undefined || next === '\n') {
      out += ch;
      continue;
    }
    i++;
    if (next === '\\') out += '\\\\';
    else if ('bfnrt'.includes(next) && ASCII_LETTER.test(text[i + 1] ?? '')) out += '\\\\' + next;
    else if ('"/bfnrt'.includes(next) || (next === 'u' && HEX4.test(text.slice(i + 1, i + 5)))) out += '\\' + next;
    else out += '\\\\' + next;
  }
  return out;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(candidate: string): JsonObject | null {
  for (const text of [repairJsonEscapes(candidate), candidate]) {
    try {
      const value: unknown = JSON.parse(text);
      return isObject(value) ? value : null;
    } catch {
      // try the next form: repaired first, then raw (reference _try_parse_json_candidate)
    }
  }
  return null;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// Python's str() of a JSON scalar; booleans are ints in Python, so True/False pass as "True"/"False".
function scalarText(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** §3.2 step 6 scalar normalisation (reference _normalize_string_field); null when it fails. */
export function normalizeStringField(value: unknown, allowList = false): string | null {
  if (isScalar(value)) return scalarText(value);
  if (allowList && Array.isArray(value) && value.every(isScalar)) return value.map(scalarText).join(' ');
  if (isObject(value)) {
    const values = Object.values(value);
    if (values.length === 1 && isScalar(values[0])) return scalarText(values[0]);
  }
  return null;
}

/** §3.2 step 6 choices: a list of scalars, or an object keyed A, B, … (or a, b, …) up to the first gap. */
export function normalizeChoices(value: unknown): string[] | null {
  let items: unknown[];
  if (Array.isArray(value)) {
    items = value;
  } else if (isObject(value)) {
    items = [];
    for (const letter of LETTERS) {
      if (Object.hasOwn(value, letter)) items.push(value[letter]);
      else if (Object.hasOwn(value, letter.toLowerCase())) items.push(value[letter.toLowerCase()]);
      else break;
    }
  } else {
    return null;
  }
  const out: string[] = [];
  for (const item of items) {
    const text = normalizeStringField(item);
    if (text === null) return null;
    out.push(text);
  }
  return out;
}

/** §3.3: keys `question_text` and `ground_truth` present and 4–8 normalised choices (MCQ only). */
export function validatesAsMcq(obj: JsonObject): boolean {
  if (!Object.hasOwn(obj, 'question_text') || !Object.hasOwn(obj, 'ground_truth')) return false;
  const choices = normalizeChoices(obj.choices);
  return choices !== null && choices.length >= MIN_CHOICES && choices.length <= MAX_CHOICES;
}

interface Candidate {
  obj: JsonObject;
  start: number;
}

// §3.2 step 4: for each of the first 8 `{`, the longest `{…}` ending in `}` that parses.
function fallbackCandidates(text: string): Candidate[] {
  const closes: number[] = [];
  const opens: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '}') closes.push(i);
    else if (text[i] === '{' && opens.length < FALLBACK_MAX_BRACES) opens.push(i);
  }
  const found: Candidate[] = [];
  for (const start of opens) {
    for (let c = closes.length - 1; c >= 0 && closes[c] > start; c--) {
      const obj = parseJsonObject(text.slice(start, closes[c] + 1));
      if (obj !== null) {
        found.push({ obj, start });
        break;
      }
    }
  }
  return found;
}

/** §3.2 steps 1–5: the validated object with the latest start offset, or null. */
export function extractQuestionObject(response: string): JsonObject | null {
  const text = cleanResponse(response);
  if (!text.includes('{')) return null;
  let parsed: Candidate[] = [];
  for (const [start, end] of findTopLevelBraceSpans(text)) {
    const obj = parseJsonObject(text.slice(start, end));
    if (obj !== null) parsed.push({ obj, start });
  }
  if (parsed.length === 0 && text.length <= FALLBACK_MAX_CHARS) parsed = fallbackCandidates(text);
  let best: Candidate | null = null;
  for (const candidate of parsed) {
    if (validatesAsMcq(candidate.obj) && (best === null || candidate.start > best.start)) best = candidate;
  }
  return best?.obj ?? null;
}

function foldKey(text: string): string {
  return text.trim().toLowerCase();
}

/** Parses and validates one Generator response (§3.2–3.3); the first reject reason that applies wins. */
export function parseGeneratorResponse(response: string, options: ParseOptions = {}): ParsedQuestion {
  const obj = extractQuestionObject(response);
  if (obj === null) return { ok: false, reason: 'failed_parse' };
  const questionText = normalizeStringField(obj.question_text, true);
  const rawTruth = normalizeStringField(obj.ground_truth);
  const choices = normalizeChoices(obj.choices);
  if (questionText === null || rawTruth === null || choices === null) return { ok: false, reason: 'failed_parse' };
  let groundTruth = rawTruth;
  if (rawTruth !== '' && !choices.includes(rawTruth)) {
    groundTruth = choices.find((choice) => foldKey(choice) === foldKey(rawTruth)) ?? rawTruth;
  }
  if (questionText.trim() === '') return { ok: false, reason: 'empty_question' };
  if (groundTruth.trim() === '' || !choices.includes(groundTruth)) return { ok: false, reason: 'invalid_ground_truth' };
  if (!options.allowDuplicateChoices && new Set(choices.map(foldKey)).size !== choices.length) {
    return { ok: false, reason: 'duplicate_choices' };
  }
  return { ok: true, question_text: questionText, choices, ground_truth: groundTruth };
}
