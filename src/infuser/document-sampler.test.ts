import { describe, expect, it } from 'vitest';
import { DocumentSampler, docsShuffle, type EpochShuffle, identityShuffle } from './document-sampler.ts';

describe('document sampler (§9.5)', () => {
  it('F-S3 5 ids, B_doc = 2, identity shuffles → [0, 1], [2, 3], [4, 0] (epoch 1), [1, 2]', () => {
    const sampler = new DocumentSampler(5, identityShuffle);
    expect(sampler.nextBatch(2)).toEqual([0, 1]);
    expect(sampler.nextBatch(2)).toEqual([2, 3]);
    expect(sampler.nextBatch(2)).toEqual([4, 0]);
    expect(sampler.state().epoch).toBe(1);
    expect(sampler.nextBatch(2)).toEqual([1, 2]);
  });

  it('the remainder comes from the old order and the fill from the reshuffled one', () => {
    const reverseOddEpochs: EpochShuffle = (count, epoch) =>
      epoch % 2 === 1 ? identityShuffle(count, epoch).reverse() : identityShuffle(count, epoch);
    const sampler = new DocumentSampler(5, reverseOddEpochs);
    expect([sampler.nextBatch(3), sampler.nextBatch(3), sampler.nextBatch(3)]).toEqual([
      [0, 1, 2],
      [3, 4, 4],
      [3, 2, 1],
    ]);
  });

  it('resuming from a JSON round-tripped state continues the exact sequence', () => {
    const shuffle = docsShuffle(42);
    const straight = new DocumentSampler(7, shuffle);
    const first = [straight.nextBatch(3), straight.nextBatch(3)];
    const saved = JSON.parse(JSON.stringify(straight.state()));
    const rest = [straight.nextBatch(3), straight.nextBatch(3), straight.nextBatch(3)];
    const resumed = new DocumentSampler(7, shuffle, saved);
    expect([resumed.nextBatch(3), resumed.nextBatch(3), resumed.nextBatch(3)]).toEqual(rest);
    // Each epoch hands out every document exactly once.
    const epoch0 = [...first.flat(), rest[0][0]].sort((a, b) => a - b);
    expect(epoch0).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('the docs shuffle is a permutation fixed by (seed, epoch) and changes with either', () => {
    const a = docsShuffle(42)(20, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(docsShuffle(42)(20, 0)).toEqual(a);
    expect(docsShuffle(42)(20, 1)).not.toEqual(a);
    expect(docsShuffle(43)(20, 0)).not.toEqual(a);
  });

  it('a batch larger than the pool spans several epochs', () => {
    expect(new DocumentSampler(2, identityShuffle).nextBatch(5)).toEqual([0, 1, 0, 1, 0]);
  });

  it('rejects bad shuffles, states and sizes with clear errors', () => {
    expect(() => new DocumentSampler(3, () => [0, 0, 1])).toThrow(/shuffle for epoch 0 is not a permutation/);
    const badCursor = { epoch: 0, order: [0, 1, 2], cursor: 4 };
    expect(() => new DocumentSampler(3, identityShuffle, badCursor)).toThrow(/cursor 4/);
    const badOrder = { epoch: 0, order: [0, 1], cursor: 0 };
    expect(() => new DocumentSampler(3, identityShuffle, badOrder)).toThrow(/saved order/);
    expect(() => new DocumentSampler(0, identityShuffle)).toThrow(/at least one document/);
    expect(() => new DocumentSampler(3, identityShuffle).nextBatch(0)).toThrow(/positive integer/);
  });
});
