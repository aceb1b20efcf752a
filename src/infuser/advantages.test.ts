import { describe, expect, it } from 'vitest';
import {
  batchCentredStd,
  computeAdvantages,
  filterSlots,
  groupStats,
  isSlotKept,
  meanNonzeroGroupStd,
  populationStd,
} from './advantages.ts';

// Spec tables print 4 decimals, so they are checked to half a unit of the last digit.
const TABLE_TOL = 5e-5;

function expectAllClose(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) bad.push(`[${i}] got ${actual[i]}, want ${expected[i]}`);
  }
  expect(bad).toEqual([]);
}

// Groups A, B, C of the §5 worked example.
const rewardsF_A1 = [0.1, 0.3, -0.2, 0.0, 0.5, 0.5, 0.6, 0.4, 0.2, 0.2, 0.2, 0.2];
const keysF_A1 = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B', 'C', 'C', 'C', 'C'];

describe('advantages (§5)', () => {
  it('F-A1 group statistics: μ, σ_A, σ_B, σ_C, σ̄ and σ_batch', () => {
    const groups = groupStats(rewardsF_A1, keysF_A1);
    expectAllClose(groups.map((g) => g.mean), [0.05, 0.5, 0.2], 1e-12);
    expectAllClose(groups.map((g) => g.std), [Math.sqrt(0.13 / 3), Math.sqrt(0.02 / 3), 0], 1e-12);
    expect(meanNonzeroGroupStd(groups)).toBeCloseTo(0.144908, 6);
    expect(batchCentredStd(rewardsF_A1, groups)).toBeCloseTo(0.116775, 6);
  });

  it('F-A1 group_std table', () => {
    const a = computeAdvantages(rewardsF_A1, keysF_A1, 'group_std');
    expectAllClose(a, [0.2402, 1.201, -1.201, -0.2402, 0, 0, 1.2247, -1.2247, 0, 0, 0, 0], TABLE_TOL);
  });

  it('F-A1 hybrid_std (DuGRPO) table', () => {
    const a = computeAdvantages(rewardsF_A1, keysF_A1, 'hybrid_std');
    expectAllClose(a, [0.1416, 0.7081, -0.7081, -0.1416, 0, 0, 0.4414, -0.4414, 0, 0, 0, 0], TABLE_TOL);
  });

  it('F-A1 batch_std table', () => {
    const a = computeAdvantages(rewardsF_A1, keysF_A1, 'batch_std');
    expectAllClose(a, [0.4282, 2.1409, -2.1409, -0.4282, 0, 0, 0.8563, -0.8563, 0, 0, 0, 0], TABLE_TOL);
  });

  it('F-A1 none (Dr.GRPO) table', () => {
    const a = computeAdvantages(rewardsF_A1, keysF_A1, 'none');
    expectAllClose(a, [0.05, 0.25, -0.25, -0.05, 0, 0, 0.1, -0.1, 0, 0, 0, 0], 1e-12);
  });

  it('F-A2 without group C only batch_std changes (σ_batch = 0.146385)', () => {
    const r = rewardsF_A1.slice(0, 8);
    const k = keysF_A1.slice(0, 8);
    expect(batchCentredStd(r, groupStats(r, k))).toBeCloseTo(0.146385, 6);
    const batch = computeAdvantages(r, k, 'batch_std');
    expectAllClose(batch, [0.3416, 1.7078, -1.7078, -0.3416, 0, 0, 0.6831, -0.6831], TABLE_TOL);
    for (const mode of ['group_std', 'hybrid_std', 'none'] as const) {
      const full = computeAdvantages(rewardsF_A1, keysF_A1, mode);
      expectAllClose(computeAdvantages(r, k, mode), Array.from(full.slice(0, 8)), 1e-12);
    }
  });

  it('F-A3 singleton [0.7]: group_std 0.6999993, none 0.7', () => {
    expect(computeAdvantages([0.7], ['q'], 'group_std')[0]).toBeCloseTo(0.6999993, 7);
    expect(computeAdvantages([0.7], ['q'], 'none')[0]).toBe(0.7);
  });

  it('hybrid_std treats group stds at or below 1e-12 as zero when forming σ̄', () => {
    // Group B has std 5e-13: excluded, so σ̄ = σ_A = 0.5 (not 0.25) and A's advantages are (r − μ)/(2σ_A + ε).
    const rewards = [0, 1, 0, 0, 1e-12, 1e-12, 0, 1e-12];
    const keys = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B'];
    const sigmaA = Math.sqrt(0.75 / 3);
    const a = computeAdvantages(rewards, keys, 'hybrid_std');
    expect(a[1]).toBeCloseTo(0.75 / (2 * sigmaA + 1e-6), 12);
  });

  it('groups are keyed by value, not adjacency, and numeric keys work', () => {
    const a = computeAdvantages([1, 5, 3, 7], [0, 1, 0, 1], 'none');
    expectAllClose(a, [-1, -1, 1, 1], 0);
  });

  it('rejects mismatched lengths, non-finite rewards and unknown modes with clear errors', () => {
    expect(() => computeAdvantages([1, 2], ['a'], 'none')).toThrow(/2 rewards but 1 group keys/);
    expect(() => computeAdvantages([1, NaN], ['a', 'a'], 'none')).toThrow(/row 1 is NaN/);
    expect(() => computeAdvantages([1], ['a'], 'zscore' as never)).toThrow(/unknown advantage mode "zscore"/);
  });
});

describe('Stage-5 slot filter', () => {
  it('F-R3 all-zero and 1e-13 slots are dropped, [0, 0.1, 0, 0] is kept', () => {
    expect(populationStd([0, 0, 0, 1e-13])).toBeCloseTo(4.33e-14, 16);
    expect(isSlotKept([0, 0, 0, 0])).toBe(false);
    expect(isSlotKept([0, 0, 0, 1e-13])).toBe(false);
    expect(isSlotKept([0, 0.1, 0, 0])).toBe(true);
    const result = filterSlots([[0, 0, 0, 0], [0, 0, 0, 1e-13], [0, 0.1, 0, 0]]);
    expect(result).toEqual({ keptSlots: [2], droppedSlots: [0, 1] });
  });
});
