// Tests for the run-seed random source (spec §9.5): Threefry known answers, an independent BigInt
// re-derivation of the documented key scheme, determinism, and distribution sanity checks.
import { describe, expect, it } from 'vitest';
import {
  STREAM_SCHEME_VERSION,
  Stream,
  hash32,
  seedWords,
  streamFor,
  streamKey,
  threefry2x32,
  uint32,
  uniform,
} from './rng.ts';

// Independent reference in BigInt arithmetic, written from the doc comments, not from the code.
const M = 0xffffffffn;
function refThreefry(k0: bigint, k1: bigint, c0: bigint, c1: bigint): [bigint, bigint] {
  const R = [13n, 15n, 26n, 6n, 17n, 29n, 16n, 24n];
  const ks = [k0, k1, 0x1bd11bdan ^ k0 ^ k1];
  let x0 = (c0 + ks[0]) & M;
  let x1 = (c1 + ks[1]) & M;
  for (let r = 0; r < 20; r++) {
    x0 = (x0 + x1) & M;
    const rot = R[r % 8];
    x1 = (((x1 << rot) | (x1 >> (32n - rot))) & M) ^ x0;
    if (r % 4 === 3) {
      const s = BigInt((r - 3) / 4 + 1);
      x0 = (x0 + ks[Number(s % 3n)]) & M;
      x1 = (x1 + ks[Number((s + 1n) % 3n)] + s) & M;
    }
  }
  return [x0, x1];
}

function refStreamKey(seed: bigint, parts: (string | number)[]): [bigint, bigint] {
  const two64 = 1n << 64n;
  const s = ((seed % two64) + two64) % two64;
  let k: [bigint, bigint] = [s & M, s >> 32n];
  let p = 0n;
  const absorb = (w: bigint, kind: bigint) => {
    k = refThreefry(k[0], k[1], w, (p << 2n) | kind);
    p++;
  };
  for (const part of parts) {
    if (typeof part === 'number') {
      absorb(BigInt(part), 1n);
      continue;
    }
    const bytes = Buffer.from(part, 'utf8');
    absorb(BigInt(bytes.length), 2n);
    for (let i = 0; i < bytes.length; i += 4) {
      let w = 0n;
      for (let b = 0; b < 4 && i + b < bytes.length; b++) w |= BigInt(bytes[i + b]) << BigInt(8 * b);
      absorb(w, 2n);
    }
  }
  absorb(BigInt(parts.length), 3n);
  return k;
}

function chiSquare(counts: number[], expected: number): number {
  return counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
}

describe('threefry2x32', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(threefry2x32(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
  });

  it('agrees with a BigInt reference on arbitrary words, and hash32 is its first word', () => {
    const words = [0, 1, 7, 0x80000000, 0xdeadbeef, 0xffffffff, 123456789];
    for (const a of words) {
      for (const b of words) {
        const c0 = (b ^ 0x5555) >>> 0;
        const c1 = (a + 3) % 2 ** 32;
        const got = threefry2x32(a, b, c0, c1);
        expect(got.map(BigInt)).toEqual(refThreefry(BigInt(a), BigInt(b), BigInt(c0), BigInt(c1)));
        expect(hash32(a, b, c0, c1)).toBe(got[0]);
      }
    }
  });
});

