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

async function session(c: OrtCase, threads: number): Promise<ort.InferenceSession> {
  ort.env.wasm.numThreads = threads; // takes effect at the first session only
  ort.env.logLevel = 'error';
  return ort.InferenceSession.create(matmulModel(c), { executionProviders: ['wasm'] });
}

function feeds(c: OrtCase, a: Float32Array, b: Float32Array): Record<string, ort.Tensor> {
  return {
    A: new ort.Tensor('float32', a, c.transA ? [c.K, c.M] : [c.M, c.K]),
    B: new ort.Tensor('float32', b, c.transB ? [c.N, c.K] : [c.K, c.N]),
  };
}

/** Y = op(A) · op(B) computed by onnxruntime-web (checks the model the bench times). */
export async function runOrtMatmul(c: OrtCase, a: Float32Array, b: Float32Array, threads = 1): Promise<Float32Array> {
  const s = await session(c, threads);
  try {
    const out = await s.run(feeds(c, a, b));
    return out.Y.data as Float32Array;
  } finally {
    await s.release();
  }
}

/** Wall-clock milliseconds per session.run after one untimed run; repeats shrink to fit budgetMs. */
export async function timeOrtMatmul(c: OrtCase, threads: number, repeat = 3, budgetMs = Infinity): Promise<OrtTiming> {
  const s = await session(c, threads);
  try {
    const fill = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
    const inputs = feeds(c, fill(c.M * c.K), fill(c.K * c.N));
    const t0 = performance.now();
    await s.run(inputs);
    const firstMs = performance.now() - t0;
    const n = Math.max(1, Math.min(repeat, Math.floor(budgetMs / firstMs)));
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await s.run(inputs);
    return { ms: (performance.now() - t1) / n, repeat: n, threads };
  } finally {
    await s.release();
  }
}
