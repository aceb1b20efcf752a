import { describe, expect, it } from 'vitest';
import type { AnswerScore } from './answer-extraction.ts';
import {
  belowLiveFloor,
  type GeneratorRowStatus,
  generatorRowRewards,
  goldenPHat,
  influenceRewardsByQuestion,
  isDegenerate,
  majorityPHat,
  rZeroReward,
  rZeroRewardsByQuestion,
  solverRewards,
  spiceReward,
  spiceRewardsByQuestion,
} from './rewards.ts';

/** n_S scores with `correct` ones first, then zeros. */
function scoresWith(correct: number, n: number): AnswerScore[] {
  return Array.from({ length: n }, (_, i) => (i < correct ? 1 : 0));
}

describe('Solver reward (§3.7)', () => {
  it('(1) gives 1 only for a correct answer; wrong and null give 0', () => {
    expect(Array.from(solverRewards([1, 0, null, 1]))).toEqual([1, 0, 0, 1]);
  });

  it('degenerate means all scores equal after null → 0', () => {
    expect(isDegenerate([0, null, 0, 0])).toBe(true);
    expect(isDegenerate([1, 1, 1, 1])).toBe(true);
    expect(isDegenerate([1, 1, 0, null])).toBe(false);
  });
});

describe('Generator reward per row (§6.6)', () => {
  it('F-R1 rows [valid s=0.3, valid degenerate, failed_parse, prompt_too_long] → [0.3, 0, 0, 0]', () => {
    const rewardByQuestion = influenceRewardsByQuestion(['q1'], [0.3], ['q1', 'q2']);
    const rows: GeneratorRowStatus[] = [
      { status: 'valid', questionId: 'q1' },
      { status: 'valid', questionId: 'q2' },
      { status: 'failed_parse' },
      { status: 'prompt_too_long' },
    ];
    expect(Array.from(generatorRowRewards(rows, rewardByQuestion))).toEqual([0.3, 0, 0, 0]);
  });

  it('F-R2 scores map by question id; unscored valid questions get 0.0', () => {
    const map = influenceRewardsByQuestion(['q1', 'q2'], [1.25, -0.75], new Set(['q1', 'q2', 'q3']));
    expect(Object.fromEntries(map)).toEqual({ q1: 1.25, q2: -0.75, q3: 0.0 });
  });

  it('every reject reason gets the invalid penalty, which is configurable', () => {
    const reasons = ['failed_parse', 'empty_question', 'invalid_ground_truth', 'duplicate_choices', 'prompt_too_long', 'failed_check'];
    const rows = reasons.map((status) => ({ status }) as GeneratorRowStatus);
    expect(Array.from(generatorRowRewards(rows, new Map()))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(generatorRowRewards(rows, new Map(), -0.5))).toEqual([-0.5, -0.5, -0.5, -0.5, -0.5, -0.5]);
  });

  it('a valid row without a reward, an unknown status, or a stray scored id is an error', () => {
    expect(() => generatorRowRewards([{ status: 'valid', questionId: 'qx' }], new Map())).toThrow(/row 0.*"qx"/);
    expect(() => generatorRowRewards([{ status: 'bogus' } as never], new Map())).toThrow(/unknown status "bogus"/);
    expect(() => influenceRewardsByQuestion(['q9'], [1], ['q1'])).toThrow(/"q9" is not among the valid/);
    expect(() => influenceRewardsByQuestion(['q1'], [1, 2], ['q1'])).toThrow(/1 scored question ids but 2/);
  });
});

describe('below_live floor (lab departure from F-R2)', () => {
  it('is the lowest score less the population standard deviation, computed in float64', () => {
    const scores = [0.4, -0.2, 0.1, -0.5];
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const sd = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length);
    expect(belowLiveFloor(scores)).toBeCloseTo(-0.5 - sd, 14);
    expect(belowLiveFloor(scores)).toBeLessThan(Math.min(...scores));
  });

  it('falls back to |lowest|, then 1, when the scores do not spread; 0 when nothing was scored', () => {
    expect(belowLiveFloor([0.3])).toBeCloseTo(0, 14);
    expect(belowLiveFloor([-0.3, -0.3])).toBeCloseTo(-0.6, 14);
    expect(belowLiveFloor([0, 0])).toBe(-1);
    expect(belowLiveFloor([])).toBe(0);
    expect(() => belowLiveFloor([0.1, Number.NaN])).toThrow(/influence score 1 is NaN/);
  });

  it('puts every live question above degenerate and invalid rows, keeping the invalid penalty as an offset', () => {
    const scores = [-0.75, 1.25];
    const floor = belowLiveFloor(scores);
    const map = influenceRewardsByQuestion(['q1', 'q2'], scores, ['q1', 'q2', 'q3'], floor);
    const rows: GeneratorRowStatus[] = [
      { status: 'valid', questionId: 'q1' }, { status: 'valid', questionId: 'q2' }, { status: 'valid', questionId: 'q3' }, { status: 'failed_parse' },
    ];
    const rewards = Array.from(generatorRowRewards(rows, map, floor - 0.1));
    expect(rewards.slice(0, 2)).toEqual([-0.75, 1.25]);
    expect(rewards[2]).toBeCloseTo(-0.75 - 1, 14); // σ of {-0.75, 1.25} is 1
    expect(rewards[3]).toBeCloseTo(-0.75 - 1 - 0.1, 14);
  });
});

