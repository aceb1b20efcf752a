// Where the right number stands among a question's numeric choices (largest, second, …), in the target's
// questions and in the questions a Solver trained on, and how often a final Solver picks the largest.
// A curriculum whose right answer is mostly the largest number teaches "pick the largest", which a target
// whose sums always carry a total+1 distractor punishes (docs/experiment.md, item 27: the world's travel
// and timeline sums never have the right number largest; the Generator's sums have it so in half).
import { kindOf, rowKind } from './iteration-summary.ts';
import { choiceIndex, rightChoice, type HeldoutQuestionRow } from './heldout-picks.ts';
import type { QuestionRow } from '../infuser/run-records.ts';

/** The first number a choice names ("year 53" → 53), or null. */
function firstNumber(choice: string): number | null {
  const m = /\d+(?:\.\d+)?/.exec(choice);
  return m === null ? null : Number(m[0]);
}

/**
 * Rank of choice `index` among the choices' numbers, 0 for the largest; null unless every choice names a
 * number and no two name the same one (a rank would then be ambiguous).
 */
export function numericRank(choices: readonly string[], index: number): number | null {
  const values = choices.map(firstNumber);
  if (index < 0 || index >= values.length || values.some((v) => v === null)) return null;
  const nums = values as number[];
  if (new Set(nums).size !== nums.length) return null;
  return nums.filter((v) => v > nums[index]).length;
}

export interface RankTally {
  /** Questions whose choices are distinct numbers. */
  questions: number;
  /** rightRank[r]: questions whose right choice has rank r (0 = largest). */
  rightRank: number[];
}

export interface PickRankTally extends RankTally {
  /** Answers to those questions. */
  answers: number;
  right: number;
  /** Answers that picked the largest number. */
  largest: number;
  /** Per place of the right number (0 = largest): answers to such questions, and the right ones. */
  answersByPlace: number[];
  rightByPlace: number[];
}

const addRank = (t: RankTally, r: number) => {
  while (t.rightRank.length <= r) t.rightRank.push(0);
  t.rightRank[r]++;
  t.questions++;
};

/**
 * Per kind "topic/question_type": the right choice's rank in the held-out questions with numeric choices
 * and, for `predictions` (per question in file order, each answer's letter, other text or null), the
 * answers that are right and that pick the largest number. Throws when the two do not line up.
 */
export function tallyHeldoutRanks(questions: readonly HeldoutQuestionRow[], predictions: readonly (readonly (string | null)[])[]): Record<string, PickRankTally> {
  if (predictions.length > questions.length) {
    throw new Error(`choice ranks: ${predictions.length} questions answered but the held-out file has ${questions.length}`);
  }
  const out: Record<string, PickRankTally> = {};
  predictions.forEach((answers, i) => {
    const q = questions[i];
    const right = rightChoice(q, i);
    const rank = numericRank(q.choices, right);
    if (rank === null) return;
    const t = (out[kindOf(q.topic ?? null, q.question_type ?? null)] ??= {
      questions: 0, rightRank: [], answers: 0, right: 0, largest: 0, answersByPlace: [0, 0, 0, 0], rightByPlace: [0, 0, 0, 0],
    });
    addRank(t, rank);
    for (const p of answers) {
      t.answers++;
      t.answersByPlace[rank] = (t.answersByPlace[rank] ?? 0) + 1;
      const j = choiceIndex(p);
      if (j === right) {
        t.right++;
        t.rightByPlace[rank] = (t.rightByPlace[rank] ?? 0) + 1;
      }
      if (j >= 0 && j < q.choices.length && numericRank(q.choices, j) === 0) t.largest++;
    }
  });
  return out;
}

export interface CurriculumRankTally extends RankTally {
  /** Per rank: the summed percentile of the questions' influence within their iteration (0 lowest, 1 highest), and how many had one. */
  influencePercentile: number[];
  scored: number[];
}

/**
 * Per kind (rowKind): the right choice's rank in the valid questions a Solver trained on (`solver_trained`;
 * runs saved before that field count every valid question) and, where questions carry influence, its mean
 * percentile within the iteration per rank.
 */
