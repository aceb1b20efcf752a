import { describe, expect, it } from 'vitest';
import { presetSettings, settingsFromFlags } from './settings.ts';

describe('settingsFromFlags', () => {
  it('records a narrower target and its held-out file, so a restart on other files is refused', () => {
    const s = settingsFromFlags({
      preset: 'ci', seeds: '1,2', methods: 'infuser,fixed', heldout: 240,
      'dev-file': 'experiments/target-two-hop/dev.json', 'heldout-file': 'experiments/target-two-hop/heldout.json',
    });
    expect(s).toMatchObject({
      seeds: [1, 2], methods: ['infuser', 'fixed'], heldout: 240,
      dev: 'experiments/target-two-hop/dev.json', heldoutFile: 'experiments/target-two-hop/heldout.json',
    });
  });

  it('leaves the built-in inputs out of settings.json, as in folders written before the flags existed', () => {
    const s = settingsFromFlags({ preset: 'ci' });
    expect(JSON.stringify(s)).toBe(JSON.stringify(presetSettings('ci')));
    expect(Object.keys(s)).not.toContain('dev');
    expect(Object.keys(s)).not.toContain('heldoutFile');
  });

  it('applies --set overrides and --check-labels, and refuses bad seeds and methods', () => {
    const s = settingsFromFlags({ preset: 'ci', set: ['generator.actor.optim.lr=2e-4'], 'check-labels': true });
    expect(s.overrides['generator.actor.optim.lr']).toBe(2e-4);
    expect(s.checkLabels).toBe(true);
    expect(() => settingsFromFlags({ seeds: '1,x' })).toThrow(/--seeds: "x" is not a non-negative integer/);
    expect(() => settingsFromFlags({ methods: 'infuser,nope' })).toThrow(/unknown method "nope"/);
    expect(() => settingsFromFlags({ seeds: '1,1' })).toThrow(/duplicate seeds/);
  });

  it('refuses a --set that every run or a chosen method would overwrite, naming the flag or method', () => {
    expect(() => settingsFromFlags({ preset: 'ci', set: ['training.iterations=30'] })).toThrow(/--set training.iterations: every run sets this key itself; use --iterations/);
    expect(() => settingsFromFlags({ set: ['training.seed=3'] })).toThrow(/use --seeds/);
    expect(() => settingsFromFlags({ set: ['training.reward_mode=rzero'] })).toThrow(/use --methods/);
    expect(() => settingsFromFlags({ methods: 'fixed,fixed_top', set: ['influence.solver_filter_alpha=0.25'] }))
      .toThrow(/--set influence.solver_filter_alpha: method fixed_top sets this key itself/);
    // The same key is free where no chosen method sets it.
    expect(settingsFromFlags({ methods: 'fixed', set: ['influence.solver_filter_alpha=0.25'] }).overrides['influence.solver_filter_alpha']).toBe(0.25);
  });
});
