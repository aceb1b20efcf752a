import { describe, expect, it } from 'vitest';
import { projectionFidelity } from './projection-fidelity.ts';

const record = (iteration: number, extra: Record<string, number> = {}) => ({ 'train/ans_loop': iteration, ...extra });

describe('projection fidelity (R5 checks of projected against exact influence)', () => {
  it('collects the calibration iterations only, in order, and flags the ones under the threshold', () => {
    const f = projectionFidelity([
      record(0, { 'influence_proj/spearman': 0.91, 'influence_proj/sign_agreement': 0.95 }),
      record(1),
      record(3, { 'influence_proj/spearman': 0.79, 'influence_proj/spearman_within_doc': 0.5 }),
      record(2, { 'influence_proj/spearman': 0.8 }),
    ], 0.8);
    expect(f.checks.map((c) => c.iteration)).toEqual([0, 2, 3]);
    expect(f.checks[0]).toEqual({ iteration: 0, spearman: 0.91, spearmanWithinDoc: null, signAgreement: 0.95 });
    // 0.8 itself is not under 0.8.
    expect(f.low.map((c) => c.iteration)).toEqual([3]);
    expect(f.low[0].spearmanWithinDoc).toBe(0.5);
  });

  it('a run without calibrations (exact mode, or none yet) has no checks and nothing low', () => {
    expect(projectionFidelity([record(0), record(1)], 0.8)).toEqual({ checks: [], threshold: 0.8, low: [] });
  });

  it('a non-finite Spearman (no spread in one of the score lists) is not a check', () => {
    expect(projectionFidelity([record(0, { 'influence_proj/spearman': Number.NaN })], 0.8).checks).toEqual([]);
  });
});
