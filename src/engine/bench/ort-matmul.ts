// The node bench's yardstick: the product of ort-model.ts on onnxruntime-web's wasm execution provider
// (in node, 'onnxruntime-web' resolves to the wasm-only node build). The bench page uses ort-model.ts
// directly with the package's webgpu build.
import * as ort from 'onnxruntime-web';
import { runOrtCase, timeOrtCase, type OrtCase, type OrtTiming } from './ort-model.ts';

export { matmulModel, type OrtCase, type OrtTiming } from './ort-model.ts';

/** Y = op(A) · op(B) computed by onnxruntime-web's wasm EP (checks the model the bench times). */
export function runOrtMatmul(c: OrtCase, a: Float32Array, b: Float32Array, threads = 1): Promise<Float32Array> {
  return runOrtCase(ort, c, a, b, { provider: 'wasm', threads });
}

/** Wall-clock milliseconds per session.run after one untimed run; repeats shrink to fit budgetMs. */
export function timeOrtMatmul(c: OrtCase, threads: number, repeat = 3, budgetMs = Infinity): Promise<OrtTiming> {
  return timeOrtCase(ort, c, { provider: 'wasm', threads, repeat, budgetMs });
}
