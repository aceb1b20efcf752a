import { describe, expect, it } from 'vitest';
import { aggregate, devKindsOf, mixOf, stat } from './aggregate.ts';
import type { IterationSummary } from './iteration-summary.ts';
import type { Method } from './methods.ts';

function row(method: Method, seed: number, iteration: number, target: number, kinds: Record<string, number> = {}): IterationSummary {
  const trained = method !== 'base';
  return {
    method, seed, iteration, target_accuracy: target, frac_valid_questions: trained ? 0.5 : null,
    gen_accuracy: trained ? 0.25 * seed : null, kind_counts: kinds,
    // Seed s: s right labels of 4 at iteration 0, all 4 right later.
    label_counts: trained ? (iteration === 0 ? { right: seed, wrong: 4 - seed } : { right: 4 }) : {}, seconds: 1,
  };
}

describe('aggregate', () => {
  it('stat: mean and sample std (n − 1) by hand; one value has std 0; none is null', () => {
    const s = stat([0.5, 0.6, 0.7])!;
    expect(s.mean).toBeCloseTo(0.6, 12);
    expect(s.std).toBeCloseTo(0.1, 12); // sqrt((0.01 + 0 + 0.01) / 2)
    expect(stat([0.3])).toEqual({ mean: 0.3, std: 0, n: 1 });
    expect(stat([])).toBeNull();
  });

  it('per-iteration stats, final gain over iteration 0 and the paired difference to fixed on the same seed', () => {
    const rows = [
      row('fixed', 1, 0, 0.50), row('fixed', 1, 1, 0.55), row('fixed', 2, 0, 0.40), row('fixed', 2, 1, 0.40),
      row('infuser', 1, 0, 0.50), row('infuser', 1, 1, 0.65), row('infuser', 2, 0, 0.40), row('infuser', 2, 1, 0.50),
      row('base', 1, 0, 0.50), row('base', 1, 1, 0.48), row('base', 2, 0, 0.40), row('base', 2, 1, 0.42),
    ];
    const r = aggregate(rows, []);
    expect(r.methods).toEqual(['base', 'fixed', 'infuser']);
    expect(r.seeds).toEqual([1, 2]);
    const inf1 = r.iterations.find((it) => it.method === 'infuser' && it.iteration === 1)!;
    expect(inf1.target_accuracy.mean).toBeCloseTo(0.575, 12);
    expect(inf1.target_accuracy.std).toBeCloseTo(Math.SQRT2 * 0.075, 12); // two values 0.075 from the mean
    const final = r.finals.find((f) => f.method === 'infuser')!;
    expect(final.iteration).toBe(1);
    expect(final.target_gain.mean).toBeCloseTo((0.15 + 0.10) / 2, 12);
    expect(final.vs_fixed!.mean).toBeCloseTo((0.10 + 0.10) / 2, 12);
    expect(final.vs_fixed!.std).toBeCloseTo(0, 12);
    expect(final.gen_accuracy!.mean).toBeCloseTo((0.25 + 0.5) / 2, 12);
    // Run means of the right-label share: seed 1 (1/4 + 1) / 2, seed 2 (2/4 + 1) / 2.
    expect(final.right_labels!.mean).toBeCloseTo((0.625 + 0.75) / 2, 12);
    expect(r.iterations.find((it) => it.method === 'infuser' && it.iteration === 0)!.right_labels!.mean).toBeCloseTo(0.375, 12);
    expect(r.iterations.find((it) => it.method === 'base' && it.iteration === 0)!.right_labels).toBeNull();
    expect(r.finals.find((f) => f.method === 'fixed')!.vs_fixed).toBeNull();
    const base = r.finals.find((f) => f.method === 'base')!;
    expect(base.frac_valid_questions).toBeNull();
    expect(base.vs_fixed!.mean).toBeCloseTo((0.48 - 0.55 + 0.42 - 0.40) / 2, 12);
    expect(r.mix.map((m) => m.method)).toEqual(['fixed', 'infuser']);
  });

  it('held-out: mean over seeds, paired differences to base and fixed on the same seed, per-kind shares pooled over seeds', () => {
    // Sampled: 8 answers per kind; greedy: 2 questions of one kind (greedyRight of them right).
    const h = (method: Method, seed: number, two: [number, number], look: [number, number], greedyRight: number) => ({
      method, seed, total: two[1] + look[1], accuracy: (two[0] + look[0]) / (two[1] + look[1]),
      by_kind: { 'kinship/two_hop': { correct: two[0], total: two[1] }, 'kinship/lookup': { correct: look[0], total: look[1] } },
      greedy: { total: 2, accuracy: greedyRight / 2, by_kind: { 'kinship/lookup': { correct: greedyRight, total: 2 } } },
    });
    const runs = [
      h('base', 1, [2, 8], [4, 8], 1), h('base', 2, [3, 8], [3, 8], 0),
      h('fixed', 1, [3, 8], [4, 8], 1),
      h('dev_only', 1, [6, 8], [4, 8], 2), h('dev_only', 2, [7, 8], [5, 8], 2),
    ];
    const rows = [row('base', 1, 0, 0.4), row('fixed', 1, 0, 0.4), row('dev_only', 1, 0, 0.4), row('dev_only', 2, 0, 0.4)];
    const r = aggregate(rows, [], runs);
    expect(r.heldout.map((x) => x.method)).toEqual(['base', 'fixed', 'dev_only']);
    const ceiling = r.heldout.find((x) => x.method === 'dev_only')!;
    expect(ceiling.accuracy.mean).toBeCloseTo((10 / 16 + 12 / 16) / 2, 12);
    expect(ceiling.vs_base!.mean).toBeCloseTo((4 / 16 + 6 / 16) / 2, 12); // seed 1: 10 − 6, seed 2: 12 − 6 of 16
    expect(ceiling.vs_fixed).toEqual({ mean: 3 / 16, std: 0, n: 1 }); // fixed ran seed 1 only
    expect(ceiling.by_kind).toEqual({ 'kinship/lookup': 9 / 16, 'kinship/two_hop': 13 / 16 });
    expect(ceiling.greedy.accuracy).toEqual({ mean: 1, std: 0, n: 2 });
    expect(ceiling.greedy.vs_base!.mean).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(ceiling.greedy.vs_base!.std).toBeCloseTo(Math.SQRT1_2 * 0.5, 12); // 0.5 and 1: each 0.25 from the mean
    expect(ceiling.greedy.vs_fixed).toEqual({ mean: 0.5, std: 0, n: 1 });
    expect(ceiling.greedy.by_kind).toEqual({ 'kinship/lookup': 1 });
    expect(r.heldout.find((x) => x.method === 'base')!.vs_base).toBeNull();
    expect(r.heldout.find((x) => x.method === 'fixed')!.vs_fixed).toBeNull();
    expect(r.mix).toEqual([expect.objectContaining({ method: 'fixed' })]); // no mix for methods that generate nothing
    expect(aggregate(rows, []).heldout).toEqual([]);
  });

  it('held-out: a method with a control (fixed_top → fixed_random) is paired with it by seed', () => {
    const h = (method: Method, seed: number, right: number, greedyRight: number) => ({
      method, seed, total: 8, accuracy: right / 8, by_kind: { 'kinship/lookup': { correct: right, total: 8 } },
      greedy: { total: 8, accuracy: greedyRight / 8, by_kind: { 'kinship/lookup': { correct: greedyRight, total: 8 } } },
    });
    const runs = [h('fixed_top', 1, 6, 7), h('fixed_top', 2, 5, 5), h('fixed_random', 1, 4, 6), h('fixed_random', 2, 4, 3)];
    const rows = [row('fixed_top', 1, 0, 0.4), row('fixed_top', 2, 0, 0.4), row('fixed_random', 1, 0, 0.4), row('fixed_random', 2, 0, 0.4)];
    const r = aggregate(rows, [], runs);
    const top = r.heldout.find((x) => x.method === 'fixed_top')!;
    expect(top.vs_control!.method).toBe('fixed_random');
    expect(top.vs_control!.sampled!.mean).toBeCloseTo((2 / 8 + 1 / 8) / 2, 12);
    expect(top.vs_control!.greedy!.mean).toBeCloseTo((1 / 8 + 2 / 8) / 2, 12);
    expect(top.vs_control!.greedy!.n).toBe(2);
    expect(r.heldout.find((x) => x.method === 'fixed_random')!.vs_control).toBeNull();
    // Without the control's runs there is nothing to pair.
    expect(aggregate(rows, [], runs.filter((x) => x.method === 'fixed_top')).heldout[0].vs_control).toBeNull();
  });

  it('mix: shares pooled over seeds, by kind, topic and type, and the dev-kind share', () => {
    const rows = [
      row('infuser', 1, 0, 0, { 'kinship/two_hop': 3, 'travel/lookup': 1 }),
      row('infuser', 2, 0, 0, { 'kinship/lookup': 4 }),
    ];
    const m = mixOf(rows, new Set(['kinship/two_hop']));
    expect(m.count).toBe(8);
    expect(m.kinds).toEqual({ 'kinship/lookup': 0.5, 'kinship/two_hop': 0.375, 'travel/lookup': 0.125 });
    expect(m.topics).toEqual({ kinship: 0.875, travel: 0.125 });
    expect(m.types).toEqual({ lookup: 0.625, two_hop: 0.375 });
    expect(m.dev_kind_share).toBe(0.375);
    expect(mixOf([row('infuser', 1, 0, 0)], new Set()).dev_kind_share).toBeNull();
  });

  it('dev kinds come from the dev questions\' labels, unlabelled ones as "?"', () => {
    const dev = [
      { extra: { topic: 'travel', question_type: 'two_hop' } }, { extra: { topic: 'travel', question_type: 'two_hop' } },
      { extra: { topic: 'chemistry', question_type: 'arithmetic' } }, { extra: {} },
    ];
    expect(devKindsOf(dev)).toEqual(['?/?', 'chemistry/arithmetic', 'travel/two_hop']);
  });
});
