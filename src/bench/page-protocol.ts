// What node (browser-bench.ts) and the bench page (bench-page.ts) exchange: the request node passes to
// `window.infuserBench.run`, the result it gets back, and the row callback node exposes to the page so
// rows print as they are measured. Plain JSON on both sides.
import type { MatmulVariant } from '../engine/ops/matmul.ts';
import type { BenchRow, Layout } from '../engine/bench/report.ts';
import type { SkippedCase } from '../engine/bench/matmul-bench.ts';

export interface PageBenchRequest {
  sizes: number[];
  variants: MatmulVariant[];
  layouts: Layout[];
  repeat: number;
  budgetMs: number;
  /** onnxruntime-web's webgpu execution provider (the yardstick in a browser). */
  ortWebgpu: boolean;
  /** onnxruntime-web's wasm execution provider in the same page, for reference. */
  ortWasm: boolean;
  /** wasm threads (needs crossOriginIsolated for more than 1). */
  threads: number;
  /** Time our kernels by wall clock (submit to queue done), the clock ORT's runs get. */
  wallClock: boolean;
  /** Run the engine's autotune (memory store) and report the variant it selects. */
  autotune: boolean;
}

export interface AutotunePick {
  variant: string;
  method: string;
  timingsMs: Record<string, number>;
}

export interface PageBenchResult {
  adapter: string;
  isSoftware: boolean;
  userAgent: string;
  crossOriginIsolated: boolean;
  /** wasm threads ORT was given (1 when the page is not cross-origin isolated). */
  threads: number;
  selected: AutotunePick | null;
  rows: BenchRow[];
  skipped: SkippedCase[];
  peakAllocatedBytes: number;
}

/** One small product computed in the page by the engine or by onnxruntime-web (checks what is timed). */
export interface PageProductRequest {
  impl: 'engine' | 'ort-webgpu' | 'ort-wasm';
  /** Engine kernel (impl 'engine'). */
  variant?: MatmulVariant;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  /** Operands as stored: A is [M, K] ([K, M] with transA), B is [K, N] ([N, K] with transB). */
  a: number[];
  b: number[];
}

export interface PageBenchApi {
  run(req: PageBenchRequest): Promise<PageBenchResult>;
  /** C = op(A) · op(B), row-major [M, N]. */
  product(req: PageProductRequest): Promise<number[]>;
}

/** Name of the page global holding PageBenchApi, and of the row callback node exposes. */
export const PAGE_API = 'infuserBench';
export const PAGE_EMIT = 'infuserBenchEmit';
