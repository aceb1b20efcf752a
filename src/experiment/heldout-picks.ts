// Which choice a final Solver picks on the held-out questions, right or wrong. A wrong pick is "stated"
// when the choice names something the question itself states: a number among its numbers, or a name or
// colour among its words. In the world's reasoning questions the typical mistakes are of this kind (an
// operand or the start year for arithmetic, the parent or the first town for two-hop; src/world/problems.ts),
// so the share of stated picks among wrong ones, set against the share of stated choices among the wrong
// choices (what a Solver that erred at random would pick), says whether training taught "answer what the
// question states" (docs/experiment.md, item 18's guess about number lookups).
import { kindOf } from './iteration-summary.ts';

export interface HeldoutQuestionRow {
  question_text: string;
  choices: readonly string[];
  /** The right letter, "A"… */
  ground_truth: string;
  topic?: string;
  question_type?: string;
}

export interface PickTally {
  /** Answers scored. */
  answers: number;
  right: number;
  /** Wrong picks of a choice the question states. */
  stated: number;
  /** Wrong picks of any other choice (or text that is no choice). */
  other: number;
  /** Nothing boxed. */
  none: number;
  /** Over the answers' questions: wrong choices the question states, and wrong choices in all (the chance share of stated among wrong picks). */
  statedChoices: number;
  wrongChoices: number;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const numbersIn = (text: string): number[] => (text.match(/\d+/g) ?? []).map(Number);

/** Does `choice` name something `question` states? Numbers by value, other text as a whole word or phrase. */
export function isStated(question: string, choice: string): boolean {
  const n = numbersIn(choice);
  if (n.length > 0) {
    const stated = new Set(numbersIn(question));
    return n.every((x) => stated.has(x));
  }
  const escaped = choice.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return escaped !== '' && new RegExp(`\\b${escaped}\\b`, 'i').test(question);
}

/** The choice a prediction names: its index for a single letter ("b" → 1), else -1 (null, boxed text). */
export function choiceIndex(prediction: string | null): number {
  return prediction !== null && prediction.length === 1 ? LETTERS.indexOf(prediction.toUpperCase()) : -1;
}

/** Index of held-out question `i`'s right choice; throws when its ground truth names none of its choices. */
export function rightChoice(q: HeldoutQuestionRow, i: number): number {
  const right = LETTERS.indexOf(q.ground_truth.trim().toUpperCase());
  if (right < 0 || right >= q.choices.length) throw new Error(`held-out question ${i} has ground truth ${JSON.stringify(q.ground_truth)} outside its ${q.choices.length} choices`);
  return right;
}

const emptyTally = (): PickTally => ({ answers: 0, right: 0, stated: 0, other: 0, none: 0, statedChoices: 0, wrongChoices: 0 });

/**
 * Tallies `predictions` (per question, in file order, each answer's prediction: a letter, other boxed text,
 * or null) against `questions`, per kind "topic/question_type". Throws when the two do not line up.
 */
export function tallyPicks(questions: readonly HeldoutQuestionRow[], predictions: readonly (readonly (string | null)[])[]): Record<string, PickTally> {
  if (predictions.length > questions.length) {
    throw new Error(`held-out picks: ${predictions.length} questions answered but the held-out file has ${questions.length}`);
  }
  const out: Record<string, PickTally> = {};
  predictions.forEach((answers, i) => {
    const q = questions[i];
    const right = rightChoice(q, i);
    const stated = q.choices.map((c, j) => j !== right && isStated(q.question_text, c));
    const statedCount = stated.filter(Boolean).length;
    const t = (out[kindOf(q.topic ?? null, q.question_type ?? null)] ??= emptyTally());
    for (const p of answers) {
      t.answers++;
      t.wrongChoices += q.choices.length - 1;
      t.statedChoices += statedCount;
      if (p === null) { t.none++; continue; }
      const j = choiceIndex(p);
      if (j === right) t.right++;
      else if (j >= 0 && j < q.choices.length && stated[j]) t.stated++;
      else t.other++;
    }
  });
  return out;
}

/** Adds `b` into `a`, kind by kind. */
export function mergePicks(a: Record<string, PickTally>, b: Record<string, PickTally>): Record<string, PickTally> {
  for (const [k, t] of Object.entries(b)) {
    const s = (a[k] ??= emptyTally());
    for (const key of Object.keys(t) as (keyof PickTally)[]) s[key] += t[key];
  }
  return a;
}
