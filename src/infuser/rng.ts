// Run-seed random source (spec §9.5): every random draw in the lab derives from (seed, stream, indices)
// through a counter-based generator, so changing one setting never perturbs an unrelated stream.
// Callers: document order, dev subsample, token sampling, choice shuffling, projection P, weight init,
// the Solver-data filter.
// The block function is Threefry-2x32 with 20 rounds (Salmon et al., SC'11; Random123), which needs only
// u32 add, xor and rotate, so WGSL kernels (shaders/projection.wgsl) reimplement it bit-for-bit.
// Invariant: outputs depend only on their key; nothing here holds global state.

/** Bump when any derivation below changes; stored in run records beside the seed (§9.5). */
export const STREAM_SCHEME_VERSION = 1;

export const STREAM_NAMES = [
  'docs',
  'dev_subsample',
  'gen_sample',
  'choice_shuffle',
  'solver_sample',
  'projection',
  'init',
  'solver_filter',
] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

/** A key part: a u32 integer (iteration, slot, token position…) or a string (phase, parameter name). */
export type KeyPart = number | string;

const TWO_POW_32 = 4294967296;
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
const SKEIN_PARITY = 0x1bd11bda;

function rotl32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/**
 * Threefry-2x32-20 block function: key (k0, k1), counter (c0, c1) -> two u32 words.
 *
 * Exact definition (all values u32, `+` wraps mod 2^32, rotl is a 32-bit left rotation):
 *   ks = [k0, k1, 0x1BD11BDA ^ k0 ^ k1]
 *   x0 = c0 + ks[0];  x1 = c1 + ks[1]
 *   for r in 0..19:
 *     x0 = x0 + x1;  x1 = rotl(x1, R[r % 8]) ^ x0        with R = [13,15,26,6,17,29,16,24]
 *     if r % 4 == 3:  s = r/4 + 1 (integer);  x0 += ks[s % 3];  x1 += ks[(s + 1) % 3] + s
 *   return (x0, x1)
 * Known answers (Random123 kat_vectors): key (0,0), counter (0,0) -> (0x6B200159, 0x99BA4EFE).
 */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const ks0 = k0 >>> 0;
  const ks1 = k1 >>> 0;
  const ks = [ks0, ks1, (SKEIN_PARITY ^ ks0 ^ ks1) >>> 0];
  let x0 = (c0 + ks0) >>> 0;
  let x1 = (c1 + ks1) >>> 0;
  for (let r = 0; r < 20; r++) {
    x0 = (x0 + x1) >>> 0;
    x1 = (rotl32(x1, ROTATIONS[r % 8]) ^ x0) >>> 0;
    if (r % 4 === 3) {
      const s = (r >> 2) + 1;
      x0 = (x0 + ks[s % 3]) >>> 0;
      x1 = (x1 + ks[(s + 1) % 3] + s) >>> 0;
    }
  }
  return [x0, x1];
}

/**
 * The 32-bit hash for GPU kernels: the first output word of threefry2x32(k0, k1, x, y).
 * A kernel receives the stream key (k0, k1) from streamKey() in a uniform and picks its own counter
 * (for the projection: x = column, y = row), so no k×d matrix is ever stored (§9.4 R2).
 */
export function hash32(k0: number, k1: number, x: number, y: number): number {
  return threefry2x32(k0, k1, x, y)[0];
}

function checkU32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= TWO_POW_32) {
    throw new Error(`rng: ${what} must be an integer in [0, 2^32), got ${value}`);
  }
  return value;
}

/** Splits a safe integer seed into its 64-bit two's-complement words (low, high). */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`rng: the run seed must be a safe integer, got ${seed}`);
  }
  const hi = Math.floor(seed / TWO_POW_32);
  const lo = seed - hi * TWO_POW_32;
  return [lo >>> 0, hi >>> 0];
}

