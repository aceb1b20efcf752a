import { describe, expect, it } from 'vitest';
import { mergeRanks, numericRank, orderTwins, tallyCurriculumRanks, tallyHeldoutRanks } from './choice-rank.ts';
import { HOP_QUESTION, SUM_QUESTION } from './heldout-fixtures.ts';
import type { QuestionRow } from '../infuser/run-records.ts';

const sum = SUM_QUESTION;
const hop = HOP_QUESTION;

function row(iteration: number, choices: string[], answer: string, influence: number | null, extra: Partial<QuestionRow> = {}): QuestionRow {
  return {
    iteration, slot: 0, row: 0, doc_id: 'd', topic: 'travel', question_type: 'arithmetic', question_id: null,
    question: 'How many miles is the trip?', choices, answer, valid: true, rejection: null, solver_accuracy: 0.5,
    degenerate: false, influence, layer_scores: null, reward: 0, advantage: 0, solver_trained: true, response: '', ...extra,
  } as QuestionRow;
}

describe('choice ranks', () => {
  it('ranks a choice among the numbers, 0 for the largest; null without distinct numbers everywhere', () => {
    expect(numericRank(sum.choices, 3)).toBe(1);
    expect(numericRank(sum.choices, 2)).toBe(0);
    expect(numericRank(sum.choices, 0)).toBe(3);
    expect(numericRank(['2.5 miles', '10 miles', '3 miles', '1 miles'], 0)).toBe(2);
    expect(numericRank(hop.choices, 2)).toBeNull();
    expect(numericRank(['4', '4', '5', '6'], 2)).toBeNull();
    expect(numericRank(['4', '5'], 5)).toBeNull();
  });

  it('tallies the right rank of numeric held-out questions, and the answers that are right or pick the largest', () => {
    const t = tallyHeldoutRanks([sum, hop], [['D', 'C', 'c', null], ['C']]);
    // The right number is the second largest: all four answers count at place 1, the one right answer too.
    expect(t['timeline/arithmetic']).toEqual({
      questions: 1, rightRank: [0, 1], answers: 4, right: 1, largest: 2, answersByPlace: [0, 4, 0, 0], rightByPlace: [0, 1, 0, 0],
    });
    expect(t['kinship/two_hop']).toBeUndefined();
    expect(mergeRanks(mergeRanks({}, t), t)['timeline/arithmetic']).toEqual({
      questions: 2, rightRank: [0, 2], answers: 8, right: 2, largest: 4, answersByPlace: [0, 8, 0, 0], rightByPlace: [0, 2, 0, 0],
    });
    expect(t['timeline/arithmetic'].rightRank).toEqual([0, 1]);
    expect(() => tallyHeldoutRanks([sum], [['A'], ['B']])).toThrow(/2 questions answered but the held-out file has 1/);
    expect(() => tallyHeldoutRanks([{ ...sum, ground_truth: 'E' }], [['A']])).toThrow(/question 0 has ground truth "E"/);
  });

  it('tallies the curriculum by rank with the influence percentile within each iteration, skipping untrained rows', () => {
    const rows = [
      row(0, ['9', '5', '4', '1'], 'A', 3), // largest, top of iteration 0
      row(0, ['9', '5', '4', '1'], 'B', 1), // second, bottom
      row(0, ['9', '5', '4', '1'], 'B', 2, { solver_trained: false }), // scored but not trained on: ranks others, not tallied
      row(1, ['2', '7', '3', '1'], 'B', 0.5), // alone in iteration 1: percentile 0.5
      row(1, ['2', '2', '3', '1'], 'C', null), // repeated number: no rank
      row(1, ['x', '7', '3', '1'], 'B', null, { valid: false }),
    ];
    const t = tallyCurriculumRanks(rows)['travel/arithmetic'];
    expect(t.questions).toBe(3);
    expect(t.rightRank).toEqual([2, 1]);
    expect(t.scored).toEqual([2, 1]);
    expect(t.influencePercentile[0]).toBeCloseTo(1 + 0.5, 12);
    expect(t.influencePercentile[1]).toBeCloseTo(0, 12);
  });
});

describe('order twins', () => {
  it('mirrors the distractors above the right number below it, and the nearest below above it, keeping letters', () => {
    // Right 30 (C), second largest: the original is the not-largest twin.
    const t = orderTwins(['year 12', 'year 18', 'year 30', 'year 31'], 2)!;
    expect(t.notLargest).toEqual(['year 12', 'year 18', 'year 30', 'year 31']);
    expect(t.largest).toEqual(['year 12', 'year 18', 'year 30', 'year 29']);
    // Right 9 (A) largest: 7 mirrors to 11.
    const u = orderTwins(['9', '7', '2', '4'], 0)!;
    expect(u.largest).toEqual(['9', '7', '2', '4']);
    expect(u.notLargest).toEqual(['9', '11', '2', '4']);
    for (const [twin, largest] of [[t.largest, true], [t.notLargest, false], [u.largest, true], [u.notLargest, false]] as const) {
      const correct = twin === t.largest || twin === t.notLargest ? 2 : 0;
      expect(numericRank(twin, correct) === 0).toBe(largest);
      expect(new Set(twin).size).toBe(4);
    }
  });

  it('takes the nearest free number when a mirror is taken or negative, and refuses when none is left', () => {
    // 5 mirrors to 1, which is taken: the nearest free below 3 is 2; 9 mirrors to -3: then 0.
    expect(orderTwins(['3', '5', '1', '9'], 0)!.largest).toEqual(['3', '2', '1', '0']);
    expect(orderTwins(['1', '5', '0', '9'], 0)).toBeNull();
    expect(orderTwins(['12 miles', 'year 3', '4 miles', '5 miles'], 0)).toBeNull();
    expect(orderTwins(['Geba', '3', '4', '5'], 1)).toBeNull();
  });
});
