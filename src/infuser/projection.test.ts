import { describe, expect, it } from 'vitest';
import {
  GradientProjector,
  projectedCosine,
  projectionRef,
  threefryWordsGpuAsync,
  type ProjectionFamily,
  type ProjectionOptions,
  type ProjectionTransform,
} from './projection.ts';
import { streamKey, threefry2x32 } from './rng.ts';
import { asF32, assertClose, randn, testEngine } from '../engine/testing.ts';
import type { Engine } from '../engine/engine.ts';
import type { SecondMomentLike } from './influence-gpu.ts';
import type { Tensor } from '../engine/tensor.ts';

const SIZES = [1, 100, 333, 1000];
const NAMES = ['model.embed_tokens.weight', 'model.layers.0.a', 'model.layers.0.b', 'model.norm.weight'];

function upload(e: Engine, xs: ArrayLike<number>[]) {
  return xs.map((x, i) => e.fromArray(x, [x.length], NAMES[i] ?? `x${i}`));
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

async function projectOnce(e: Engine, xs: ArrayLike<number>[], o: ProjectionOptions, names = NAMES, transform: ProjectionTransform = 'none', m: SecondMomentLike | null = null) {
  const p = new GradientProjector(e, names, xs.map((x) => x.length), o);
  const ts = upload(e, xs);
  try {
    return await p.readAsync(p.project(ts, transform, m));
  } finally {
    p.dispose();
    for (const t of ts) t.dispose();
  }
}

/** Unit f32 vectors x and y_c (one per c) of dimension d with cos(x, y_c) = c up to f32 rounding. */
function vectorsWithCosines(d: number, cosines: number[], seed: number): { x: Float64Array; ys: Float64Array[]; cos: number[] } {
  const x = randn(d, seed);
  const z = randn(d, seed + 1);
  const xx = norm(x);
  let zx = 0;
  for (let i = 0; i < d; i++) zx += (z[i] * x[i]) / xx;
  const zPerp = z.map((v, i) => v - (zx * x[i]) / xx);
  const zz = norm(zPerp);
  const xf = asF32(x.map((v) => v / xx));
  const ys = cosines.map((c) => asF32(x.map((v, i) => (c * v) / xx + (Math.sqrt(1 - c * c) * zPerp[i]) / zz)));
  return { x: xf, ys, cos: ys.map((y) => projectedCosine(xf, y)) };
}

describe('projection (spec §9.4)', () => {
  it('the WGSL Threefry port gives the same words as rng.ts (incl. the Random123 answer and u32 wrap)', async () => {
    const e = await testEngine();
    const zero = await threefryWordsGpuAsync(e, [0, 0], 0, 0, 1);
    expect([zero[0], zero[1]]).toEqual([0x6b200159, 0x99ba4efe]);
    const key = streamKey(12345, 'projection', 7);
    for (const [x0, y] of [[0, 0], [4294967296 - 100, 3], [123456789, 4000000000]]) {
      const got = await threefryWordsGpuAsync(e, key, x0, y, 300);
      const want = new Uint32Array(600);
      for (let i = 0; i < 300; i++) want.set(threefry2x32(key[0], key[1], (x0 + i) >>> 0, y), 2 * i);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  // s = 3 leaves the second word of the last Threefry call unused; k = 80 ends inside a 64-row block.
  const FAMILIES: [ProjectionFamily, number, number][] = [['sparse', 64, 4], ['sparse', 60, 3], ['rademacher', 80, 1]];
  for (const [family, K, sparsity] of FAMILIES) {
    for (const transform of ['none', 'exact', 'frozen'] as const) {
      for (const hasV of transform === 'none' ? [false] : [false, true]) {
        it(`${family} k=${K} s=${sparsity}, transform ${transform}${hasV ? ' with v' : ' at t = 0'}: f and group sketches match the float64 reference`, async () => {
          const e = await testEngine();
          const o: ProjectionOptions = { family, k: K, sparsity, seed: 99, iteration: 3 };
          const xs = SIZES.map((n, i) => asF32(randn(n, 60 + i, 1e-3)));
          const vs = hasV ? SIZES.map((n, i) => asF32(randn(n, 70 + i, 1e-3).map((v) => v * v))) : null;
          const vTensors = vs ? upload(e, vs) : null;
          const m: SecondMomentLike = { v: vTensors, t: hasV ? 4 : 0, beta2: 0.999, eps: 1e-8 };
          const got = await projectOnce(e, xs, o, NAMES, transform, m);
          const refMoment = { v: vs, t: m.t, beta2: m.beta2, eps: m.eps };
          const want = projectionRef(xs, o, transform, refMoment);
          assertClose(got.features, want, { rtol: 1e-4, atol: 1e-5 * norm(want) }, 'f = P x');
          // Group sketches: embed, layers.0 (two tensors), head; each is P applied to that group alone.
          const groupsOf = [[0], [1, 2], [3]];
          groupsOf.forEach((members, g) => {
            const only = xs.map((x, i) => (members.includes(i) ? x : new Float64Array(x.length)));
            const wantG = projectionRef(only, o, transform, refMoment);
            assertClose(got.groupFeatures[g], wantG, { rtol: 1e-4, atol: 1e-5 * norm(want) }, `group ${g}`);
          });
          for (const t of vTensors ?? []) t.dispose();
        });
      }
    }
  }

  it('F-I7 same seed gives bit-identical features; another iteration gives another P; fixed ignores iteration', async () => {
    const e = await testEngine();
    const xs = SIZES.map((n, i) => asF32(randn(n, 80 + i)));
    for (const family of ['sparse', 'rademacher'] as const) {
      const o: ProjectionOptions = { family, k: 256, seed: 5, iteration: 2 };
      const a = await projectOnce(e, xs, o);
      const b = await projectOnce(e, xs, o);
      expect(Buffer.from(a.features.buffer).equals(Buffer.from(b.features.buffer))).toBe(true);
      const c = await projectOnce(e, xs, { ...o, iteration: 3 });
      expect(Math.abs(projectedCosine(a.features, c.features))).toBeLessThan(0.5);
      const f1 = await projectOnce(e, xs, { ...o, iteration: 'fixed' });
      const f2 = await projectOnce(e, xs, { ...o, iteration: 'fixed', seed: 5 });
      expect(Array.from(f1.features)).toEqual(Array.from(f2.features));
    }
  });

  it('F-I7 f_V and f_q share P: the question and dev-reference sides of P1/P2/P3 give identical bits for the same input', async () => {
    const e = await testEngine();
    const xs = SIZES.map((n, i) => asF32(randn(n, 90 + i, 1e-3)));
    const vs = upload(e, SIZES.map((n, i) => asF32(randn(n, 95 + i, 1e-3).map((v) => v * v))));
    const m: SecondMomentLike = { v: vs, t: 9, beta2: 0.999, eps: 1e-8 };
    const p = new GradientProjector(e, NAMES, SIZES, { family: 'sparse', k: 128, seed: 1, iteration: 0 });
    const ts = upload(e, xs);
    const read = async (f: ReturnType<GradientProjector['project']>) => Array.from((await p.readAsync(f)).features);
    // P3 f_q = P g and P1 f_V = P u; P2 f_q = P(D g) and P3 f_V = P(D u).
    expect(await read(p.projectQuestion(ts, 'P3', m))).toEqual(await read(p.projectDevRef(ts, 'P1', m)));
    expect(await read(p.projectQuestion(ts, 'P2', m))).toEqual(await read(p.projectDevRef(ts, 'P3', m)));
    p.dispose();
    for (const t of [...ts, ...vs]) t.dispose();
  });

  /** Projected cosines of (x, y_c) over seeds; one P per seed, shared by x and every y_c; one readback. */
  async function cosineStats(family: ProjectionFamily, d: number, K: number, seeds: number, cosines: number[]) {
    const e = await testEngine();
    const vecs = vectorsWithCosines(d, cosines, 1000);
    const inputs = [vecs.x, ...vecs.ys].map((v) => e.fromArray(v, [d]));
    const feats: Tensor[] = [];
    for (let s = 0; s < seeds; s++) {
      const p = new GradientProjector(e, ['model.layers.0.w'], [d], { family, k: K, seed: 2024, iteration: s });
      for (const t of inputs) {
        const f = p.project([t]);
        f.groupFeatures.dispose();
        feats.push(f.features);
      }
      p.dispose();
    }
    const arrays = await e.readMany(feats);
    for (const t of [...feats, ...inputs]) t.dispose();
    const per = inputs.length;
    return cosines.map((_, i) => {
      const samples = Array.from({ length: seeds }, (_, s) => projectedCosine(arrays[s * per], arrays[s * per + 1 + i]));
      const mean = samples.reduce((a, b) => a + b, 0) / seeds;
      const std = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (seeds - 1));
      return { cos: vecs.cos[i], mean, std, stderr: std / Math.sqrt(seeds) };
    });
  }

  function checkStats(stats: { cos: number; mean: number; std: number; stderr: number }[], K: number): void {
    for (const { cos, mean, std, stderr } of stats) {
      const expectedStd = (1 - cos * cos) / Math.sqrt(K);
      expect(Math.abs(mean - cos), `mean ${mean} vs c ${cos} (3 SE = ${3 * stderr})`).toBeLessThan(3 * stderr);
      expect(std / expectedStd, `std ${std} vs (1 − c²)/√k = ${expectedStd}`).toBeGreaterThan(0.7);
      expect(std / expectedStd, `std ${std} vs (1 − c²)/√k = ${expectedStd}`).toBeLessThan(1.3);
    }
  }

  it('F-I7 sparse JL, d = 8192, k = 1024, 200 seeds: mean within 3 SE of c, std within 0.7–1.3 × (1 − c²)/√k', async () => {
    checkStats(await cosineStats('sparse', 8192, 1024, 200, [0, 0.3, 0.8]), 1024);
  });

  it('F-I7 dense Rademacher (smaller case d = 2048, k = 256, 60 seeds): same statistics', async () => {
    checkStats(await cosineStats('rademacher', 2048, 256, 60, [0, 0.3, 0.8]), 256);
  });

  it('an empty tensor owns no chunk row and changes nothing (dense, uninitialised scratch)', async () => {
    const e = await testEngine();
    const x = asF32(randn(50, 5));
    const o: ProjectionOptions = { family: 'rademacher', k: 64, seed: 3, iteration: 1 };
    const got = await projectOnce(e, [new Float64Array(0), x], o, ['model.embed_tokens.weight', 'model.layers.0.a']);
    assertClose(got.features, projectionRef([x], o), { rtol: 1e-4, atol: 1e-6 }, 'f with an empty tensor');
    assertClose(got.groupFeatures[0], new Float64Array(64), { rtol: 0, atol: 0 }, 'empty group sketch');
  });

  it('rejects a sparsity that does not divide k, non-contiguous groups and a missing second moment', async () => {
    const e = await testEngine();
    expect(() => new GradientProjector(e, ['w'], [10], { family: 'sparse', k: 100, sparsity: 3, seed: 1, iteration: 0 })).toThrow(/sparsity s must be a positive integer dividing k = 100/);
    const names = ['model.layers.0.a', 'model.layers.1.a', 'model.layers.0.b'];
    expect(() => new GradientProjector(e, names, [1, 1, 1], { family: 'sparse', k: 64, seed: 1, iteration: 0 })).toThrow(/"model.layers.0.b" of group layers.0 is not next to/);
    const p = new GradientProjector(e, ['w'], [3], { family: 'rademacher', k: 64, seed: 1, iteration: 0 });
    const x = e.fromArray([1, 2, 3], [3]);
    expect(() => p.project([x], 'exact')).toThrow(/needs the Solver's second moment/);
    expect(() => p.project([x], 'frozen', { v: null, t: 2, beta2: 0.9, eps: 1e-8 })).toThrow(/second moments are missing at step t = 2/);
    p.dispose();
    x.dispose();
  });
});
