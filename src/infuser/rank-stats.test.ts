import { describe, expect, it } from 'vitest';
import {
  averageRanks,
  meanAbsoluteError,
  pearson,
  signAgreement,
  spearman,
  withinGroupSpearman,
} from './rank-stats.ts';

describe('rank statistics (§9.4 R5)', () => {
  it('ties share the average of the ranks they span', () => {
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(averageRanks([3, 1, 3, 3]))).toEqual([3, 1, 3, 3]);
  });

  it('Spearman without ties matches 1 − 6Σd²/(n(n²−1)) = 0.8', () => {
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 2, 3, 4], [40, 30, 20, 10])).toBeCloseTo(-1, 12);
  });

  it('Spearman with ties uses average ranks: 8/√95 by hand', () => {
    // y ranks: [1, 2, 3.5, 5, 3.5]; Σdxdy = 8, Σdx² = 10, Σdy² = 9.5.
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 12);
  });

  it('Pearson of [1, 2, 3] and [1, 2, 4] is √(27/28)', () => {
    expect(pearson([1, 2, 3], [1, 2, 4])).toBeCloseTo(Math.sqrt(27 / 28), 12);
  });

  it('undefined correlations are NaN', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([5], [6])).toBeNaN();
    expect(signAgreement([], [])).toBeNaN();
  });

  it('sign agreement counts equal signs, zero matching only zero', () => {
    expect(signAgreement([1, -2, 0, 3], [2, -1, 0, -3])).toBe(0.75);
    expect(signAgreement([0], [1e-9])).toBe(0);
  });

  it('mean absolute error', () => {
    expect(meanAbsoluteError([1, 2, 3], [1.5, 2, 2])).toBeCloseTo(0.5, 12);
  });

  it('within-group Spearman averages groups of ≥ 3 with a defined value', () => {
    const x = [1, 2, 3, 1, 2, 3, 1, 2, 5, 5, 5];
    const y = [1, 2, 3, 3, 2, 1, 2, 1, 1, 2, 3];
    const keys = ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd', 'd', 'd'];
    // a: +1, b: −1, c: too small, d: constant x → undefined; mean of {+1, −1} = 0.
    expect(withinGroupSpearman(x, y, keys)).toBeCloseTo(0, 12);
    expect(withinGroupSpearman(x.slice(0, 3), y.slice(0, 3), ['a', 'a', 'a'])).toBeCloseTo(1, 12);
    expect(withinGroupSpearman([1, 2], [2, 1], ['a', 'a'])).toBeNaN();
  });

  it('rejects mismatched lengths and non-finite values', () => {
    expect(() => spearman([1, 2], [1])).toThrow(/equal lengths, got 2 and 1/);
    expect(() => pearson([1, NaN], [1, 2])).toThrow(/index 1/);
    expect(() => withinGroupSpearman([1], [1], [])).toThrow(/1 scores but 0 group keys/);
  });
});
