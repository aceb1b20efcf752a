// Does a two-hop question of the built-in world offer its one-hop trap? A two-hop question asks for the
// end of a chain of two facts; a Solver that follows only the first link lands on the one-hop answer
// (the parent instead of the grandparent, the first town instead of the second, the substance's own
// colour instead of its source's). problems.ts always puts that answer among the distractors, so the
// dev and held-out questions test the trap; a Generator's questions need not, and a Solver trained on
// trap-free questions is never pushed off the one-hop habit. The facts are read by question-check.ts.

import {
  factOf, GRANDPARENT_QUESTION, MADE_FROM_COLOR_QUESTION, readFacts, sentences, TWO_ROADS_QUESTION, type Facts,
} from './question-check.ts';

export const TWO_HOP_KINDS = ['kinship', 'travel', 'chemistry'] as const;
export type TwoHopKind = (typeof TWO_HOP_KINDS)[number];

export interface OneHopAnswer { kind: TwoHopKind; answer: string }

/**
 * How a question's choices stand to its one-hop answer: `offered` (a choice other than the golden one is
 * it: the trap), `absent` (no choice is), `golden` (the golden choice is it: the stated facts make both
 * hops land on one name, or the label took the trap), `unstated` (the facts lack the one-hop link).
 */
export type TrapStatus = 'offered' | 'absent' | 'golden' | 'unstated';

const FORMS: [TwoHopKind, RegExp, (m: RegExpExecArray, f: Facts) => string | null][] = [
  ['kinship', GRANDPARENT_QUESTION, (m, f) => factOf(f, f.parent, m[1])],
  ['travel', TWO_ROADS_QUESTION, (m, f) => factOf(f, f.leadsTo, m[1])],
  ['chemistry', MADE_FROM_COLOR_QUESTION, (m, f) => factOf(f, f.color, m[1])],
];

/** The two-hop kind of a question and its one-hop answer (null when the facts lack it); null when not two-hop. */
function oneHop(questionText: string): { kind: TwoHopKind; answer: string | null } | null {
  const parts = sentences(questionText);
  const question = parts[parts.length - 1] ?? '';
  for (const [kind, pattern, first] of FORMS) {
    const m = pattern.exec(question);
    if (m !== null) return { kind, answer: first(m, readFacts(parts.slice(0, -1))) };
  }
  return null;
}

/**
 * The answer one hop gives for the world's two-hop question forms: the parent of C ("Who is the
 * grandparent of C?"), the town one road from A ("Which town do you reach from A after two roads?"),
 * X's own colour ("What color is the substance that X is made from?"). Null when the text is none of
 * these forms or does not state (or contradicts) the fact the one hop reads.
 */
export function oneHopAnswer(questionText: string): OneHopAnswer | null {
  const hop = oneHop(questionText);
  return hop === null || hop.answer === null ? null : { kind: hop.kind, answer: hop.answer };
}

/** Choices are compared as the world's duplicate check does: trimmed, case ignored. */
const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Whether a question's choices offer its one-hop answer as a distractor; null when the question is no
 * two-hop form. `golden`: the text of the labelled choice (null when unknown: then any choice counts).
 */
export function oneHopTrap(questionText: string, choices: readonly string[], golden: string | null): { kind: TwoHopKind; status: TrapStatus } | null {
  const hop = oneHop(questionText);
  if (hop === null) return null;
  const trap = hop.answer;
  if (trap === null) return { kind: hop.kind, status: 'unstated' };
  if (golden !== null && same(golden, trap)) return { kind: hop.kind, status: 'golden' };
  return { kind: hop.kind, status: choices.some((c) => same(c, trap)) ? 'offered' : 'absent' };
}
