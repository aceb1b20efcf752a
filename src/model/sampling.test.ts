// Sampling against exact float64 probabilities computed here by brute force (a full sort of the row),
// never by the code under test.
import { describe, expect, it } from 'vitest';
import { keptTokens, sampleToken, type SamplingOptions } from './sampling.ts';
import { mulberry32 } from './random-model.ts';

function randomLogits(V: number, seed: number, scale = 3): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: V }, () => scale * (2 * r() - 1));
}

/** Exact probabilities after temperature, top-k and top-p, by sorting every token. */
function exactProbs(z: number[], o: SamplingOptions): Float64Array {
  const V = z.length;
  const logits = z.map((x) => x / o.temperature);
  const m = Math.max(...logits);
  const p = logits.map((x) => Math.exp(x - m));
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
  let keep = order;
  if (o.topK && o.topK < V) keep = keep.slice(0, o.topK);
  const kMass = keep.reduce((s, i) => s + p[i], 0);
  if (o.topP !== undefined && o.topP < 1) {
    const out: number[] = [];
    let cum = 0;
    for (const i of keep) {
      out.push(i);
      cum += p[i] / kMass;
      if (cum >= o.topP) break;
    }
    keep = out;
  }
  const mass = keep.reduce((s, i) => s + p[i], 0);
  const probs = new Float64Array(V);
  for (const i of keep) probs[i] = p[i] / mass;
  return probs;
}

function logSoftmax(z: number[], T: number): number[] {
  const s = z.map((x) => x / T);
  const m = Math.max(...s);
  const lse = m + Math.log(s.reduce((a, x) => a + Math.exp(x - m), 0));
  return s.map((x) => x - lse);
}

/** Counts over the stratified grid u = (i + 0.5) / N: inverse-CDF counts are within 1 of N · p. */
function gridCounts(z: number[], o: SamplingOptions, N: number): Float64Array {
  const counts = new Float64Array(z.length);
  for (let i = 0; i < N; i++) counts[sampleToken(z, (i + 0.5) / N, o).token]++;
  return counts;
}

function expectCountsMatch(z: number[], o: SamplingOptions, N = 20000): void {
  const want = exactProbs(z, o);
  const got = gridCounts(z, o, N);
  for (let i = 0; i < z.length; i++) {
    if (want[i] === 0) expect(got[i], `token ${i} is outside the kept set`).toBe(0);
    else expect(Math.abs(got[i] - N * want[i]), `token ${i}: ${got[i]} of ${N}, p = ${want[i]}`).toBeLessThanOrEqual(1.0001);
  }
}

describe('sampleToken: distributions', () => {
  it('stratified u reproduces softmax(z / T) exactly at T = 0.7 and T = 1.3', () => {
    const z = randomLogits(9, 1);
    expectCountsMatch(z, { temperature: 0.7 });
    expectCountsMatch(z, { temperature: 1.3 });
  });

  it('seeded random u gives frequencies within 4 standard deviations of the exact probabilities', () => {
    const z = randomLogits(6, 2);
    const o = { temperature: 0.7 };
    const want = exactProbs(z, o);
    const r = mulberry32(99);
    const N = 40000;
    const counts = new Float64Array(z.length);
    for (let i = 0; i < N; i++) counts[sampleToken(z, r(), o).token]++;
    want.forEach((p, i) => expect(Math.abs(counts[i] / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N) + 1e-9));
  });

  it('top-k keeps exactly the k most likely tokens, renormalised', () => {
    const z = randomLogits(12, 3);
    for (const k of [1, 3, 5]) expectCountsMatch(z, { temperature: 0.9, topK: k });
    const exact = exactProbs(z, { temperature: 0.9, topK: 4 });
    expect(keptTokens(z, { temperature: 0.9, topK: 4 }).sort((a, b) => a - b)).toEqual([...exact.keys()].filter((i) => exact[i] > 0));
  });

  it('top-p keeps the smallest most-likely prefix reaching p (masses 1/2, 1/4, 1/8, ...)', () => {
    const z = [1 / 8, 1 / 2, 1 / 32, 1 / 4, 1 / 16, 1 / 32].map(Math.log);
    expect(keptTokens(z, { temperature: 1, topP: 0.45 })).toEqual([1]);
    expect(keptTokens(z, { temperature: 1, topP: 0.74 })).toEqual([1, 3]);
    expect(keptTokens(z, { temperature: 1, topP: 0.76 })).toEqual([1, 3, 0]);
    expect(keptTokens(z, { temperature: 1, topP: 0.99 })).toEqual([1, 3, 0, 4, 2, 5]);
    expectCountsMatch(z, { temperature: 1, topP: 0.8 });
  });

  it('top-k then top-p: the nucleus is taken over the renormalised top-k mass', () => {
    const z = randomLogits(10, 4);
    expectCountsMatch(z, { temperature: 0.8, topK: 4, topP: 0.6 });
    expectCountsMatch(z, { temperature: 1.1, topK: 7, topP: 0.95 });
  });

  it('top-p on a 5000-token row matches the brute-force nucleus (threshold search path)', () => {
    const z = randomLogits(5000, 5, 6);
    for (const topP of [0.3, 0.9, 0.999]) {
      const o = { temperature: 0.7, topP };
      const exact = exactProbs(z, o);
      const want = [...exact.keys()].filter((i) => exact[i] > 0);
      expect(keptTokens(z, o).sort((a, b) => a - b)).toEqual(want);
    }
  });
});

