import { describe, expect, it } from 'vitest';
import { mergeSettings, planCopies } from './merge-experiments.ts';
import { presetSettings, type ExperimentSettings } from './settings.ts';

const settings = (patch: Partial<ExperimentSettings>): ExperimentSettings => ({ ...presetSettings('full'), pool: 'p.json', ...patch });

describe('merge experiments', () => {
  it('unites methods (in the lab order) and seeds of folders that agree on the rest', () => {
    const a = settings({ methods: ['rzero', 'fixed'], seeds: [3, 1] });
    // The same overrides written in another key order still agree.
    const b = settings({ methods: ['infuser', 'fixed'], seeds: [2], overrides: Object.fromEntries(Object.entries(a.overrides).reverse()) });
    const m = mergeSettings([{ dir: 'a', settings: a }, { dir: 'b', settings: b }]);
    expect(m.methods).toEqual(['fixed', 'infuser', 'rzero']);
    expect(m.seeds).toEqual([1, 2, 3]);
    expect(m.overrides).toEqual(a.overrides);
    expect(m.pool).toBe('p.json');
  });

  it('refuses folders of different experiments, naming the setting', () => {
    const a = settings({});
    expect(() => mergeSettings([{ dir: 'a', settings: a }, { dir: 'b', settings: settings({ dev: 'target/dev.json' }) }]))
      .toThrow(/a and b differ in dev \(absent against "target\/dev.json"\)/);
    expect(() => mergeSettings([{ dir: 'a', settings: a }, { dir: 'c', settings: settings({ overrides: { ...a.overrides, 'solver.rollout.n': 8 } }) }]))
      .toThrow(/a and c differ in overrides/);
    expect(() => mergeSettings([{ dir: 'a', settings: a }, { dir: 'd', settings: settings({ iterations: 30 }) }])).toThrow(/differ in iterations \(8 against 30\)/);
    expect(() => mergeSettings([{ dir: 'a', settings: a }])).toThrow(/at least two source folders/);
  });

  it('takes each run file from the first folder holding it, and refuses a run that differs between folders', () => {
    const sources = [{ dir: 'a', files: ['fixed-seed1.json', 'fixed-seed1.heldout.json'] }, { dir: 'b', files: ['fixed-seed1.json', 'rzero-seed2.json'] }];
    const checked: string[] = [];
    expect(planCopies(sources, (f, x, y) => { checked.push(`${f} ${x} ${y}`); return true; })).toEqual([
      { file: 'fixed-seed1.heldout.json', from: 'a' }, { file: 'fixed-seed1.json', from: 'a' }, { file: 'rzero-seed2.json', from: 'b' },
    ]);
    expect(checked).toEqual(['fixed-seed1.json a b']);
    expect(() => planCopies(sources, () => false)).toThrow(/runs\/fixed-seed1.json differs between a and b/);
  });
});
