import { describe, expect, it } from 'vitest';
import { crossEntropy, tokenLogprobs, tokenLogprobsBackwardRef, tokenLogprobsRef } from './cross-entropy.ts';
import { uploadIds } from './embedding.ts';
import { maskedMeanRef } from './reduce.ts';
import { logSoftmaxRef, type RowVariant } from './softmax.ts';
import { asF32, assertClose, finiteDiff, randn, seeded, testEngine, weightedSum } from '../testing.ts';

function randomIds(n: number, V: number, seed: number): number[] {
  const r = seeded(seed);
  return Array.from({ length: n }, () => Math.floor(r() * V));
}

const CASES: [number, number, RowVariant][] = [
  ...(['rows', 'wg'] as const).flatMap((v): [number, number, RowVariant][] => [[1, 1, v], [3, 5, v], [2, 260, v]]),
  [260, 3, 'rows'],
];

describe('token log-probabilities and masked cross-entropy', () => {
  it('the fused reference equals log-softmax followed by a gather', () => {
    const x = randn(12, 61, 2);
    const targets = [3, 0, 2];
    const lsm = logSoftmaxRef(x, 4, 0.7);
    const gathered = targets.map((t, n) => lsm[n * 4 + t]);
    assertClose(tokenLogprobsRef(x, 4, targets, 0.7), gathered, { rtol: 0, atol: 1e-12 }, 'fused vs composed');
  });

  for (const [N, V, variant] of CASES) {
    it(`tokenLogprobs forward and backward at [${N}, ${V}] (${variant}, T = 1 and 0.7)`, async () => {
      const e = await testEngine();
      const logits = asF32(randn(N * V, 62, 3));
      const targets = randomIds(N, V, 63);
      const w = asF32(randn(N, 64));
      for (const T of [1, 0.7]) {
        await e.tidy(async () => {
          const tl = e.fromArray(logits, [N, V]);
          tl.requiresGrad = true;
          const out = tokenLogprobs(tl, uploadIds(e, targets), { temperature: T, variant });
          e.tape.backward(out, e.fromArray(w, [N]));
          const [y, dL] = await e.readMany([out, tl.grad!]);
          assertClose(y, tokenLogprobsRef(logits, V, targets, T), { rtol: 1e-4, atol: 1e-5 }, `forward T=${T}`);
          const fd = finiteDiff((x) => weightedSum(tokenLogprobsRef(x, V, targets, T), w), logits);
          assertClose(dL, fd, { rtol: 1e-4, atol: 1e-5 }, `GPU backward vs finite differences T=${T}`);
          assertClose(tokenLogprobsBackwardRef(logits, V, targets, w, T), fd, { rtol: 1e-6, atol: 1e-7 }, `float64 backward T=${T}`);
        });
      }
    });
  }

  for (const normaliser of [undefined, 12.5]) {
    it(`crossEntropy with a token mask (normaliser ${normaliser ?? 'Σ mask'}, T = 0.7): loss and d logits`, async () => {
      const e = await testEngine();
      const [N, V, T] = [9, 6, 0.7];
      const logits = asF32(randn(N * V, 65, 2));
      const targets = randomIds(N, V, 66);
      const mask = [1, 1, 0, 1, 0, 0, 1, 1, 1];
      const ref = (x: ArrayLike<number>) => maskedMeanRef(tokenLogprobsRef(x, V, targets, T).map((l) => -l), mask, normaliser);
      await e.tidy(async () => {
        const tl = e.fromArray(logits, [N, V]);
        tl.requiresGrad = true;
        const { perToken, loss } = crossEntropy(tl, uploadIds(e, targets), e.fromArray(mask, [N]), { temperature: T, normaliser });
        e.tape.backward(loss);
        const [tok, l, dL] = await e.readMany([perToken, loss, tl.grad!]);
        assertClose(tok, tokenLogprobsRef(logits, V, targets, T).map((v) => -v), { rtol: 1e-4, atol: 1e-5 }, 'per-token loss');
        assertClose(l, [ref(logits)], { rtol: 1e-4, atol: 1e-6 }, 'masked mean loss');
        assertClose(dL, finiteDiff(ref, logits), { rtol: 1e-4, atol: 1e-6 }, 'd logits vs finite differences');
      });
    });
  }

  it('rejects targets outside the vocabulary and a count mismatch', async () => {
    const e = await testEngine();
    await e.tidy(async () => {
      const logits = e.zeros([2, 3], 'logits');
      expect(() => tokenLogprobs(logits, uploadIds(e, [0, 3]))).toThrow(/id 3 .* outside the vocabulary of 3/);
      expect(() => tokenLogprobs(logits, uploadIds(e, [0]))).toThrow(/1 targets for logits/);
    });
  });
});
