import { describe, expect, it } from 'vitest';
import { buildConfig } from './config.ts';
import { devIndices } from './dev-subsample.ts';

const config = (m: number, seed = 7, pool = 32) =>
  buildConfig({ overrides: { 'training.dev_rollout_subsample_size': m, 'training.seed': seed, 'data.dev_pool_size': pool } });

describe('dev subsample (Stage 1, training.dev_rollout_subsample_size)', () => {
  it('0 answers the first data.dev_pool_size questions, in pool order', () => {
    expect(devIndices(config(0), 100, 3)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(devIndices(config(0), 10, 3)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('m draws m distinct questions of the pool, in pool order, and all of them when m reaches the pool', () => {
    for (let k = 0; k < 20; k++) {
      const picked = devIndices(config(5), 48, k);
      expect(picked).toHaveLength(5);
      expect(new Set(picked).size).toBe(5);
      expect([...picked].sort((a, b) => a - b)).toEqual(picked);
      for (const i of picked) expect(i >= 0 && i < 32).toBe(true);
    }
    expect(devIndices(config(8), 6, 0)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('the draw is a function of (seed, iteration): repeatable, and it changes with either', () => {
    expect(devIndices(config(4), 32, 9)).toEqual(devIndices(config(4), 32, 9));
    const byIteration = new Set(Array.from({ length: 10 }, (_, k) => devIndices(config(4), 32, k).join(',')));
    expect(byIteration.size).toBeGreaterThan(8);
    expect(devIndices(config(4, 8), 32, 9)).not.toEqual(devIndices(config(4, 7), 32, 9));
  });

  it('every question is drawn about m/n of the time (without replacement: the counts sum to m per draw)', () => {
    const n = 16;
    const m = 4;
    const draws = 4000;
    const counts = new Array<number>(n).fill(0);
    for (let k = 0; k < draws; k++) for (const i of devIndices(config(m, 11), n, k)) counts[i]++;
    // Each count is Binomial(draws, m/n): mean 1000, sd ~27; 5 sd is a loose bound that still fails a biased draw.
    const mean = (draws * m) / n;
    const sd = Math.sqrt(draws * (m / n) * (1 - m / n));
    for (const c of counts) expect(Math.abs(c - mean)).toBeLessThan(5 * sd);
  });
});
