import { describe, expect, it } from 'vitest';
import { buildConfig } from './config.ts';
import { referenceFilterMode, selectSolverQuestions, type FilterCandidate, type SolverFilterSettings } from './solver-filter.ts';

// Slot A: four questions (one degenerate), slot B: three (one degenerate), slot C: one degenerate.
const Q: FilterCandidate[] = [
  { questionId: 'a0', slot: 'A', degenerate: false, influence: 0.1 },
  { questionId: 'a1', slot: 'A', degenerate: false, influence: 0.4 },
  { questionId: 'a2', slot: 'A', degenerate: true, influence: null },
  { questionId: 'a3', slot: 'A', degenerate: false, influence: -0.2 },
  { questionId: 'b0', slot: 'B', degenerate: false, influence: 0.3 },
  { questionId: 'b1', slot: 'B', degenerate: false, influence: 0.3 },
  { questionId: 'b2', slot: 'B', degenerate: true, influence: null },
  { questionId: 'c0', slot: 'C', degenerate: true, influence: null },
];
const at = (mode: SolverFilterSettings['mode'], extra: Partial<SolverFilterSettings> = {}): SolverFilterSettings =>
  ({ mode, k: 1, alpha: 1, alphaOf: 'valid', seed: 7, iteration: 0, ...extra });
const ids = (kept: number[]) => kept.map((i) => Q[i].questionId);

describe('Solver filter (reference influence.solver_filter_mode)', () => {
  it('none keeps every non-degenerate question (§2.3 invariant 4)', () => {
    expect(ids(selectSolverQuestions(Q, at('none')))).toEqual(['a0', 'a1', 'a3', 'b0', 'b1']);
  });

  it('top_k keeps the k highest-influence questions of each document; ties go to the smaller id', () => {
    expect(ids(selectSolverQuestions(Q, at('top_k', { k: 1 })))).toEqual(['a1', 'b0']);
    expect(ids(selectSolverQuestions(Q, at('top_k', { k: 2 })))).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(ids(selectSolverQuestions(Q, at('top_k', { k: 8 })))).toEqual(['a0', 'a1', 'a3', 'b0', 'b1']);
  });

  it('top_alpha keeps ⌈α · all valid questions⌉ by influence, capped by the non-degenerate ones', () => {
    // 8 valid questions: α = 0.25 → 2, α = 0.3 → ⌈2.4⌉ = 3, α = 1 → 8, capped at 5.
    expect(ids(selectSolverQuestions(Q, at('top_alpha', { alpha: 0.25 })))).toEqual(['a1', 'b0']);
    expect(ids(selectSolverQuestions(Q, at('top_alpha', { alpha: 0.3 })))).toEqual(['a1', 'b0', 'b1']);
    expect(selectSolverQuestions(Q, at('top_alpha', { alpha: 1 }))).toHaveLength(5);
    expect(selectSolverQuestions(Q, at('top_alpha', { alpha: 0 }))).toEqual([]);
    // α of the 5 non-degenerate ones (lab): 0.5 → ⌈2.5⌉ = 3; the reference's base keeps all 5 at 0.7.
    expect(ids(selectSolverQuestions(Q, at('top_alpha', { alpha: 0.5, alphaOf: 'non_degenerate' })))).toEqual(['a1', 'b0', 'b1']);
    expect(selectSolverQuestions(Q, at('top_alpha', { alpha: 0.7 }))).toHaveLength(5);
    expect(selectSolverQuestions(Q, at('top_alpha', { alpha: 0.7, alphaOf: 'non_degenerate' }))).toHaveLength(4);
  });

  it('random_k keeps k per document, a seeded draw: the same seed and iteration repeat, others differ', () => {
    const draw = (seed: number, iteration: number) => ids(selectSolverQuestions(Q, at('random_k', { k: 1, seed, iteration })));
    const first = draw(7, 0);
    expect(first).toHaveLength(2);
    expect(['a0', 'a1', 'a3']).toContain(first[0]);
    expect(['b0', 'b1']).toContain(first[1]);
    expect(draw(7, 0)).toEqual(first);
    // Over many iterations every non-degenerate question of A is drawn, and only those.
    const seen = new Set(Array.from({ length: 40 }, (_, k) => draw(7, k)[0]));
    expect([...seen].sort()).toEqual(['a0', 'a1', 'a3']);
  });

  it('random_alpha draws the same count as top_alpha, uniformly over the non-degenerate questions', () => {
    const counts = new Map<string, number>();
    const trials = 600;
    for (let k = 0; k < trials; k++) {
      const kept = ids(selectSolverQuestions(Q, at('random_alpha', { alpha: 0.25, iteration: k })));
      expect(kept).toHaveLength(2);
      for (const id of kept) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    // Each of the 5 is kept with probability 2/5: 240 of 600, binomial std 12.
    for (const id of ['a0', 'a1', 'a3', 'b0', 'b1']) expect(Math.abs((counts.get(id) ?? 0) - 240)).toBeLessThan(60);
  });

  it('a top mode without a score names the question', () => {
    const broken = Q.map((q) => (q.questionId === 'b1' ? { ...q, influence: null } : q));
    expect(() => selectSolverQuestions(broken, at('top_k'))).toThrow(/"b1" has no influence score/);
  });

  it('export names follow the reference: top_<k>, random_<k>, the alpha modes as they are', () => {
    expect(referenceFilterMode('top_k', 1)).toBe('top_1');
    expect(referenceFilterMode('random_k', 3)).toBe('random_3');
    expect(referenceFilterMode('top_alpha', 3)).toBe('top_alpha');
    expect(referenceFilterMode('none', 2)).toBe('none');
  });

  it('the config refuses a filter on the dev-only baseline, which generates no questions', () => {
    expect(() => buildConfig({ overrides: { 'training.reward_mode': 'dev_only', 'influence.solver_filter_mode': 'top_k' } }))
      .toThrow(/solver_filter_mode.*dev_only/);
    expect(buildConfig({ overrides: { 'influence.solver_filter_mode': 'random_alpha', 'influence.solver_filter_alpha': 0.5 } })
      ['influence.solver_filter_alpha']).toBe(0.5);
  });
});
