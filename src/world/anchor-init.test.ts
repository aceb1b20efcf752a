import { describe, expect, it } from 'vitest';
import { ANCHOR_DIR, parseAnchorInit } from './anchor-init.ts';

describe('parseAnchorInit', () => {
  it('reads a folder, a commit with the default folder, and a commit with a folder', () => {
    expect(parseAnchorInit('experiments/first')).toEqual({ kind: 'folder', dir: 'experiments/first' });
    expect(parseAnchorInit('git:e35754d')).toEqual({ kind: 'git', commit: 'e35754d', dir: ANCHOR_DIR });
    expect(parseAnchorInit('git:abc:x/y')).toEqual({ kind: 'git', commit: 'abc', dir: 'x/y' });
  });

  it('names the spec it cannot read', () => {
    for (const bad of ['git:', 'git::x', 'git:abc:', 'git:a:b:c']) expect(() => parseAnchorInit(bad)).toThrow(`--init=${bad}: expected git:COMMIT or git:COMMIT:DIR`);
  });
});
