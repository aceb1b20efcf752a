// Document sampling with the reference's epoch semantics (spec §9.5, `data/document_dataset.py`):
// a shuffled order, each batch the next B_doc indices; when fewer remain, take the remainder, reshuffle
// (epoch + 1) and fill from the new order's start. Called by Stage 2 of iteration.ts; the shuffle is
// pluggable (the run uses the `docs` stream keyed by epoch; tests use identity). The state is plain JSON,
// stored in checkpoints (§9.6), and resuming from it continues the exact sequence.

import { streamFor } from './rng.ts';

/** Returns a permutation of 0 … count−1 for the given epoch; must depend only on (count, epoch). */
export type EpochShuffle = (count: number, epoch: number) => number[];

/** Serialisable sampler state. */
export interface DocumentSamplerState {
  epoch: number;
  order: number[]; // the current epoch's permutation of document indices
  cursor: number; // next position in `order` to hand out
}

/** Identity shuffle, for tests and for an unshuffled pass over the documents. */
export const identityShuffle: EpochShuffle = (count) => Array.from({ length: count }, (_, i) => i);

/** The run's shuffle: a permutation from the `docs` stream keyed by (seed, epoch). */
export function docsShuffle(seed: number): EpochShuffle {
  return (count, epoch) => streamFor(seed, 'docs', epoch).permutation(count);
}

function checkPermutation(order: readonly number[], count: number, what: string): void {
  const seen = new Uint8Array(count);
  const ok =
    order.length === count &&
    order.every((i) => Number.isInteger(i) && i >= 0 && i < count && seen[i]++ === 0);
  if (!ok) throw new Error(`document-sampler.ts: ${what} is not a permutation of 0…${count - 1}`);
}

/** Hands out batches of document indices, epoch by epoch. */
export class DocumentSampler {
  private epoch: number;
  private order: number[];
  private cursor: number;

  /** Starts at epoch 0, or resumes from a saved state. */
  constructor(
    readonly documentCount: number,
    private readonly shuffle: EpochShuffle,
    state?: DocumentSamplerState,
  ) {
    if (!(Number.isInteger(documentCount) && documentCount > 0)) {
      throw new Error(`document-sampler.ts: need at least one document, got ${documentCount}`);
    }
    if (state) {
      checkPermutation(state.order, documentCount, 'saved order');
      if (!(Number.isInteger(state.epoch) && state.epoch >= 0)) {
        throw new Error(`document-sampler.ts: saved epoch ${state.epoch} is not an integer ≥ 0`);
      }
      if (!(Number.isInteger(state.cursor) && state.cursor >= 0 && state.cursor <= documentCount)) {
        throw new Error(`document-sampler.ts: saved cursor ${state.cursor} is outside 0…${documentCount}`);
      }
      this.epoch = state.epoch;
      this.order = [...state.order];
      this.cursor = state.cursor;
    } else {
      this.epoch = 0;
      this.order = this.shuffled(0);
      this.cursor = 0;
    }
  }

  private shuffled(epoch: number): number[] {
    const order = this.shuffle(this.documentCount, epoch);
    checkPermutation(order, this.documentCount, `shuffle for epoch ${epoch}`);
    return order;
  }

  /** The next `batchSize` document indices (B_doc), crossing into the next epoch when needed. */
  nextBatch(batchSize: number): number[] {
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new Error(`document-sampler.ts: batch size must be a positive integer, got ${batchSize}`);
    }
    const batch: number[] = [];
    while (batch.length < batchSize) {
      // Reshuffle lazily, so a saved state at an epoch's end has not consumed the next epoch yet.
      if (this.cursor === this.documentCount) {
        this.epoch++;
        this.order = this.shuffled(this.epoch);
        this.cursor = 0;
      }
      const take = Math.min(batchSize - batch.length, this.documentCount - this.cursor);
      batch.push(...this.order.slice(this.cursor, this.cursor + take));
      this.cursor += take;
    }
    return batch;
  }

  /** A copy of the state, for checkpoints. */
  state(): DocumentSamplerState {
    return { epoch: this.epoch, order: [...this.order], cursor: this.cursor };
  }
}
