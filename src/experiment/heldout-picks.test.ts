import { describe, expect, it } from 'vitest';
import { isStated, mergePicks, tallyPicks } from './heldout-picks.ts';
import { HOP_QUESTION, SUM_QUESTION } from './heldout-fixtures.ts';

const sum = SUM_QUESTION;
const hop = HOP_QUESTION;

describe('held-out picks', () => {
  it('a choice is stated when its number, or its name as a whole word, is in the question', () => {
    expect(isStated(sum.question_text, 'year 53')).toBe(true);
    expect(isStated(sum.question_text, 'year 5')).toBe(false);
    expect(isStated(sum.question_text, 'year 49')).toBe(false);
    expect(isStated(hop.question_text, 'Jiminas')).toBe(true);
    expect(isStated(hop.question_text, 'Sar')).toBe(false);
    expect(isStated(hop.question_text, 'Zufoma')).toBe(false);
    expect(isStated('Fegudam is green. What color is it?', 'green')).toBe(true);
  });

  it('tallies right, stated-wrong, other-wrong and unboxed answers per kind, with the chance share of stated wrong choices', () => {
    const t = tallyPicks([sum, hop], [['D', 'B', 'A', null], ['C', 'A', 'b', 'Zufoma']]);
    expect(t['timeline/arithmetic']).toEqual({ answers: 4, right: 1, stated: 1, other: 1, none: 1, statedChoices: 4, wrongChoices: 12 });
    // "A" is Saro and "b" Jiminas, both stated; boxed text that is no letter counts as another wrong pick.
    expect(t['kinship/two_hop']).toEqual({ answers: 4, right: 1, stated: 2, other: 1, none: 0, statedChoices: 8, wrongChoices: 12 });
    const merged = mergePicks(mergePicks({}, t), tallyPicks([sum], [['B']]));
    expect(merged['timeline/arithmetic'].stated).toBe(2);
    expect(merged['timeline/arithmetic'].answers).toBe(5);
  });

  it('refuses predictions that do not line up with the held-out file', () => {
    expect(() => tallyPicks([sum], [['A'], ['B']])).toThrow(/2 questions answered but the held-out file has 1/);
    expect(() => tallyPicks([{ ...sum, ground_truth: 'F' }], [['A']])).toThrow(/question 0 has ground truth "F"/);
  });
});