export function tallyCurriculumRanks(rows: readonly QuestionRow[]): Record<string, CurriculumRankTally> {
  const percentile = new Map<QuestionRow, number>();
  const byIteration = new Map<number, QuestionRow[]>();
  for (const q of rows) {
    if (!q.valid || q.influence === null) continue;
    const list = byIteration.get(q.iteration) ?? [];
    list.push(q);
    byIteration.set(q.iteration, list);
  }
  for (const list of byIteration.values()) {
    const sorted = [...list].sort((a, b) => (a.influence as number) - (b.influence as number));
    sorted.forEach((q, i) => percentile.set(q, sorted.length === 1 ? 0.5 : i / (sorted.length - 1)));
  }
  const out: Record<string, CurriculumRankTally> = {};
  for (const q of rows) {
    if (!q.valid || q.choices === null || q.answer === null || q.solver_trained === false) continue;
    const rank = numericRank(q.choices, choiceIndex(q.answer));
    if (rank === null) continue;
    const t = (out[rowKind(q)] ??= { questions: 0, rightRank: [], influencePercentile: [], scored: [] });
    addRank(t, rank);
    const p = percentile.get(q);
    while (t.scored.length <= rank) { t.scored.push(0); t.influencePercentile.push(0); }
    if (p !== undefined) { t.scored[rank]++; t.influencePercentile[rank] += p; }
  }
  return out;
}

/** Adds `b` into `a`, kind by kind (every numeric field; arrays element-wise). */
export function mergeRanks<T extends RankTally>(a: Record<string, T>, b: Record<string, T>): Record<string, T> {
  for (const [k, t] of Object.entries(b)) {
    const s = a[k];
    if (s === undefined) { a[k] = structuredClone(t); continue; }
    for (const key of Object.keys(t) as (keyof T)[]) {
      const x = t[key], y = s[key];
      if (typeof x === 'number') (s[key] as number) = (y as number) + x;
      else if (Array.isArray(x)) {
        const arr = y as number[];
        x.forEach((v: number, i: number) => { arr[i] = (arr[i] ?? 0) + v; });
      }
    }
  }
  return a;
}

/**
 * Two versions of a numeric question's choices that differ only in distractor values: in `largest` the
 * right number is the largest choice, in `notLargest` it is not; one of them is the choices as given.
 * Letters and the right choice stay where they are. A distractor is moved across the right number by
 * mirroring it (right ± its distance), or to the nearest free number on that side when the mirror is taken
 * or negative. Null when the choices are not distinct numbers written alike ("year N", "N miles", "N").
 */
export function orderTwins(choices: readonly string[], correct: number): { largest: string[]; notLargest: string[] } | null {
  const parts = choices.map((c) => /^(\D*?)(\d+)(\D*)$/.exec(c));
  if (parts.some((p) => p === null) || correct < 0 || correct >= choices.length) return null;
  const [pre, post] = [parts[0]![1], parts[0]![3]];
  if (parts.some((p) => p![1] !== pre || p![3] !== post)) return null;
  const nums = parts.map((p) => Number(p![2]));
  if (new Set(nums).size !== nums.length) return null;
  const right = nums[correct];
  const write = (ns: number[]) => ns.map((n) => `${pre}${n}${post}`);
  const place = (ns: number[], i: number, preferred: number, step: 1 | -1): boolean => {
    const free = (m: number) => m >= 0 && (m - right) * step > 0 && !ns.includes(m);
    const candidates = [preferred];
    for (let m = right + step; m >= 0 && candidates.length < 1000; m += step) candidates.push(m);
    const m = candidates.find(free);
    if (m !== undefined) ns[i] = m;
    return m !== undefined;
  };
  const largest = [...nums];
  for (let i = 0; i < nums.length; i++) {
    if (i !== correct && nums[i] > right && !place(largest, i, 2 * right - nums[i], -1)) return null;
  }
  const notLargest = [...nums];
  if (nums.every((n, i) => i === correct || n < right)) {
    // The distractor nearest below goes as far above.
    const below = nums.map((n, i) => [n, i]).filter(([, i]) => i !== correct).sort((a, b) => b[0] - a[0])[0][1];
    if (!place(notLargest, below, 2 * right - nums[below], 1)) return null;
  }
  return { largest: write(largest), notLargest: write(notLargest) };
}
