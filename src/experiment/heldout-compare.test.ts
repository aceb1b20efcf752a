import { describe, expect, it } from 'vitest';
import { compareHeldout, comparisonMarkdown, parseArmSpec, parsePair, type Arm } from './heldout-compare.ts';
import type { HeldoutSummary } from './iteration-summary.ts';
import type { Method } from './methods.ts';

// A run answering 2 questions of each of two kinds, 4 samples each: `right` counts per kind.
function run(method: Method, seed: number, sampled: [number, number], greedy: [number, number], questions = 4): HeldoutSummary {
  const tally = (r: [number, number], per: number) => ({
    total: questions * per,
    accuracy: (r[0] + r[1]) / (questions * per),
    by_kind: { 'travel/arithmetic': { correct: r[0], total: (questions / 2) * per }, 'kinship/two_hop': { correct: r[1], total: (questions / 2) * per } },
  });
  return { method, seed, ...tally(sampled, 4), greedy: tally(greedy, 1) };
}

const arm = (label: string, runs: HeldoutSummary[]): Arm => ({ label, source: `x/${label}`, runs });

describe('held-out compare', () => {
  const fixed = arm('fixed', [run('fixed', 2, [4, 6], [1, 2]), run('fixed', 1, [2, 8], [0, 2])]);
  const inf = arm('inf', [run('infuser', 1, [6, 1], [2, 0]), run('infuser', 2, [3, 3], [2, 1]), run('infuser', 3, [8, 8], [2, 2])]);

  it('pools the chosen kinds per seed and pairs arms on the seeds they share', () => {
    const c = compareHeldout([fixed, inf], ['travel/arithmetic'], [['inf', 'fixed']]);
    expect(c.questions).toBe(4);
    expect(c.arms[0].seeds).toEqual([{ seed: 1, sampled: 2 / 8, greedy: 0 }, { seed: 2, sampled: 4 / 8, greedy: 1 / 2 }]);
    expect(c.arms[1].sampled.mean).toBeCloseTo((6 / 8 + 3 / 8 + 1) / 3, 12);
    const p = c.pairs[0];
    expect(p.seeds.map((s) => s.seed)).toEqual([1, 2]);
    expect(p.seeds.map((s) => s.sampled)).toEqual([6 / 8 - 2 / 8, 3 / 8 - 4 / 8]);
    expect(p.sampled!.mean).toBeCloseTo((0.5 - 0.125) / 2, 12);
    // Sample std of two values is |a − b| / √2.
    expect(p.sampled!.std).toBeCloseTo(0.625 / Math.SQRT2, 12);
    expect(p.greedy!.mean).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(p.ahead).toBe(1);
    expect(Object.keys(c.byKind)).toEqual(['travel/arithmetic']);
    expect(c.byKind['travel/arithmetic'].inf).toEqual({ correct: 17, total: 24 });
  });

  it('uses the whole-set accuracy without kinds', () => {
    const c = compareHeldout([fixed], null, []);
    expect(c.arms[0].seeds[0].sampled).toBeCloseTo(10 / 16, 12);
    expect(Object.keys(c.byKind).sort()).toEqual(['kinship/two_hop', 'travel/arithmetic']);
  });

  it('writes every arm, pair and kind into the markdown', () => {
    const md = comparisonMarkdown(compareHeldout([fixed, inf], ['travel/arithmetic'], [['inf', 'fixed']]));
    expect(md).toMatch(/\| inf − fixed \| 1, 2 \| \+0\.188 ± 0\.442 \| \+0\.500, −0\.125 \| 1 of 2 \|/);
    expect(md).toMatch(/\| travel\/arithmetic \| 37\.5% \| 70\.8% \|/);
  });

  it('refuses runs it cannot compare, naming them', () => {
    expect(() => compareHeldout([fixed, arm('other', [run('rzero', 1, [1, 1], [1, 1], 8)])], null, []))
      .toThrow(/x\/other seed 1 answered 8 held-out questions, x\/fixed seed 2 4/);
    expect(() => compareHeldout([arm('dup', [run('fixed', 1, [1, 1], [1, 1]), run('fixed', 1, [1, 1], [1, 1])])], null, []))
      .toThrow(/x\/dup has two runs of seed 1/);
    expect(() => compareHeldout([fixed], ['timeline/arithmetic'], [])).toThrow(/x\/fixed seed 2 has no answers of kind timeline\/arithmetic \(it has kinship\/two_hop, travel\/arithmetic\)/);
    expect(() => compareHeldout([fixed], null, [['inf', 'fixed']])).toThrow(/pair names "inf", not one of the arms \(fixed\)/);
    expect(() => compareHeldout([arm('empty', [])], null, [])).toThrow(/x\/empty has no held-out runs/);
  });

  it('parses arms and pairs, and refuses malformed ones', () => {
    expect(parseArmSpec('INFUSER-arith=experiments/arith-30:infuser')).toEqual({ label: 'INFUSER-arith', folder: 'experiments/arith-30', method: 'infuser' });
    expect(() => parseArmSpec('experiments/arith-30:infuser')).toThrow(/not LABEL=FOLDER:METHOD/);
    expect(() => parseArmSpec('a=experiments/x:infusr')).toThrow(/names method "infusr"; methods are base, fixed/);
    expect(parsePair(' a : b ')).toEqual(['a', 'b']);
    expect(() => parsePair('a')).toThrow(/pair "a" is not LABEL_A:LABEL_B/);
  });
});