describe('sampleToken: log-probs and edge cases', () => {
  it('the log-prob is log softmax(z / T) of the full distribution, even under top-k / top-p', () => {
    const z = randomLogits(11, 6);
    const full = logSoftmax(z, 0.7);
    for (const o of [{ temperature: 0.7 }, { temperature: 0.7, topK: 2 }, { temperature: 0.7, topP: 0.5 }]) {
      for (const u of [0.01, 0.4, 0.93]) {
        const s = sampleToken(z, u, o);
        expect(Math.abs(s.logprob - full[s.token])).toBeLessThan(1e-12);
      }
    }
  });

  it('T = 0 is greedy: argmax for every u, ties to the smaller id, log-prob under T = 1', () => {
    const z = [0.5, 2, -1, 2, 1.9];
    for (const u of [0, 0.5, 0.999]) expect(sampleToken(z, u, { temperature: 0 }).token).toBe(1);
    expect(Math.abs(sampleToken(z, 0.3, { temperature: 0 }).logprob - logSoftmax(z, 1)[1])).toBeLessThan(1e-12);
    for (const u of [0, 0.5, 0.999]) expect(sampleToken(z, u, { temperature: 1.5, topK: 1 }).token).toBe(1);
    expect(sampleToken(z, 0.9, { temperature: 1, topP: 1e-9 }).token).toBe(1);
  });

  it('-Infinity logits are never drawn, and u just below 1 picks the last possible token', () => {
    const z = [-Infinity, 0, -Infinity, 0.3, -Infinity];
    expectCountsMatch(z, { temperature: 1 }, 5000);
    expect(sampleToken(z, 1 - 2 ** -53, { temperature: 1 }).token).toBe(3);
    expect(sampleToken(z, 0, { temperature: 1 }).token).toBe(1);
    expect(sampleToken([4.2], 0.7, { temperature: 0.7 })).toEqual({ token: 0, logprob: 0 });
  });

  it('rejects bad inputs with a clear message', () => {
    const z = [0, 1];
    expect(() => sampleToken([0, NaN], 0.5, { temperature: 1 })).toThrow(/logit 1 is NaN/);
    expect(() => sampleToken([-Infinity], 0.5, { temperature: 1 })).toThrow(/every logit is -Infinity/);
    expect(() => sampleToken(z, 1, { temperature: 1 })).toThrow(/\[0, 1\)/);
    expect(() => sampleToken(z, 0.5, { temperature: -1 })).toThrow(/temperature/);
    expect(() => sampleToken(z, 0.5, { temperature: 1, topP: 0 })).toThrow(/top-p/);
    expect(() => sampleToken(z, 0.5, { temperature: 1, topK: 1.5 })).toThrow(/top-k/);
    expect(() => sampleToken([], 0.5, { temperature: 1 })).toThrow(/empty/);
  });
});
