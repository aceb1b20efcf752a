import { describe, expect, it } from 'vitest';
import {
  logSoftmax,
  logSoftmaxBackwardRef,
  logSoftmaxRef,
  softmax,
  softmaxBackwardRef,
  softmaxRef,
  SOFTMAX_TUNABLE,
  type RowVariant,
} from './softmax.ts';
import { autotune, clearTuned } from '../autotune.ts';
import { asF32, assertClose, finiteDiff, randn, testEngine, weightedSum } from '../testing.ts';

// cols 260 passes the 256-thread row workgroup; rows 260 passes one workgroup of row threads
// (only the 'rows' variant: 260 barrier workgroups are slow on the software adapter).
const VARIANTS: RowVariant[] = ['rows', 'wg'];
const CASES: [number, number, RowVariant][] = [
  ...VARIANTS.flatMap((v): [number, number, RowVariant][] => [[1, 1, v], [3, 5, v], [2, 260, v]]),
  [260, 3, 'rows'],
];

const OPS = [
  { name: 'logSoftmax', op: logSoftmax, ref: logSoftmaxRef, backRef: logSoftmaxBackwardRef },
  { name: 'softmax', op: softmax, ref: softmaxRef, backRef: softmaxBackwardRef },
] as const;

describe('softmax / logSoftmax over the last dimension', () => {
  for (const [rows, cols, variant] of CASES) {
    it(`forward and backward match float64 and finite differences at [${rows}, ${cols}] (${variant}, T = 1 and 0.7)`, async () => {
      const e = await testEngine();
      const x = asF32(randn(rows * cols, 11, 3));
      const w = asF32(randn(rows * cols, 12));
      for (const T of [1, 0.7]) {
        for (const { name, op, ref, backRef } of OPS) {
          const tx = e.fromArray(x, [rows, cols]);
          tx.requiresGrad = true;
          const out = op(tx, { temperature: T, variant });
          e.tape.backward(out, e.fromArray(w, [rows, cols]));
          const [y, dX] = await e.readMany([out, tx.grad!]);
          const yRef = ref(x, cols, T);
          assertClose(y, yRef, { rtol: 1e-4, atol: 1e-5 }, `${name} forward T=${T}`);
          const fd = finiteDiff((v) => weightedSum(ref(v, cols, T), w), x);
          assertClose(dX, fd, { rtol: 1e-4, atol: 1e-4 }, `${name} GPU backward vs finite differences T=${T}`);
          assertClose(backRef(yRef, w, cols, T), fd, { rtol: 1e-6, atol: 1e-6 }, `${name} float64 backward T=${T}`);
          tx.dispose();
          out.dispose();
        }
      }
    });
  }

  it('log-softmax stays finite for logits of size 1e4 (stable form)', async () => {
    const e = await testEngine();
    const x = [1e4, 1e4 - 1, -1e4, 0];
    for (const variant of VARIANTS) {
      const out = logSoftmax(e.fromArray(x, [1, 4]), { variant });
      const y = await e.read(out);
      expect(y.every(Number.isFinite)).toBe(true);
      // f32 spacing at 1e4 is ~1e-3, so x/T − lse carries that much rounding.
      assertClose(y, logSoftmaxRef(x, 4), { rtol: 1e-5, atol: 2e-3 }, `stable log-softmax (${variant})`);
      out.dispose();
    }
  });

  it('rejects a non-positive temperature and an empty last dimension', async () => {
    const e = await testEngine();
    const x = e.fromArray([1, 2], [1, 2]);
    expect(() => logSoftmax(x, { temperature: 0 })).toThrow(/temperature/);
    expect(() => softmax(e.zeros([2, 0]))).toThrow(/non-empty last dimension/);
    x.dispose();
  });

  it('autotune times both row mappings and records one of them', async () => {
    const e = await testEngine();
    const record = await autotune(e, SOFTMAX_TUNABLE, { store: null, repeat: 1, wallClock: true });
    expect(Object.keys(record.timingsMs).sort()).toEqual(['rows', 'wg']);
    expect(VARIANTS).toContain(record.variant);
    clearTuned();
  });
});
