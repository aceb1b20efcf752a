import { describe, expect, it } from 'vitest';
import type { AnswerScore } from './answer-extraction.ts';
import * as metrics from './metrics.ts';
import {
  accuracyLenient,
  accuracyStrict,
  answerRolloutMetrics,
  distributionStats,
  fracDiverseQuestions,
  meanPassAtK,
  passAtK,
  passAtKValues,
} from './metrics.ts';

describe('metrics (§8)', () => {
  it('F-M1 scores [1, 1, 0, null] and [0, 0, 0, 0]: strict 0.25, lenient 2/7, frac_diverse 0.5', () => {
    const questions: AnswerScore[][] = [
      [1, 1, 0, null],
      [0, 0, 0, 0],
    ];
    expect(accuracyStrict(questions.flat())).toBe(0.25);
    expect(accuracyLenient(questions.flat())).toBeCloseTo(2 / 7, 12);
    expect(fracDiverseQuestions(questions)).toBe(0.5);
  });

  it('F-M2 pass@k with n = 4: (c=1, k=2) 0.5, (c=2, k=2) 0.8333, (c=1, k=4) 1.0', () => {
    expect(passAtK(4, 1, 2)).toBeCloseTo(0.5, 12);
    expect(passAtK(4, 2, 2)).toBeCloseTo(5 / 6, 12);
    expect(passAtK(4, 1, 4)).toBeCloseTo(1, 12);
  });

  it('F-M2 answers [1, 0, null, 1]: strict pass@1 0.5, lenient pass@1 0.6667, lenient pass@4 skipped', () => {
    const q: AnswerScore[] = [1, 0, null, 1];
    expect(meanPassAtK([q], 1, 'strict')).toBeCloseTo(0.5, 12);
    expect(meanPassAtK([q], 1, 'lenient')).toBeCloseTo(2 / 3, 12);
    expect(passAtK(3, 2, 4)).toBeNull();
    // Skipped questions do not count: the second question alone sets lenient pass@4.
    expect(meanPassAtK([q, [1, 0, 0, 0]], 4, 'lenient')).toBeCloseTo(1, 12);
  });

  it('pass@k agrees with the binomial formula and k runs over powers of 2 plus n_S', () => {
    const choose = (n: number, k: number): number => (k === 0 ? 1 : (choose(n - 1, k - 1) * n) / k);
    expect(passAtK(8, 3, 4)).toBeCloseTo(1 - choose(5, 4) / choose(8, 4), 12);
    expect(passAtK(8, 5, 4)).toBe(1);
    expect(passAtK(8, 0, 4)).toBe(0);
    expect(passAtKValues(4)).toEqual([1, 2, 4]);
    expect(passAtKValues(6)).toEqual([1, 2, 4, 6]);
    expect(passAtKValues(1)).toEqual([1]);
    expect(() => passAtK(4, 5, 1)).toThrow(/0 ≤ c ≤ n/);
  });

  it('distribution stats use the population std; median is optional', () => {
    const stats = distributionStats('influence_sim/score', [1, 2, 3, 10], { median: true });
    expect(stats).toEqual({
      'influence_sim/score/mean': 4,
      'influence_sim/score/std': Math.sqrt((9 + 4 + 1 + 36) / 4),
      'influence_sim/score/min': 1,
      'influence_sim/score/max': 10,
      'influence_sim/score/median': 2.5,
    });
    expect(distributionStats('x', [5, 1, 3], { median: true })['x/median']).toBe(3);
    expect(Object.keys(distributionStats('x', [1]))).not.toContain('x/count');
  });

  it('an empty distribution gives 0 and sets {name}/count = 0', () => {
    expect(distributionStats('gen_critic/score', [], { median: true })).toEqual({
      'gen_critic/score/mean': 0,
      'gen_critic/score/std': 0,
      'gen_critic/score/min': 0,
      'gen_critic/score/max': 0,
      'gen_critic/score/median': 0,
      'gen_critic/score/count': 0,
    });
  });

  it('the answer-rollout family writes the spec keys for a prefix', () => {
    const questions: AnswerScore[][] = [
      [1, 1, 0, null],
      [0, 0, 0, 0],
    ];
    const record = answerRolloutMetrics('dev_rollout', questions, 4, [10, 20, 30, 40, 5, 5, 5, 5]);
    expect(record['dev_rollout/accuracy_strict']).toBe(0.25);
    expect(record['dev_rollout/num_questions']).toBe(2);
    expect(record['dev_rollout/num_generated_answers']).toBe(8);
    expect(record['dev_rollout/num_valid_answers']).toBe(7);
    expect(record['dev_rollout/num_invalid_answers']).toBe(1);
    expect(record['dev_rollout/frac_valid_answers']).toBe(7 / 8);
    expect(record['dev_rollout/frac_reward_zero_std']).toBe(0.5);
    expect(record['dev_rollout/pass_at_4_strict']).toBeCloseTo(0.5, 12);
    expect(record['dev_rollout/pass_at_4_lenient']).toBe(0); // only the all-zero question has 4 non-null answers
    expect(record['dev_rollout/response_length_tokens/mean']).toBe(15);
    expect(Object.keys(record).filter((k) => k.includes('pass_at_')).length).toBe(6);
  });

  it('every declared metric key is unique', () => {
    const keys: string[] = [];
    for (const [name, value] of Object.entries(metrics)) {
      if (name === 'ANSWER_ROLLOUT' || name === 'ANSWER_ROLLOUT_PREFIXES') continue; // suffixes and prefixes
      if (value && typeof value === 'object') keys.push(...(Object.values(value) as string[]));
    }
    expect(keys.length).toBeGreaterThan(80);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
