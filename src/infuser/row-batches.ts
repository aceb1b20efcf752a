// Packing training rows into right-padded [B, T] chunks for batched forwards (spec §4–5 PPO update):
// which rows share a chunk, and the per-token arrays (old log-probs, advantages, weights) laid out
// like batchSequenceLogprobs' output. Padding always carries weight 0, so it enters no loss or metric.

/**
 * Default cap on B × T per chunk. 512 tokens already batches several typical rows (fewer launches on
 * a real GPU) while keeping padding and working set small: on the CPU-bound software adapter 4096
 * cost ~25% more time than row-by-row, 512 about the same. Lower for wide vocabularies so the
 * [B·T, V] logits stay ≤ 2^26 floats.
 */
export function defaultTokenBudget(vocabSize: number): number {
  return Math.max(1, Math.min(512, Math.floor(2 ** 26 / vocabSize)));
}

/**
 * Splits row indices into chunks whose padded size (rows × longest length) stays within
 * `tokenBudget`. Rows go longest first so chunk-mates have similar lengths (little padding); a row
 * longer than the budget gets a chunk of its own.
 */
export function packRows(indices: readonly number[], lengths: readonly number[], tokenBudget: number): number[][] {
  if (!(tokenBudget >= 1)) throw new Error(`packRows: token budget must be ≥ 1, got ${tokenBudget}`);
  const order = [...indices].sort((a, b) => lengths[b] - lengths[a] || a - b);
  const chunks: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    if (current.length && (current.length + 1) * lengths[current[0]] > tokenBudget) {
      chunks.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Per-row vectors (each no longer than T) laid out as one [B · T] array, zeros after each row. */
export function padVectors(rows: readonly ArrayLike<number>[], T: number): Float32Array {
  const out = new Float32Array(rows.length * T);
  rows.forEach((r, b) => {
    if (r.length > T) throw new Error(`padVectors: row ${b} has ${r.length} entries, more than T = ${T}`);
    out.set(r, b * T);
  });
  return out;
}
