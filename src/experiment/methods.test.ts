import { describe, expect, it } from 'vitest';
import { ALL_METHODS, METHOD_INFO, parseMethods, type Method } from './methods.ts';
import { methodConfig, presetSettings } from './settings.ts';

// The keys on which two methods' frozen run configs differ.
function differingKeys(a: Method, b: Method): string[] {
  const settings = presetSettings('ci');
  const ca = methodConfig(settings, a, 1) as unknown as Record<string, unknown>;
  const cb = methodConfig(settings, b, 1) as unknown as Record<string, unknown>;
  return [...new Set([...Object.keys(ca), ...Object.keys(cb)])].filter((k) => JSON.stringify(ca[k]) !== JSON.stringify(cb[k])).sort();
}

describe('methods', () => {
  it('each paired arm differs from its control in exactly one setting', () => {
    expect(differingKeys('fixed_top', 'fixed_random')).toEqual(['influence.solver_filter_mode']);
    // INFUSER with the filter against the filter alone: only whether the Generator is trained.
    expect(differingKeys('infuser_top', 'fixed_top')).toEqual(['training.reward_mode']);
    // Against plain INFUSER: only the filter's settings.
    const vsInfuser = differingKeys('infuser_top', 'infuser');
    expect(vsInfuser).toContain('influence.solver_filter_mode');
    expect(vsInfuser.every((k) => k.startsWith('influence.solver_filter_'))).toBe(true);
  });

  it('every control is itself a method, and no method is its own control', () => {
    for (const m of ALL_METHODS) {
      const c = METHOD_INFO[m].control;
      if (c === undefined) continue;
      expect(ALL_METHODS).toContain(c);
      expect(c).not.toBe(m);
    }
  });

  it('parseMethods accepts infuser_top and names the known methods on a typo', () => {
    expect(parseMethods('infuser_top,fixed_top')).toEqual(['infuser_top', 'fixed_top']);
    expect(() => parseMethods('infuser_tpo')).toThrow(/unknown method "infuser_tpo".*infuser_top/);
  });
});
