import { describe, it } from 'vitest';
import { runOrtMatmul } from './ort-matmul.ts';
import { matmulRef } from '../ops/matmul.ts';
import { asF32, assertClose, randn } from '../testing.ts';

describe('the bench yardstick: a one-node ONNX model in onnxruntime-web', () => {
  for (const [transA, transB] of [[false, false], [false, true], [true, false]] as const) {
    it(`computes the same product as the float64 reference (transA=${transA}, transB=${transB})`, async () => {
      const [M, N, K] = [3, 5, 4];
      const a = asF32(randn(M * K, 61));
      const b = asF32(randn(K * N, 62));
      const y = await runOrtMatmul({ M, N, K, transA, transB }, Float32Array.from(a), Float32Array.from(b));
      const want = matmulRef(a, b, { M, N, K, batch: 1, batchedA: false, batchedB: false, transA, transB });
      assertClose(y, want, { rtol: 1e-5, atol: 1e-6 }, `ort ${transA ? 'Gemm' : 'MatMul'}`);
    });
  }
});
