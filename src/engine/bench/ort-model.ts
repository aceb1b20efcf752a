// The bench's yardstick without a fixed onnxruntime-web build: the one-node ONNX model of a product and
// its timing on a given execution provider, with the `ort` module passed in. Node hands in
// 'onnxruntime-web' (wasm EP, ort-matmul.ts); the bench page hands in 'onnxruntime-web/webgpu', whose
// build runs both the webgpu and the wasm EP. Plain products use MatMul; a transposed operand uses Gemm
// with transA/transB, the op ONNX exporters emit for linear layers.
import type * as OrtModule from 'onnxruntime-web';
import { ATTR_INT, ONNX_FLOAT, encodeModel, type OnnxAttribute, type OnnxValueInfo } from '../../model/onnx-proto.ts';

export type Ort = typeof OrtModule;
export type OrtProvider = 'wasm' | 'webgpu';

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

const shapeA = (c: OrtCase): number[] => (c.transA ? [c.K, c.M] : [c.M, c.K]);
const shapeB = (c: OrtCase): number[] => (c.transB ? [c.N, c.K] : [c.K, c.N]);

/** ONNX bytes of Y = op(A) · op(B) with A and B as graph inputs (nothing pre-packed). */
export function matmulModel(c: OrtCase): Uint8Array {
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
      input: [input('A', shapeA(c)), input('B', shapeB(c))],
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
  /** 'gpu-buffer': webgpu operands and result stay on the GPU; 'cpu': copied in and out every run. */
  io: 'cpu' | 'gpu-buffer';
}

export interface OrtRunOptions {
  provider: OrtProvider;
  /** wasm threads; takes effect at the module's first session only. */
  threads?: number;
}

/** Deterministic, bounded operand values (timing only). */
export const benchFill = (n: number): Float32Array<ArrayBuffer> => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);

async function session(ort: Ort, c: OrtCase, o: OrtRunOptions, gpuOut: boolean): Promise<OrtModule.InferenceSession> {
  ort.env.wasm.numThreads = o.threads ?? 1;
  ort.env.logLevel = 'error';
  return ort.InferenceSession.create(matmulModel(c), {
    executionProviders: [o.provider],
    ...(gpuOut ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
  });
}

function cpuFeeds(ort: Ort, c: OrtCase, a: Float32Array, b: Float32Array): Record<string, OrtModule.Tensor> {
  return { A: new ort.Tensor('float32', a, shapeA(c)), B: new ort.Tensor('float32', b, shapeB(c)) };
}

const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;

/** Operands uploaded once into buffers of ORT's own device, so runs time the kernel, not the copies. */
async function gpuFeeds(ort: Ort, c: OrtCase, a: Float32Array<ArrayBuffer>, b: Float32Array<ArrayBuffer>): Promise<{ feeds: Record<string, OrtModule.Tensor>; buffers: GPUBuffer[] }> {
  const device = (await ort.env.webgpu.device) as GPUDevice;
  const upload = (data: Float32Array<ArrayBuffer>): GPUBuffer => {
    const buf = device.createBuffer({ size: data.byteLength, usage: STORAGE | COPY_SRC | COPY_DST });
    device.queue.writeBuffer(buf, 0, data);
    return buf;
  };
  const buffers = [upload(a), upload(b)];
  const feeds = {
    A: ort.Tensor.fromGpuBuffer(buffers[0], { dataType: 'float32', dims: shapeA(c) }),
    B: ort.Tensor.fromGpuBuffer(buffers[1], { dataType: 'float32', dims: shapeB(c) }),
  };
  return { feeds, buffers };
}

/** Y = op(A) · op(B) computed by onnxruntime-web on the given provider (checks the model the bench times). */
export async function runOrtCase(ort: Ort, c: OrtCase, a: Float32Array, b: Float32Array, o: OrtRunOptions): Promise<Float32Array> {
  const s = await session(ort, c, o, false);
  try {
    const out = await s.run(cpuFeeds(ort, c, a, b));
    return Float32Array.from(out.Y.data as Float32Array);
  } finally {
    await s.release();
  }
}

/**
 * Wall-clock milliseconds per session.run after one untimed run; repeats shrink to fit budgetMs. On
 * webgpu the operands and result stay in GPU buffers (no copies timed) and the clock stops when ORT's
 * device queue has finished every run.
 */
export async function timeOrtCase(ort: Ort, c: OrtCase, o: OrtRunOptions & { repeat?: number; budgetMs?: number }): Promise<OrtTiming> {
  const gpu = o.provider === 'webgpu';
  const s = await session(ort, c, o, gpu);
  const { feeds, buffers } = gpu
    ? await gpuFeeds(ort, c, benchFill(c.M * c.K), benchFill(c.K * c.N))
    : { feeds: cpuFeeds(ort, c, benchFill(c.M * c.K), benchFill(c.K * c.N)), buffers: [] };
  const device = gpu ? ((await ort.env.webgpu.device) as GPUDevice) : null;
  const runs = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const y = (await s.run(feeds)).Y;
      if (gpu) y.dispose();
    }
    // The webgpu EP submits its commands at the end of every run, so this waits for all of them.
    await device?.queue.onSubmittedWorkDone();
  };
  try {
    const t0 = performance.now();
    await runs(1);
    const firstMs = performance.now() - t0;
    const n = Math.max(1, Math.min(o.repeat ?? 3, Math.floor((o.budgetMs ?? Infinity) / firstMs)));
    const t1 = performance.now();
    await runs(n);
    return { ms: (performance.now() - t1) / n, repeat: n, threads: o.threads ?? 1, io: gpu ? 'gpu-buffer' : 'cpu' };
  } finally {
    await s.release();
    buffers.forEach((b) => b.destroy());
  }
}
