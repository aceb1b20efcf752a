// Is a multiple-choice question about the built-in world labelled right? The world's questions state
// their facts in the world's own sentences (problems.ts), so a question the Generator writes in them can
// be solved from its own text: read the fact sentences, answer the question sentence, compare with the
// golden choice. This is what the Solver is rewarded against, so a wrong label teaches a wrong skill.
//
// Verdicts: `right` / `wrong` (the label disagrees with what the stated facts give), `unanswerable`
// (a question form the world asks, but the text lacks or contradicts the facts it needs) and `unknown`
// (not a question form of the world).

import type { QuestionType, Topic } from './problems.ts';

export type LabelVerdict = 'right' | 'wrong' | 'unanswerable' | 'unknown';

export interface LabelCheck {
  verdict: LabelVerdict;
  /** The answer the stated facts give, when there is one. */
  expected: string | null;
}

/** What a question's fact sentences state (readFacts); read a value with factOf. */
export interface Facts {
  parent: Map<string, string>;
  age: Map<string, number>;
  /** "name|item" → count; relative counts are resolved after all sentences are read. */
  has: Map<string, number>;
  more: { who: string; than: string; item: string; by: number }[];
  road: Map<string, number>;
  leadsTo: Map<string, string>;
  color: Map<string, string>;
  madeFrom: Map<string, string>;
  melts: Map<string, number>;
  began: Map<string, number>;
  lasted: Map<string, number>;
  /** Names stated twice with different values: any answer built on them is unanswerable. */
  conflicts: Set<string>;
}

const NAME = '([A-Z][a-z]+)';
const EVENT = '((?:the|The) [a-z]+ of [A-Z][a-z]+)';
const NUM = '(\\d+)';

/** First letter lower-cased: documents open sentences with "The flood of X", questions say "the flood of X". */
const eventKey = (e: string) => e.charAt(0).toLowerCase() + e.slice(1);

function set<V>(f: Facts, map: Map<string, V>, key: string, value: V): void {
  const old = map.get(key);
  if (old !== undefined && old !== value) f.conflicts.add(key);
  map.set(key, value);
}

