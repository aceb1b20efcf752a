// Solver answer extraction and scoring (spec §3.6), a literal port of the reference's
// utils/mcq_utils.py: _extract_boxed_content, _strip_latex_wrappers, extract_boxed_answer, is_correct.
// Called by Stages 1 and 3 on decoded Solver responses; rewards.ts maps the score to (1).

/** 1 correct, 0 wrong, null when nothing is extractable (§1.1 "Answer score"). */
export type AnswerScore = 1 | 0 | null;

const BOXED = /\\boxed\s*\{/gi;
const WRAPPER = /^\\(?:text|textbf|textit|textrm|mathrm|mathbf|mathit|operatorname)\{(.+)\}$/s;
const LETTER = /^\p{L}$/u;

/** §3.6 steps 1–2: trimmed content of the last `\boxed{…}` (depth counting), or null if unbalanced or empty. */
export function extractLastBoxed(text: string): string | null {
  let start = -1;
  for (const match of text.matchAll(BOXED)) start = match.index + match[0].length;
  if (start < 0) return null;
  let depth = 1;
  let i = start;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
  }
  if (depth !== 0) return null;
  const content = text.slice(start, i - 1).trim();
  return content === '' ? null : content;
}

/** §3.6 step 3: repeatedly strip `\text{…}`-style wrappers spanning the whole (trimmed) content. */
export function stripLatexWrappers(text: string): string {
  let result = text.trim();
  for (;;) {
    const match = WRAPPER.exec(result);
    if (match === null) return result;
    result = match[1].trim();
  }
}

/**
 * §3.6 step 4: the prediction. If the uppercased content starts with a letter, that one letter
 * (so `\boxed{Answer: B}` predicts "A", deliberately, for parity); otherwise the trimmed content.
 */
export function extractAnswer(response: string): string | null {
  const content = extractLastBoxed(response);
  if (content === null) return null;
  const stripped = stripLatexWrappers(content);
  const first = [...stripped.toUpperCase().trim()][0];
  if (first !== undefined && LETTER.test(first)) return first;
  const trimmed = stripped.trim();
  return trimmed === '' ? null : trimmed;
}

/** §3.6 step 5: compares after uppercasing and trimming both sides, as the reference's is_correct. */
export function scorePrediction(prediction: string | null, correctLetter: string): AnswerScore {
  if (prediction === null) return null;
  return prediction.toUpperCase().trim() === correctLetter.toUpperCase().trim() ? 1 : 0;
}

/** Extracts and scores one Solver response against the correct letter ("ABCDEFGH"[correct_index]). */
export function scoreResponse(response: string, correctLetter: string): AnswerScore {
  return scorePrediction(extractAnswer(response), correctLetter);
}
