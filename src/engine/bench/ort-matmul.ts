// The bench's yardstick: the same product run by onnxruntime-web on its wasm execution provider, from
// a one-node ONNX model built in memory (src/model/onnx-proto.ts). Plain products use MatMul; a
// transposed operand uses Gemm with transA/transB, the op ONNX exporters emit for linear layers.
// Called by src/cli/bench.ts; node or page alike (the wasm EP needs no GPU).
import * as ort from 'onnxruntime-web';
import { ATTR_INT, ONNX_FLOAT, encodeModel, type OnnxAttribute, type OnnxValueInfo } from '../../model/onnx-proto.ts';

export interface OrtCase {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
}

const input = (name: string, dims: number[]): OnnxValueInfo => ({
  name,
  type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

/** ONNX bytes of Y = op(A) · op(B) with A and B as graph inputs (nothing pre-packed). */
export function matmulModel(c: OrtCase): Uint8Array {
  const shapeA = c.transA ? [c.K, c.M] : [c.M, c.K];
  const shapeB = c.transB ? [c.N, c.K] : [c.K, c.N];
  const plain = !c.transA && !c.transB;
  const attribute: OnnxAttribute[] = plain
    ? []
    : [{ name: 'transA', type: ATTR_INT, i: Number(c.transA) }, { name: 'transB', type: ATTR_INT, i: Number(c.transB) }];
  return encodeModel({
    irVersion: 8,
    producerName: 'infuser-lab bench',
    producerVersion: '1',
    docString: '',
    graph: {
      name: 'matmul',
      node: [{ input: ['A', 'B'], output: ['Y'], name: 'mm', opType: plain ? 'MatMul' : 'Gemm', attribute }],
      initializer: [],
      input: [input('A', shapeA), input('B', shapeB)],
      output: [input('Y', [c.M, c.N])],
    },
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: [],
  });
}

export interface OrtTiming {
  ms: number;
  repeat: number;
  threads: number;
}

/** Wall-clock milliseconds per session.run after one untimed run; repeats shrink to fit budgetMs. */
export async function timeOrtMatmul(c: OrtCase, threads: number, repeat = 3, budgetMs = Infinity): Promise<OrtTiming> {
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(matmulModel(c), { executionProviders: ['wasm'] });
  try {
    const fill = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
    const feeds = {
      A: new ort.Tensor('float32', fill(c.M * c.K), c.transA ? [c.K, c.M] : [c.M, c.K]),
      B: new ort.Tensor('float32', fill(c.K * c.N), c.transB ? [c.N, c.K] : [c.K, c.N]),
    };
    const t0 = performance.now();
    await session.run(feeds);
    const firstMs = performance.now() - t0;
    const n = Math.max(1, Math.min(repeat, Math.floor(budgetMs / firstMs)));
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await session.run(feeds);
    return { ms: (performance.now() - t1) / n, repeat: n, threads };
  } finally {
    await session.release();
  }
}
