import { describe, expect, it } from 'vitest';
import { embedding, embeddingBackwardRef, embeddingRef, uploadIds } from './embedding.ts';
import { asF32, assertClose, finiteDiff, randn, seeded, testEngine, weightedSum } from '../testing.ts';

function randomIds(n: number, V: number, seed: number): number[] {
  const r = seeded(seed);
  return Array.from({ length: n }, () => Math.floor(r() * V));
}

describe('embedding gather and scatter-add backward', () => {
  // Repeated ids (N > V) exercise the race-free accumulation; C = 300 spans two workgroups of columns.
  const CASES: [number, number, number][] = [[1, 1, 1], [5, 3, 9], [7, 300, 4], [40, 6, 50]];
  for (const [V, C, N] of CASES) {
    for (const buckets of [1, 3]) {
      it(`forward and backward match float64 and finite differences at V=${V}, C=${C}, N=${N}, buckets=${buckets}`, async () => {
        const e = await testEngine();
        const table = asF32(randn(V * C, 21));
        const ids = randomIds(N, V, 22);
        const w = asF32(randn(N * C, 23));
        await e.tidy(async () => {
          const tTable = e.fromArray(table, [V, C], 'table');
          tTable.requiresGrad = true;
          const out = embedding(tTable, uploadIds(e, ids), { buckets });
          e.tape.backward(out, e.fromArray(w, [N, C]));
          const [y, dTable] = await e.readMany([out, tTable.grad!]);
          assertClose(y, embeddingRef(table, C, ids), { rtol: 0, atol: 0 }, 'embedding forward');
          const fd = finiteDiff((x) => weightedSum(embeddingRef(x, C, ids), w), table);
          assertClose(dTable, fd, { rtol: 1e-4, atol: 1e-4 }, 'embedding GPU backward vs finite differences');
          assertClose(embeddingBackwardRef(V, C, ids, w), fd, { rtol: 1e-6, atol: 1e-6 }, 'embedding float64 backward');
        });
      });
    }
  }

  it('backward accumulates into an existing table gradient (tied embeddings, several passes)', async () => {
    const e = await testEngine();
    const [V, C] = [4, 3];
    const ids = [3, 0, 3];
    const w1 = asF32(randn(9, 31));
    const w2 = asF32(randn(9, 32));
    const tTable = e.fromArray(asF32(randn(V * C, 33)), [V, C]);
    tTable.requiresGrad = true;
    const tIds = uploadIds(e, ids);
    for (const w of [w1, w2]) e.tape.backward(embedding(tTable, tIds, { buckets: 2 }), e.fromArray(w, [3, C]));
    const want = embeddingBackwardRef(V, C, ids, w1).map((v, i) => v + embeddingBackwardRef(V, C, ids, w2)[i]);
    assertClose(await e.read(tTable.grad!), want, { rtol: 1e-6, atol: 1e-6 }, 'accumulated table gradient');
    tTable.dispose();
    tIds.tensor.dispose();
  });

  it('rejects ids outside the vocabulary and non-integer ids', async () => {
    const e = await testEngine();
    const table = e.zeros([4, 2], 'wte');
    const bad = uploadIds(e, [1, 4]);
    expect(() => embedding(table, bad)).toThrow(/id 4 .* outside the vocabulary of 4/);
    expect(() => uploadIds(e, [1.5])).toThrow(/id 1.5 at position 0/);
    expect(() => uploadIds(e, [-1])).toThrow(/id -1/);
    table.dispose();
    bad.tensor.dispose();
  });
});
