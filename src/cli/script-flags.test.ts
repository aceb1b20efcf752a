import { describe, expect, it } from 'vitest';
import { scriptFlags } from './script-flags.ts';

describe('scriptFlags', () => {
  it('reads --name=value, the last one winning, with a fallback or as required', () => {
    const flag = scriptFlags('s', ['steps', 'out'], ['--steps=10', '--steps=20']);
    expect(flag('steps', '5')).toBe('20');
    expect(flag('out', 'dir')).toBe('dir');
    expect(() => flag('out')).toThrow(/s: --out=\.\.\. is required/);
    expect(() => flag('typo', 'x')).toThrow(/--typo is read but not in its list/);
  });

  it('refuses unknown flags and the space-separated form, naming what it takes', () => {
    expect(() => scriptFlags('train-anchors', ['steps'], ['--stpes=10'])).toThrow(/train-anchors: unknown argument "--stpes=10"; it takes --name=value with name one of steps/);
    expect(() => scriptFlags('s', ['steps'], ['--steps', '10'])).toThrow(/unknown argument "--steps" \(write --steps=VALUE\)/);
    expect(() => scriptFlags('s', ['steps'], ['extra'])).toThrow(/unknown argument "extra"/);
  });
});
