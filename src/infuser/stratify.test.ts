import { describe, expect, it } from 'vitest';
import { expandToAnswerRows, stratifyBySlot } from './stratify.ts';

const repeat = (key: string, n: number) => new Array<string>(n).fill(key);

describe('Stage-6 stratification (§2.4)', () => {
  it('F-S1 documents A×8, B×4, C×2 interleave by ideal position', () => {
    const slots = [...repeat('A', 8), ...repeat('B', 4), ...repeat('C', 2)];
    expect(stratifyBySlot(slots)).toEqual([0, 8, 1, 12, 2, 9, 3, 4, 10, 5, 13, 6, 11, 7]);
  });

  it('F-S2 singletons A, B, C then D×6: ties at ½ break by first appearance; answers stay contiguous', () => {
    const order = stratifyBySlot(['A', 'B', 'C', ...repeat('D', 6)]);
    expect(order).toEqual([3, 4, 5, 0, 1, 2, 6, 7, 8]);
    const rows = expandToAnswerRows(order, 4);
    expect(rows.slice(0, 8)).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: 36 }, (_, i) => i));
    for (let k = 0; k < order.length; k++) {
      expect(rows.slice(4 * k, 4 * k + 4)).toEqual([0, 1, 2, 3].map((r) => 4 * order[k] + r));
    }
  });

  it('slots need not be contiguous and numeric keys work; j counts within the slot', () => {
    // Slot 7: questions 0, 2 (positions ¼, ¾); slot 3: question 1 (½).
    expect(stratifyBySlot([7, 3, 7])).toEqual([0, 1, 2]);
    expect(stratifyBySlot([])).toEqual([]);
  });

  it('answer counts may differ per question; bad counts are errors', () => {
    expect(expandToAnswerRows([1, 0], [2, 3])).toEqual([2, 3, 4, 0, 1]);
    expect(() => expandToAnswerRows([0, 1], [2])).toThrow(/2 questions but 1 answer counts/);
    expect(() => expandToAnswerRows([0, 5], 2)).toThrow(/index 5 out of range/);
  });
});