describe('stream keys', () => {
  it('follow the documented cascade (independent BigInt derivation)', () => {
    const cases: [number, Parameters<typeof streamKey>[1], (string | number)[]][] = [
      [0, 'docs', [0]],
      [42, 'gen_sample', [3, 5, 1]],
      [-1, 'solver_sample', [2, 'dev', 17, 3]],
      [2 ** 40 + 5, 'init', ['model.layers.0.self_attn.q_proj.weight']],
      [7, 'projection', []],
    ];
    for (const [seed, name, parts] of cases) {
      const got = streamKey(seed, name, ...parts);
      expect(got.map(BigInt)).toEqual(refStreamKey(BigInt(seed), [name, ...parts]));
    }
  });

  it('stream word i is lane i&1 of block floor(i/2)', () => {
    const s = streamFor(9, 'choice_shuffle', 1, 2, 3);
    const [k0, k1] = s.key;
    expect([s.uint32At(0), s.uint32At(1)]).toEqual(threefry2x32(k0, k1, 0, 0));
    expect([s.uint32At(10), s.uint32At(11)]).toEqual(threefry2x32(k0, k1, 5, 0));
    const big = 2 ** 33 + 4; // block 2^32 + 2: counter words (2, 1)
    expect(s.uint32At(big)).toBe(threefry2x32(k0, k1, 2, 1)[0]);
    expect(uint32(9, 'choice_shuffle', 1, 2, 3)).toBe(s.uint32At(0));
    expect(uniform(9, 'choice_shuffle', 1, 2, 3)).toBe(s.uint32At(0) / 2 ** 32);
  });

  it('splits seeds into 64-bit two\'s-complement words', () => {
    expect(seedWords(0)).toEqual([0, 0]);
    expect(seedWords(-1)).toEqual([0xffffffff, 0xffffffff]);
    expect(seedWords(2 ** 32 + 7)).toEqual([7, 1]);
    expect(seedWords(-(2 ** 32))).toEqual([0, 0xffffffff]);
  });

  it('rejects bad seeds, unknown streams and out-of-range parts with clear errors', () => {
    expect(() => streamKey(0.5, 'docs')).toThrow(/safe integer/);
    expect(() => streamKey(1, 'doc' as never)).toThrow(/unknown stream "doc"/);
    expect(() => streamKey(1, 'docs', -1)).toThrow(/key part 1 of stream "docs"/);
    expect(() => streamKey(1, 'docs', 2 ** 32)).toThrow(/\[0, 2\^32\)/);
    expect(() => streamFor(1, 'docs').nextInt(0)).toThrow(/bound/);
  });

  it('separates nearby keys: parts, order, seed and stream all matter', () => {
    const keys = [
      streamKey(1, 'gen_sample', 0, 1),
      streamKey(1, 'gen_sample', 1, 0),
      streamKey(1, 'gen_sample', 0, 1, 0),
      streamKey(2, 'gen_sample', 0, 1),
      streamKey(1, 'solver_sample', 0, 1),
      streamKey(1, 'gen_sample', '0', 1),
    ];
    expect(new Set(keys.map((k) => k.join(':'))).size).toBe(keys.length);
  });
});

describe('stream draws', () => {
  it('repeats bit-identically for the same key, sequentially or by random access', () => {
    const a = streamFor(2024, 'gen_sample', 4, 2, 1);
    const b = streamFor(2024, 'gen_sample', 4, 2, 1);
    const seqA = Array.from({ length: 50 }, () => a.next());
    const seqB = Array.from({ length: 50 }, (_, i) => b.uniformAt(i));
    expect(seqA).toEqual(seqB);
    const resumed = new Stream(a.key, 17);
    expect(resumed.nextUint32()).toBe(b.uint32At(17));
  });

  it('is uniform: 16-bin chi-square, mean and variance over 64k draws', () => {
    const s = streamFor(1, 'solver_sample', 0, 'generated', 0, 0);
    const n = 65536;
    const bins = new Array(16).fill(0);
    let sum = 0;
    let sumSq = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = s.next();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      bins[Math.floor(u * 16)]++;
      sum += u;
      sumSq += u * u;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    // df = 15: the 0.999 quantile is 37.7.
    expect(chiSquare(bins, n / 16)).toBeLessThan(37.7);
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.003);
  });

  it('is uniform across keys too (first word of consecutive token positions)', () => {
    const n = 32768;
    const bins = new Array(16).fill(0);
    for (let t = 0; t < n; t++) bins[Math.floor(uniform(5, 'gen_sample', 0, 0, 0, t) * 16)]++;
    expect(chiSquare(bins, n / 16)).toBeLessThan(37.7);
  });

  it('nextInt covers [0, bound) evenly', () => {
    const s = streamFor(3, 'docs', 0);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[s.nextInt(6)]++;
    // df = 5: the 0.999 quantile is 20.5.
    expect(chiSquare(counts, 10000)).toBeLessThan(20.5);
  });

  it('permutations of 4 are uniform over all 24 orders (chi-square, df 23)', () => {
    const counts = new Map<string, number>();
    const trials = 24000;
    for (let row = 0; row < trials; row++) {
      const key = streamFor(11, 'choice_shuffle', 0, 0, row).permutation(4).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    // 0.999 quantile of chi-square with 23 degrees of freedom is 49.7.
    expect(chiSquare([...counts.values()], trials / 24)).toBeLessThan(49.7);
  });

  it('shuffles in place and keeps every element', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const out = streamFor(1, 'docs', 0).shuffle(items);
    expect(out).toBe(items);
    expect([...out].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(STREAM_SCHEME_VERSION).toBe(1);
  });
});
