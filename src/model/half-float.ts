// Conversions between f32 and the 16-bit float formats stored in checkpoints (IEEE f16, bfloat16).
// safetensors.ts decodes tensor bytes through decodeToF32 and encodes through encodeFromF32.
// Narrowing rounds to nearest, ties to even; NaN stays NaN (quiet), overflow becomes ±inf.
// Byte order is little-endian, as in safetensors; typed-array views assume a little-endian host.

export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';

export const FLOAT_BYTES: Record<FloatDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** f32 bit pattern of x (after rounding x to f32). */
export function f32Bits(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0];
}

/** The f32 whose bit pattern is `bits`. */
export function f32FromBits(bits: number): number {
  scratchU32[0] = bits >>> 0;
  return scratchF32[0];
}

/** Exact value of an f16 bit pattern. */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** Rounds `mant` right by `shift` bits, to nearest with ties to even. */
function shiftRoundEven(mant: number, shift: number): number {
  const half = 2 ** (shift - 1);
  const rest = mant % (2 * half);
  const kept = Math.floor(mant / (2 * half));
  return rest > half || (rest === half && kept % 2 === 1) ? kept + 1 : kept;
}

/** Nearest f16 bit pattern to the f32 value x (ties to even). */
export function f32ToF16Bits(x: number): number {
  const b = f32Bits(x);
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15; // f16 biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // f16 subnormal: x = (mant | 2^23) * 2^(e - 38), so its count of 2^-24 steps is that >> (14 - e).
    if (e < -10) return sign;
    return sign | shiftRoundEven(mant | 0x800000, 14 - e);
  }
  // A carry out of the mantissa bumps the exponent, and 0x7bff + 1 is correctly +inf.
  return sign | (shiftRoundEven((e << 23) | mant, 13) & 0x7fff);
}

/** Exact value of a bfloat16 bit pattern. */
export function bf16BitsToF32(h: number): number {
  return f32FromBits((h & 0xffff) << 16);
}

/** Nearest bfloat16 bit pattern to the f32 value x (ties to even). */
export function f32ToBf16Bits(x: number): number {
  return bf16FromF32Bits(f32Bits(x));
}

function bf16FromF32Bits(b: number): number {
  // NaN keeps its sign and top payload and is forced quiet, so truncation cannot make it inf.
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  // Adding 0x7fff plus the kept lsb rounds to nearest even; a carry correctly overflows to inf.
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

let f16Table: Float32Array | null = null;

function f16Lookup(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32(h);
  }
  return f16Table;
}

/** A view of `bytes` as `T`, copying first when the byte offset is misaligned for T. */
function aligned<T>(bytes: Uint8Array, width: number, make: (buf: ArrayBufferLike, off: number, n: number) => T): T {
  const src = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  return make(src.buffer, src.byteOffset, src.length / width);
}

/** Decodes little-endian `dtype` elements from `bytes` into out[outOffset…]. */
export function decodeToF32(dtype: FloatDtype, bytes: Uint8Array, out: Float32Array, outOffset: number): void {
  const n = bytes.length / FLOAT_BYTES[dtype];
  if (dtype === 'F32') {
    new Uint8Array(out.buffer, out.byteOffset + outOffset * 4, bytes.length).set(bytes);
  } else if (dtype === 'F64') {
    out.set(aligned(bytes, 8, (b, o, k) => new Float64Array(b, o, k)), outOffset);
  } else if (dtype === 'BF16') {
    const src = aligned(bytes, 2, (b, o, k) => new Uint16Array(b, o, k));
    const dst = new Uint32Array(out.buffer, out.byteOffset + outOffset * 4, n);
    for (let i = 0; i < n; i++) dst[i] = src[i] << 16;
  } else {
    const src = aligned(bytes, 2, (b, o, k) => new Uint16Array(b, o, k));
    const table = f16Lookup();
    for (let i = 0; i < n; i++) out[outOffset + i] = table[src[i]];
  }
}

/** Encodes f32 values as little-endian `dtype` bytes (F32 returns a view sharing `data`'s memory). */
export function encodeFromF32(dtype: FloatDtype, data: Float32Array): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (dtype === 'F64') return new Uint8Array(Float64Array.from(data).buffer);
  const out = new Uint16Array(data.length);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < data.length; i++) out[i] = bf16FromF32Bits(bits[i]);
  } else {
    for (let i = 0; i < data.length; i++) out[i] = f32ToF16Bits(data[i]);
  }
  return new Uint8Array(out.buffer);
}
