import { describe, expect, it } from 'vitest';
import { aggregate, devKindsOf, mixOf, stat } from './aggregate.ts';
import type { IterationSummary } from './iteration-summary.ts';
import type { Method } from './methods.ts';

function row(method: Method, seed: number, iteration: number, target: number, kinds: Record<string, number> = {}): IterationSummary {
  const trained = method !== 'base';
  return {
    method, seed, iteration, target_accuracy: target, frac_valid_questions: trained ? 0.5 : null,
    gen_accuracy: trained ? 0.25 * seed : null, kind_counts: kinds, seconds: 1,
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
    expect(r.finals.find((f) => f.method === 'fixed')!.vs_fixed).toBeNull();
    const base = r.finals.find((f) => f.method === 'base')!;
    expect(base.frac_valid_questions).toBeNull();
    expect(base.vs_fixed!.mean).toBeCloseTo((0.48 - 0.55 + 0.42 - 0.40) / 2, 12);
    expect(r.mix.map((m) => m.method)).toEqual(['fixed', 'infuser']);
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
