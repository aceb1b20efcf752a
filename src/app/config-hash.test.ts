import { describe, expect, it } from 'vitest';
import { hashToOverrides, overridesToHash } from './config-hash.ts';

describe('config in the URL hash', () => {
  it('writes only non-default keys, in schema order, and reads them back typed', () => {
    const hash = overridesToHash({
      'influence.mode': 'projected',
      'training.seed': 7,
      'solver.rollout.n': 4, // the default: dropped
      'generator.actor.optim.betas': [0.9, 0.95],
    });
    expect(hash).toBe('training.seed=7&generator.actor.optim.betas=0.9%2C0.95&influence.mode=projected');
    expect(hashToOverrides(`#${hash}`)).toEqual({
      overrides: { 'training.seed': 7, 'generator.actor.optim.betas': [0.9, 0.95], 'influence.mode': 'projected' },
      errors: [],
    });
  });

  it('reports unknown keys and bad values, keeping the good entries', () => {
    const { overrides, errors } = hashToOverrides('#training.sede=3&solver.rollout.n=1&training.seed=9');
    expect(overrides).toEqual({ 'training.seed': 9 });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/Unknown config key "training.sede".*training.seed/);
    expect(errors[1]).toMatch(/solver.rollout.n.*out of range/);
  });
});