/** The facts stated by a question's fact sentences (all sentences but the question). */
export function readFacts(sentences: readonly string[]): Facts {
  const f: Facts = {
    parent: new Map(), age: new Map(), has: new Map(), more: [], road: new Map(), leadsTo: new Map(),
    color: new Map(), madeFrom: new Map(), melts: new Map(), began: new Map(), lasted: new Map(), conflicts: new Set(),
  };
  let lastEvent: string | null = null;
  for (const s of sentences) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^${NAME} is the parent of ${NAME}\\.$`).exec(s))) set(f, f.parent, m[2], m[1]);
    else if ((m = new RegExp(`^${NAME} is ${NUM} years old\\.$`).exec(s))) set(f, f.age, m[1], Number(m[2]));
    else if ((m = new RegExp(`^${NAME} has ${NUM} more ([a-z]+) than ${NAME}\\.$`).exec(s))) {
      f.more.push({ who: m[1], by: Number(m[2]), item: m[3], than: m[4] });
    } else if ((m = new RegExp(`^${NAME} has ${NUM} ([a-z]+)\\.$`).exec(s))) set(f, f.has, `${m[1]}|${m[3]}`, Number(m[2]));
    else if ((m = new RegExp(`^The road from ${NAME} to ${NAME} is ${NUM} miles long\\.$`).exec(s))) set(f, f.road, `${m[1]}|${m[2]}`, Number(m[3]));
    else if ((m = new RegExp(`^The road from ${NAME} leads to ${NAME}\\.$`).exec(s))) set(f, f.leadsTo, m[1], m[2]);
    else if ((m = new RegExp(`^${NAME} is made from ${NAME}\\.$`).exec(s))) set(f, f.madeFrom, m[1], m[2]);
    else if ((m = new RegExp(`^${NAME} melts at ${NUM} degrees\\.$`).exec(s))) set(f, f.melts, m[1], Number(m[2]));
    else if ((m = new RegExp(`^${EVENT} began in year ${NUM}\\.$`).exec(s))) {
      lastEvent = eventKey(m[1]);
      set(f, f.began, lastEvent, Number(m[2]));
    } else if ((m = new RegExp(`^It lasted ${NUM} years\\.$`).exec(s)) && lastEvent !== null) set(f, f.lasted, lastEvent, Number(m[1]));
    else if ((m = new RegExp(`^${NAME} is ([a-z]+)\\.$`).exec(s))) set(f, f.color, m[1], m[2]);
  }
  for (const r of f.more) {
    const base = f.has.get(`${r.than}|${r.item}`);
    if (base !== undefined) set(f, f.has, `${r.who}|${r.item}`, base + r.by);
  }
  return f;
}

/** A value from the facts, or null when it is missing or stated inconsistently. */
export function factOf<V>(f: Facts, map: Map<string, V>, key: string): V | null {
  return f.conflicts.has(key) ? null : (map.get(key) ?? null);
}

/** The larger (or smaller) of two named values; null when either is missing or they tie. */
function pickBy(a: string, b: string, va: number | null, vb: number | null, larger: boolean): string | null {
  if (va === null || vb === null || va === vb) return null;
  return (va > vb) === larger ? a : b;
}

/** The (topic, type) a question form asks; "How many X does N have?" is arithmetic when N's count is stated relative to another's. */
type KindOf = readonly [Topic, QuestionType] | ((m: RegExpExecArray, f: Facts) => readonly [Topic, QuestionType]);
type Rule = [RegExp, (m: RegExpExecArray, f: Facts) => string | null, KindOf];

const HAS_KIND: KindOf = (m, f) => (f.more.some((r) => r.who === m[2] && r.item === m[1]) ? ['quantities', 'arithmetic'] : ['quantities', 'lookup']);

const num = (x: number | null, unit: (n: number) => string) => (x === null ? null : unit(x));
const miles = (n: number) => `${n} miles`;
const year = (n: number) => `year ${n}`;

// The two-hop question forms, named: one-hop-trap.ts reads the same sentences for the answer one hop gives.
export const GRANDPARENT_QUESTION = new RegExp(`^Who is the grandparent of ${NAME}\\?$`);
export const TWO_ROADS_QUESTION = new RegExp(`^Which town do you reach from ${NAME} after two roads\\?$`);
export const MADE_FROM_COLOR_QUESTION = new RegExp(`^What color is the substance that ${NAME} is made from\\?$`);

const RULES: Rule[] = [
  [new RegExp(`^Who is the parent of ${NAME}\\?$`), (m, f) => factOf(f, f.parent, m[1]), ['kinship', 'lookup']],
  [GRANDPARENT_QUESTION, (m, f) => {
    const p = factOf(f, f.parent, m[1]);
    return p === null ? null : factOf(f, f.parent, p);
  }, ['kinship', 'two_hop']],
  [new RegExp(`^Who is older, ${NAME} or ${NAME}\\?$`), (m, f) => pickBy(m[1], m[2], factOf(f, f.age, m[1]), factOf(f, f.age, m[2]), true), ['kinship', 'comparison']],
  [new RegExp(`^How many ([a-z]+) does ${NAME} have\\?$`), (m, f) => num(factOf(f, f.has, `${m[2]}|${m[1]}`), String), HAS_KIND],
  [new RegExp(`^Who has more ([a-z]+), ${NAME} or ${NAME}\\?$`), (m, f) =>
    pickBy(m[2], m[3], factOf(f, f.has, `${m[2]}|${m[1]}`), factOf(f, f.has, `${m[3]}|${m[1]}`), true), ['quantities', 'comparison']],
  [new RegExp(`^How many ([a-z]+) do ${NAME} and ${NAME} have together\\?$`), (m, f) => {
    const a = factOf(f, f.has, `${m[2]}|${m[1]}`);
    const b = factOf(f, f.has, `${m[3]}|${m[1]}`);
    return a === null || b === null ? null : String(a + b);
  }, ['quantities', 'arithmetic']],
  [new RegExp(`^How long is the road from ${NAME} to ${NAME}\\?$`), (m, f) => num(factOf(f, f.road, `${m[1]}|${m[2]}`), miles), ['travel', 'lookup']],
  [TWO_ROADS_QUESTION, (m, f) => {
    const b = factOf(f, f.leadsTo, m[1]);
    return b === null ? null : factOf(f, f.leadsTo, b);
  }, ['travel', 'two_hop']],
  [new RegExp(`^How many miles is the trip from ${NAME} to ${NAME} through ${NAME}\\?$`), (m, f) => {
    const a = factOf(f, f.road, `${m[1]}|${m[3]}`);
    const b = factOf(f, f.road, `${m[3]}|${m[2]}`);
    return a === null || b === null ? null : miles(a + b);
  }, ['travel', 'arithmetic']],
  [MADE_FROM_COLOR_QUESTION, (m, f) => {
    const base = factOf(f, f.madeFrom, m[1]);
    return base === null ? null : factOf(f, f.color, base);
  }, ['chemistry', 'two_hop']],
  [new RegExp(`^What color is ${NAME}\\?$`), (m, f) => factOf(f, f.color, m[1]), ['chemistry', 'lookup']],
  [new RegExp(`^Which melts at a lower temperature, ${NAME} or ${NAME}\\?$`), (m, f) =>
    pickBy(m[1], m[2], factOf(f, f.melts, m[1]), factOf(f, f.melts, m[2]), false), ['chemistry', 'comparison']],
  [new RegExp(`^In which year did ${EVENT} begin\\?$`), (m, f) => num(factOf(f, f.began, eventKey(m[1])), year), ['timeline', 'lookup']],
  [new RegExp(`^In which year did ${EVENT} end\\?$`), (m, f) => {
    const e = eventKey(m[1]);
    const start = factOf(f, f.began, e);
    const years = factOf(f, f.lasted, e);
    return start === null || years === null ? null : year(start + years);
  }, ['timeline', 'arithmetic']],
  [new RegExp(`^Which began first, ${EVENT} or ${EVENT}\\?$`), (m, f) => {
    const a = eventKey(m[1]);
    const b = eventKey(m[2]);
    return pickBy(a, b, factOf(f, f.began, a), factOf(f, f.began, b), false);
  }, ['timeline', 'comparison']],
];

/** Sentences of a question text: split after ".", "?" or "!" followed by a space. */
export function sentences(text: string): string[] {
  return text.trim().split(/(?<=[.?!])\s+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Checks `golden` (the text of the labelled choice) against what the question's own facts give. */
export function checkLabel(questionText: string, golden: string): LabelCheck {
  const parts = sentences(questionText);
  const question = parts[parts.length - 1] ?? '';
  for (const [pattern, solve] of RULES) {
    const m = pattern.exec(question);
    if (m === null) continue;
    const expected = solve(m, readFacts(parts.slice(0, -1)));
    if (expected === null) return { verdict: 'unanswerable', expected: null };
    const same = eventKey(expected) === eventKey(golden.trim());
    return { verdict: same ? 'right' : 'wrong', expected };
  }
  return { verdict: 'unknown', expected: null };
}

/**
 * The (topic, type) of a world question form, read from the question's text (its last sentence, and for
 * quantities its facts); null when the text is not a form of the world. A mixed world's document allows
 * several kinds, so the kind of a question written from it is known only from the question.
 */
export function questionKind(questionText: string): readonly [Topic, QuestionType] | null {
  const parts = sentences(questionText);
  const question = parts[parts.length - 1] ?? '';
  for (const [pattern, , kind] of RULES) {
    const m = pattern.exec(question);
    if (m === null) continue;
    return typeof kind === 'function' ? kind(m, readFacts(parts.slice(0, -1))) : kind;
  }
  return null;
}
