// Accepted Generator row -> question record with shuffled choices (spec §3.4, §9.2).
// Stage 2 calls buildQuestionRecord on each parser success (question-parser.ts); Stages 3–6 read the
// record; prompts.ts shows `choices` in record order and answer-extraction.ts scores against correctLetter.
// Invariant: the correct answer is found by choice text (§9.2), never by reading the ground truth as a letter.
import { streamFor } from './rng.ts';
import { sha256Hex } from './sha256.ts';

export interface QuestionRecord {
  question_id: string;
  doc_id: string;
  slot: number;
  question_text: string;
  /** Choices in display order (after the shuffle). */
  choices: string[];
  correct_index: number;
  ground_truth_text: string;
}

/** Where a row sits in the run: the `choice_shuffle` key (iteration, slot, row) plus its document. */
export interface RowPosition {
  seed: number;
  iteration: number;
  slot: number;
  row: number;
  docId: string;
}

export interface AcceptedQuestion {
  question_text: string;
  choices: string[];
  ground_truth: string;
}

const LETTERS = 'ABCDEFGH';

/** The uniform permutation for one row from stream `choice_shuffle` keyed by (iteration, slot, row). */
export function choicePermutation(seed: number, iteration: number, slot: number, row: number, n: number): number[] {
  return streamFor(seed, 'choice_shuffle', iteration, slot, row).permutation(n);
}

function checkPermutation(perm: readonly number[], n: number): void {
  const seen = new Set(perm);
  if (perm.length !== n || seen.size !== n || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= n)) {
    throw new Error(`question-record: [${perm.join(', ')}] is not a permutation of 0..${n - 1}`);
  }
}

/**
 * Applies `perm` (perm[j] = original index shown at position j) and locates the ground truth by text:
 * correct_index = perm.indexOf(choices.indexOf(groundTruth)).
 */
export function shuffleChoices(
  choices: readonly string[],
  groundTruth: string,
  perm: readonly number[],
): { choices: string[]; correct_index: number } {
  checkPermutation(perm, choices.length);
  const original = choices.indexOf(groundTruth);
  if (original < 0) throw new Error(`question-record: ground truth "${groundTruth}" is not one of the choices`);
  return { choices: perm.map((p) => choices[p]), correct_index: perm.indexOf(original) };
}

/** The lab's id `gen_{iteration}_{doc_id}_{row}_{h8}`, h8 = first 8 hex digits of SHA-256(question_text). */
export function questionId(iteration: number, docId: string, row: number, questionText: string): string {
  return `gen_${iteration}_${docId}_${row}_${sha256Hex(questionText).slice(0, 8)}`;
}

/** The correct letter "ABCDEFGH"[correct_index]. */
export function correctLetter(record: Pick<QuestionRecord, 'correct_index'>): string {
  const letter = LETTERS[record.correct_index];
  if (letter === undefined) throw new Error(`question-record: correct_index ${record.correct_index} is outside A-H`);
  return letter;
}

/** §3.4: the record for an accepted row, choices shuffled once with the row's `choice_shuffle` stream. */
export function buildQuestionRecord(question: AcceptedQuestion, at: RowPosition): QuestionRecord {
  const perm = choicePermutation(at.seed, at.iteration, at.slot, at.row, question.choices.length);
  return recordWithPermutation(question, at, perm);
}

/** As buildQuestionRecord, with an explicit permutation (fixtures, replays). */
export function recordWithPermutation(
  question: AcceptedQuestion,
  at: Omit<RowPosition, 'seed'>,
  perm: readonly number[],
): QuestionRecord {
  const shuffled = shuffleChoices(question.choices, question.ground_truth, perm);
  return {
    question_id: questionId(at.iteration, at.docId, at.row, question.question_text),
    doc_id: at.docId,
    slot: at.slot,
    question_text: question.question_text,
    choices: shuffled.choices,
    correct_index: shuffled.correct_index,
    ground_truth_text: question.ground_truth,
  };
}
