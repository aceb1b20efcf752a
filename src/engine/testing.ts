// Helpers for GPU tests: one engine per test process on the real (software) adapter, seeded data,
// float64 finite differences, and comparisons that print where they fail.
import { acquireGpu } from './device.ts';
import { Engine } from './engine.ts';

let shared: Promise<Engine> | null = null;

export function testEngine(): Promise<Engine> {
  shared ??= acquireGpu().then((g) => new Engine(g));
  return shared;
}

/** mulberry32: a tiny seeded generator for test data only (the run's randomness lives in infuser/rng). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn(n: number, seed: number, scale = 1): Float64Array {
  const r = seeded(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/** Rounds float64 data to the f32 values the GPU will see, kept in a Float64Array. */
export function asF32(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(Float32Array.from(x));
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Throws with the first mismatches and the largest difference when |a - e| > atol + rtol * |e|. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  const { rtol = 1e-4, atol = 1e-5 } = tol;
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  const bad: string[] = [];
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const d = Math.abs(a - e);
    if (!(d <= atol + rtol * Math.abs(e))) {
      if (bad.length < 5) bad.push(`[${i}] got ${a}, want ${e}`);
      if (!(d <= worst)) {
        worst = d;
        worstAt = i;
      }
    }
  }
  if (bad.length) {
    throw new Error(`${what}: mismatch (rtol ${rtol}, atol ${atol}); first: ${bad.join('; ')}; largest |diff| ${worst} at ${worstAt}`);
  }
}

/** Central finite differences of a scalar float64 function: d f / d x_i for every i. */
export function finiteDiff(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const probe = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    probe[i] = x[i] + eps;
    const up = f(probe);
    probe[i] = x[i] - eps;
    const down = f(probe);
    probe[i] = x[i];
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** Sum of w_i * y_i: the scalar a backward test differentiates, so every output element matters. */
export function weightedSum(y: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * w[i];
  return s;
}
