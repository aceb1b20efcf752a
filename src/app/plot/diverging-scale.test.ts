import { describe, expect, it } from 'vitest';
import { divergingColor, formatScore, scaleLimit } from './diverging-scale.ts';

describe('diverging scale', () => {
  it('picks the smallest 1·10^k or 3·10^k at or above the largest magnitude', () => {
    expect(scaleLimit(0.0042)).toBe(0.01);
    expect(scaleLimit(0.012)).toBe(0.03);
    expect(scaleLimit(0.03)).toBe(0.03);
    expect(scaleLimit(0.031)).toBe(0.1);
    expect(scaleLimit(2.5)).toBe(3);
    expect(scaleLimit(0)).toBe(1e-6);
  });

  it('is centred on zero: 0 is near-white, the ends are RdBu red and blue, beyond clamps', () => {
    expect(divergingColor(0, 0.1)).toEqual([247, 247, 247]);
    expect(divergingColor(-0.1, 0.1)).toEqual([178, 24, 43]);
    expect(divergingColor(0.1, 0.1)).toEqual([33, 102, 172]);
    expect(divergingColor(5, 0.1)).toEqual([33, 102, 172]);
    // Halfway to blue: (247 + 33) / 2 = 140, (247 + 102) / 2 = 174.5 → 175 (rounded), (247 + 172) / 2 = 209.5 → 210.
    expect(divergingColor(0.05, 0.1)).toEqual([140, 175, 210]);
  });

  it('formats scores with 3 decimals, or in exponent form for small and huge magnitudes', () => {
    expect(formatScore(0.0123)).toBe('0.012');
    expect(formatScore(-0.5)).toBe('-0.5');
    expect(formatScore(0.000499)).toBe('4.99e-4');
    expect(formatScore(0)).toBe('0');
  });
});
