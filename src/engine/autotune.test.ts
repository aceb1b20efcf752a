import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adapterKey, autotune, chosenVariant, clearTuned, fileStore, localStorageStore, memoryStore, overrideVariant,
  type TuneRecord, type Tunable,
} from './autotune.ts';
import { MATMUL_TUNABLE, matmulDispatch, type MatmulPlan } from './ops/matmul.ts';
import { testEngine } from './testing.ts';
import type { Engine } from './engine.ts';

/**
 * Two variants that differ only in work: 'quick' runs an 8³ product, 'slow' a 160³ one (8000x the
 * flops) with the naive kernel. The fallback is 'slow', so a tuned choice is visible.
 */
function sizedTunable(): Tunable<'quick' | 'slow'> & { prepared: number } {
  const t = {
    op: 'sized-test',
    version: 1,
    variants: ['slow', 'quick'] as const,
    fallback: () => 'slow' as const,
    cases: [{ label: 'square' }],
    prepared: 0,
    prepare(e: Engine, v: 'quick' | 'slow') {
      t.prepared++;
      const n = v === 'quick' ? 8 : 160;
      const a = e.zeros([n, n]);
      const c = e.empty([n, n]);
      const plan: MatmulPlan = { M: n, N: n, K: n, batch: 1, reduce: 1, strideA: 0, strideB: 0, strideC: 0, transA: false, transB: false, accumulate: false };
      return { dispatch: matmulDispatch(c, a, a, plan, 'naive'), dispose: () => [a, c].forEach((x) => x.dispose()) };
    },
  };
  return t;
}

describe('autotune', () => {
  it('keys adapters by vendor/architecture/device/description', () => {
    const key = adapterKey({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader 5', isSoftware: true });
    expect(key).toBe('google/swiftshader/-/SwiftShader 5');
  });

  it('measures every variant, picks the fastest, stores it, and later reads the store instead of measuring', async () => {
    const e = await testEngine();
    const t = sizedTunable();
    const store = memoryStore();
    expect(chosenVariant(e, t)).toBe('slow');
    const rec = await autotune(e, t, { store, repeat: 2 });
    expect(rec.variant).toBe('quick');
    expect(Object.keys(rec.timingsMs).sort()).toEqual(['quick', 'slow']);
    expect(rec.timingsMs.quick).toBeLessThan(rec.timingsMs.slow);
    // timeDispatch falls back to the wall clock when a pass's timestamps come back unusable (equal ticks
    // for a tiny dispatch on SwiftShader happened once in CI), so with the feature either method is valid.
    if (e.gpu.features.has('timestamp-query')) expect(['timestamp-query', 'wall-clock']).toContain(rec.method);
    else expect(rec.method).toBe('wall-clock');
    expect(chosenVariant(e, t)).toBe('quick');
    expect(t.prepared).toBe(2);

    clearTuned();
    expect(chosenVariant(e, t)).toBe('slow');
    const again = await autotune(e, t, { store });
    expect(again).toMatchObject({ method: 'stored', variant: 'quick' });
    expect(t.prepared).toBe(2);
    expect(chosenVariant(e, t)).toBe('quick');

    await autotune(e, t, { store, retune: true, wallClock: true, repeat: 1 });
    expect(t.prepared).toBe(4);
    clearTuned();
  });

  it('an override beats the tuned choice, and an unknown override is an error naming the variants', async () => {
    const e = await testEngine();
    const t = sizedTunable();
    await autotune(e, t, { store: null, repeat: 1 });
    try {
      overrideVariant('sized-test', 'slow');
      expect(chosenVariant(e, t)).toBe('slow');
      overrideVariant('sized-test', 'medium');
      expect(() => chosenVariant(e, t)).toThrow(/'medium' is not a sized-test variant \(have slow, quick\)/);
    } finally {
      overrideVariant('sized-test', null);
      clearTuned();
    }
  });

  it('tunes matmul on this adapter with timings for every variant', async () => {
    const e = await testEngine();
    const rec = await autotune(e, MATMUL_TUNABLE, { store: null, repeat: 1 });
    expect(Object.keys(rec.timingsMs).sort()).toEqual(['naive', 'regs4x4', 'regs8x8', 'tiled16', 'tiled64']);
    const fastest = Object.entries(rec.timingsMs).sort((a, b) => a[1] - b[1])[0][0];
    expect(rec.variant).toBe(fastest);
    expect(chosenVariant(e, MATMUL_TUNABLE)).toBe(fastest);
    clearTuned();
  });
});

describe('tune stores', () => {
  const record: TuneRecord = {
    op: 'matmul', version: 1, adapter: 'a/b/c/d', variant: 'tiled16', method: 'wall-clock', timingsMs: { tiled16: 1 }, tunedAt: 'now',
  };

  it('the file store round-trips records, creates its folder and treats a corrupt file as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-'));
    const path = join(dir, 'nested', 'autotune.json');
    const store = fileStore(path);
    expect(await store.read('k')).toBeNull();
    await store.write('k', record);
    await store.write('k2', { ...record, variant: 'naive' });
    expect(await store.read('k')).toEqual(record);
    expect(JSON.parse(readFileSync(path, 'utf8')).k2.variant).toBe('naive');
    writeFileSync(path, '{not json');
    expect(await fileStore(path).read('k')).toBeNull();
  });

  it('the localStorage store keeps one prefixed entry per key and ignores corrupt entries', async () => {
    const items = new Map<string, string>();
    const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
    const store = localStorageStore(storage, 'p:');
    await store.write('k', record);
    expect([...items.keys()]).toEqual(['p:k']);
    expect(await store.read('k')).toEqual(record);
    items.set('p:bad', '{');
    expect(await store.read('bad')).toBeNull();
  });
});
