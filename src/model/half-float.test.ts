import { describe, expect, it } from 'vitest';
import {
  bf16BitsToF32, decodeToF32, encodeFromF32, f16BitsToF32, f32FromBits, f32ToBf16Bits, f32ToF16Bits,
} from './half-float.ts';

// Expected bit patterns are worked by hand from the IEEE layouts:
// f16 = 1 sign, 5 exponent (bias 15), 10 mantissa; bf16 = the top 16 bits of an f32.
describe('f16', () => {
  const exact: [number, number][] = [
    [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125], [0x7bff, 65504],
    [0x0400, 2 ** -14], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x8001, -(2 ** -24)],
    [0x7c00, Infinity], [0xfc00, -Infinity],
  ];

  it('decodes normals, subnormals and infinities exactly', () => {
    for (const [bits, value] of exact) expect(f16BitsToF32(bits)).toBe(value);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
    expect(f16BitsToF32(0x7c01)).toBeNaN();
  });

  it('encodes exact values back to the same bits', () => {
    for (const [bits, value] of exact) expect(f32ToF16Bits(value)).toBe(bits);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
  });

  it('rounds to nearest, ties to even', () => {
    // 1 + 2^-11 is half an f16 ulp above 1: tie, 1.0 has the even mantissa.
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 lies halfway between mantissas 1 and 2: even is 2.
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    // 0.1 = 0x3dcccccd in f32 -> f16 0x2e66 (mantissa 0x266.66 rounds down).
    expect(f32ToF16Bits(0.1)).toBe(0x2e66);
  });

  it('rounds subnormals, underflow and overflow correctly', () => {
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // exactly half the smallest subnormal: tie to 0
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 steps: tie to even 2
    expect(f32ToF16Bits(2 ** -25 * 1.0001)).toBe(0x0001);
    expect(f32ToF16Bits(2 ** -26)).toBe(0x0000);
    expect(f32ToF16Bits(-(2 ** -26))).toBe(0x8000);
    expect(f32ToF16Bits(f32FromBits(0x00000001))).toBe(0x0000); // f32 subnormal
    expect(f32ToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // largest subnormal + half step: tie to even 0x400
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // halfway to 65536: ties to even = inf
    expect(f32ToF16Bits(1e10)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
  });

  it('keeps NaN a NaN, even with only low payload bits', () => {
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(f32ToF16Bits(NaN) & 0x3ff).not.toBe(0);
    expect(f32ToF16Bits(f32FromBits(0x7f800001)) & 0x3ff).not.toBe(0);
  });
});

describe('bf16', () => {
  it('decodes exactly', () => {
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    expect(bf16BitsToF32(0xc0a0)).toBe(-5);
    expect(bf16BitsToF32(0x0001)).toBe(2 ** -133); // subnormal
    expect(bf16BitsToF32(0x7f80)).toBe(Infinity);
    expect(bf16BitsToF32(0x7fc0)).toBeNaN();
  });

  it('rounds to nearest, ties to even, with subnormals and overflow', () => {
    expect(f32ToBf16Bits(f32FromBits(0x3f808000))).toBe(0x3f80); // tie, keep even
    expect(f32ToBf16Bits(f32FromBits(0x3f818000))).toBe(0x3f82); // tie, round up to even
    expect(f32ToBf16Bits(f32FromBits(0x3f808001))).toBe(0x3f81);
    expect(f32ToBf16Bits(f32FromBits(0x3f807fff))).toBe(0x3f80);
    expect(f32ToBf16Bits(f32FromBits(0x00008000))).toBe(0x0000);
    expect(f32ToBf16Bits(f32FromBits(0x00018000))).toBe(0x0002);
    expect(f32ToBf16Bits(f32FromBits(0x7f7fffff))).toBe(0x7f80); // f32 max overflows to inf
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
    expect(f32ToBf16Bits(0.1)).toBe(0x3dcd); // 0x3dcccccd rounds up
  });

  it('keeps NaN a NaN when the payload sits in the dropped bits', () => {
    expect(f32ToBf16Bits(f32FromBits(0x7f800001))).toBe(0x7fc0);
    expect(f32ToBf16Bits(f32FromBits(0xffc00000))).toBe(0xffc0);
  });
});

describe('bulk conversion', () => {
  it('decodes from an odd byte offset and encodes every dtype', () => {
    const values = new Float32Array([1, -2, 0.5, -3.25]);
    for (const dtype of ['F16', 'BF16', 'F32', 'F64'] as const) {
      const bytes = encodeFromF32(dtype, values);
      const shifted = new Uint8Array(bytes.length + 1);
      shifted.set(bytes, 1);
      const out = new Float32Array(6);
      decodeToF32(dtype, shifted.subarray(1), out, 1);
      expect(Array.from(out)).toEqual([0, 1, -2, 0.5, -3.25, 0]);
    }
  });
});

describe('exhaustive sweeps', () => {
  // Collects mismatches so a failure prints the first few patterns instead of one expect per value.
  function sweep(limit: number, decode: (h: number) => number, encode: (x: number) => number): string[] {
    const bad: string[] = [];
    for (let h = 0; h < limit; h++) {
      for (const sign of [0, 0x8000]) {
        if (encode(decode(h | sign)) !== (h | sign)) bad.push(`round trip ${(h | sign).toString(16)}`);
      }
      if (h === limit - 1) continue;
      const mid = (decode(h) + decode(h + 1)) / 2; // one extra bit of precision: exact in f32
      if (encode(mid) !== (h % 2 === 0 ? h : h + 1)) bad.push(`midpoint ${h.toString(16)}`);
    }
    return bad.slice(0, 5);
  }

  it('f16: every finite pattern round-trips and every midpoint ties to the even neighbour', () => {
    expect(sweep(0x7c00, f16BitsToF32, f32ToF16Bits)).toEqual([]);
  });

  it('bf16: every finite pattern round-trips and every midpoint ties to the even neighbour', () => {
    expect(sweep(0x7f80, bf16BitsToF32, f32ToBf16Bits)).toEqual([]);
  });
});