describe('baseline rewards (§7)', () => {
  it('F-R4 n_S = 4: p̂ = ¼ → R-Zero 0.5, SPICE 0.8226; p̂ = 0 → 0 and 0.0439', () => {
    expect(rZeroReward(goldenPHat(scoresWith(1, 4)))).toBeCloseTo(0.5, 12);
    expect(spiceReward(scoresWith(1, 4))).toBeCloseTo(0.8226, 4);
    expect(rZeroReward(goldenPHat(scoresWith(0, 4)))).toBe(0);
    expect(spiceReward(scoresWith(0, 4))).toBeCloseTo(0.0439, 4);
  });

  it('§7 table: n_S = 4, p̂ = 0, ¼, ½, ¾, 1 and n_S = 8, p̂ = ⅛', () => {
    const rZero = [0, 1, 2, 3, 4].map((c) => rZeroReward(goldenPHat(scoresWith(c, 4))));
    const spice = [0, 1, 2, 3, 4].map((c) => spiceReward(scoresWith(c, 4)));
    [0, 0.5, 1, 0.5, 0].forEach((want, i) => expect(rZero[i]).toBeCloseTo(want, 12));
    [0.0439, 0.8226, 1, 0.8226, 0.0439].forEach((want, i) => expect(spice[i]).toBeCloseTo(want, 4));
    expect(rZeroReward(goldenPHat(scoresWith(1, 8)))).toBeCloseTo(0.25, 12);
    expect(spiceReward(scoresWith(1, 8))).toBeCloseTo(0.372, 4);
  });

  it('golden p̂ counts null as wrong; majority p̂ is the majority letter share, null agreeing with none', () => {
    expect(goldenPHat([1, null, null, 0])).toBe(0.25);
    expect(majorityPHat(['B', 'B', 'C', null])).toBe(0.5);
    expect(majorityPHat(['A', 'B', 'C', 'D'])).toBe(0.25);
    expect(majorityPHat([null, null, null, null])).toBe(0);
  });

  it('R-Zero pHat golden vs majority: agreement on wrong letters counts only for majority', () => {
    // Golden answer is A; three answers say B (wrong), one says A.
    const scores: AnswerScore[] = [0, 0, 0, 1];
    const q = { questionId: 'q1', scores, predictions: ['B', 'B', 'B', 'A'] };
    expect(rZeroRewardsByQuestion([q], 'golden').get('q1')).toBeCloseTo(0.5, 12); // p̂ = ¼
    expect(rZeroRewardsByQuestion([q], 'majority').get('q1')).toBeCloseTo(0.5, 12); // p̂ = ¾
    const allWrong: AnswerScore[] = [0, 0, 0, 0];
    const unanimousWrong = { questionId: 'q2', scores: allWrong, predictions: ['C', 'C', 'C', 'C'] };
    expect(rZeroRewardsByQuestion([unanimousWrong], 'golden').get('q2')).toBe(0);
    expect(rZeroRewardsByQuestion([unanimousWrong], 'majority').get('q2')).toBe(0);
    const split = { questionId: 'q3', scores: allWrong, predictions: ['C', 'C', 'D', 'D'] };
    expect(rZeroRewardsByQuestion([split], 'golden').get('q3')).toBe(0); // p̂ = 0
    expect(rZeroRewardsByQuestion([split], 'majority').get('q3')).toBe(1); // p̂ = ½
    const noPredictions = { questionId: 'q4', scores: [0, 1] as AnswerScore[] };
    expect(() => rZeroRewardsByQuestion([noPredictions], 'majority')).toThrow(/needs predictions/);
  });

  it('SPICE per question gives degenerate questions 0.0439', () => {
    const map = spiceRewardsByQuestion([
      { questionId: 'easy', scores: [1, 1, 1, 1] },
      { questionId: 'half', scores: [1, 0, null, 1] },
    ]);
    expect(map.get('easy')).toBeCloseTo(0.0439, 4);
    expect(map.get('half')).toBe(1);
  });
});