function utf8Words(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  const words = [bytes.length];
  for (let i = 0; i < bytes.length; i += 4) {
    words.push(((bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0));
  }
  return words;
}

// Word kinds in the key derivation's counter tag keep the encoding prefix-free: a string is its byte
// length then its bytes packed little-endian, a number one word, and the part count closes the key.
const KIND_NUMBER = 1;
const KIND_STRING = 2;
const KIND_END = 3;

/**
 * Derives a 64-bit stream key from (seed, stream, ...parts) by a Threefry cascade:
 * K = (seedLo, seedHi); for the p-th absorbed word w of kind k: K = threefry2x32(K, w, (p << 2) | k).
 * The stream name is part 0 (a string); the count of parts is absorbed last.
 */
export function streamKey(seed: number, stream: StreamName, ...parts: KeyPart[]): [number, number] {
  if (!(STREAM_NAMES as readonly string[]).includes(stream)) {
    throw new Error(`rng: unknown stream "${stream}"; expected one of ${STREAM_NAMES.join(', ')}`);
  }
  let [k0, k1] = seedWords(seed);
  let position = 0;
  const absorb = (word: number, kind: number): void => {
    [k0, k1] = threefry2x32(k0, k1, word, ((position << 2) | kind) >>> 0);
    position++;
  };
  const all: KeyPart[] = [stream, ...parts];
  all.forEach((part, i) => {
    if (typeof part === 'string') {
      for (const word of utf8Words(part)) absorb(word, KIND_STRING);
    } else {
      absorb(checkU32(part, `key part ${i} of stream "${stream}"`), KIND_NUMBER);
    }
  });
  absorb(all.length, KIND_END);
  return [k0, k1];
}

/**
 * A keyed sequence of u32 words: word i is lane (i & 1) of threefry2x32(key, floor(i/2) split into
 * (low, high) u32 words). Random access (`uint32At`) and sequential use (`next*`) see the same words.
 */
export class Stream {
  readonly key: [number, number];
  /** Index of the next word `nextUint32` returns; saved in checkpoints (§9.6). */
  counter = 0;
  private cachedBlock = -1;
  private cachedWords: [number, number] = [0, 0];

  constructor(key: [number, number], counter = 0) {
    this.key = [key[0] >>> 0, key[1] >>> 0];
    this.counter = counter;
  }

  /** The i-th u32 word of this stream, independent of the counter. */
  uint32At(i: number): number {
    if (!Number.isSafeInteger(i) || i < 0) throw new Error(`rng: word index must be a non-negative safe integer, got ${i}`);
    const block = Math.floor(i / 2);
    if (block !== this.cachedBlock) {
      const hi = Math.floor(block / TWO_POW_32);
      this.cachedWords = threefry2x32(this.key[0], this.key[1], block - hi * TWO_POW_32, hi);
      this.cachedBlock = block;
    }
    return this.cachedWords[i & 1];
  }

  /** The i-th word as a uniform double in [0, 1) with 32-bit resolution. An f32 kernel should use
   *  f32(w >> 8) * 2^-24 instead: w / 2^32 rounds up to 1.0 in f32 for the largest words. */
  uniformAt(i: number): number {
    return this.uint32At(i) / TWO_POW_32;
  }

  nextUint32(): number {
    return this.uint32At(this.counter++);
  }

  /** Next uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Unbiased integer in [0, bound) by rejection of the top partial range. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new Error(`rng: nextInt bound must be an integer in [1, 2^32], got ${bound}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }

  /** In-place Fisher–Yates shuffle (from the last position down), returning the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const held = items[i];
      items[i] = items[j];
      items[j] = held;
    }
    return items;
  }

  /** A uniformly random permutation of 0..n-1: perm[j] is the original index placed at position j. */
  permutation(n: number): number[] {
    if (!Number.isInteger(n) || n < 0) throw new Error(`rng: permutation size must be a non-negative integer, got ${n}`);
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}

/** The stream for (seed, name, ...parts), starting at word 0 (set `.counter` to resume). */
export function streamFor(seed: number, stream: StreamName, ...parts: KeyPart[]): Stream {
  return new Stream(streamKey(seed, stream, ...parts));
}

/** Word 0 of the stream keyed by (seed, stream, ...parts), as a u32. */
export function uint32(seed: number, stream: StreamName, ...parts: KeyPart[]): number {
  const [k0, k1] = streamKey(seed, stream, ...parts);
  return threefry2x32(k0, k1, 0, 0)[0];
}

/** Word 0 of the stream keyed by (seed, stream, ...parts), as a uniform in [0, 1). */
export function uniform(seed: number, stream: StreamName, ...parts: KeyPart[]): number {
  return uint32(seed, stream, ...parts) / TWO_POW_32;
}
