// Token ids on the GPU and the embedding gather (table rows by id) with its race-free scatter-add
// backward (shaders/embedding.wgsl). Cross-entropy reuses `TokenIds` for its targets.
import src from '../../../shaders/embedding.wgsl?raw';
import type { Engine } from '../engine.ts';
import { grid1d } from '../grid.ts';
import type { Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

/**
 * u32 token ids in a pooled GPU buffer. A plain object, so `tidy` keeps `tensor` alive when the ids are
 * returned. `tensor` holds u32 bit patterns: bind it to `array<u32>` only, never read it as floats.
 */
export interface TokenIds {
  readonly tensor: Tensor;
  readonly length: number;
  /** Largest id, checked against the vocabulary on use (-1 when empty). */
  readonly maxId: number;
}

/** Ids stay below 2^30 so their bit patterns are never NaN payloads in the f32-typed upload path. */
const MAX_ID = 2 ** 30;

/** Uploads token ids (non-negative integers) as u32 in command order, like `engine.fromArray`. */
export function uploadIds(e: Engine, ids: ArrayLike<number>, name = 'ids'): TokenIds {
  const u32 = new Uint32Array(ids.length);
  let maxId = -1;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0 || v >= MAX_ID) throw new Error(`uploadIds ${name}: id ${v} at position ${i} is not an integer in [0, 2^30)`);
    u32[i] = v;
    maxId = Math.max(maxId, v);
  }
  // Same-type typed-array copies keep bit patterns, so the f32 upload carries the u32 bits unchanged.
  const tensor = e.fromArray(new Float32Array(u32.buffer), [ids.length], name);
  return { tensor, length: ids.length, maxId };
}

/** Throws unless every id indexes a row of a table with `vocab` rows. */
export function checkIds(ids: TokenIds, vocab: number, op: string): void {
  if (ids.maxId >= vocab) throw new Error(`${op}: id ${ids.maxId} in ${ids.tensor.describe()} is outside the vocabulary of ${vocab}`);
}

const k = (entry: string): KernelSpec => ({ name: 'embedding', code: src, entry });

/** Threads a backward pass aims for: enough to fill a GPU; one bucket on software adapters. */
const BACKWARD_THREADS = 16384;

/** Vocabulary buckets of the backward: more threads on real GPUs, none wasted on software. */
export function embeddingBuckets(e: Engine, C: number): number {
  if (e.gpu.adapter.isSoftware) return 1;
  return Math.max(1, Math.min(64, Math.ceil(BACKWARD_THREADS / C)));
}

/** Rows of `table` (V, C) picked by `ids` (N): out (N, C). The backward scatter-adds into table.grad. */
export function embedding(table: Tensor, ids: TokenIds, opts: { buckets?: number } = {}): Tensor {
  if (table.shape.length !== 2) throw new Error(`embedding: table ${table.describe()} must be (V, C)`);
  const [V, C] = table.shape;
  checkIds(ids, V, `embedding into ${table.describe()}`);
  const e = table.engine;
  const N = ids.length;
  const out = e.empty([N, C], 'embedding');
  e.dispatch({ kernel: k('embedding_forward'), buffers: [table, ids.tensor, null, out, null], params: [N, V, C, 1], workgroups: grid1d(N * C), label: `embedding forward ${table.describe()} x ${N} ids` });
  if (e.tape.wants(table)) {
    const buckets = opts.buckets ?? embeddingBuckets(e, C);
    e.tape.record(out, (dOut) => embeddingBackward(table, ids, dOut, buckets));
  }
  return out;
}

/** Adds the gradient of `embedding` into table.grad (created as zeros on first use). */
export function embeddingBackward(table: Tensor, ids: TokenIds, dOut: Tensor, buckets = 1): void {
  if (!table.requiresGrad) return;
  const e = table.engine;
  const [V, C] = table.shape;
  if (dOut.size !== ids.length * C) throw new Error(`embedding backward: ${dOut.describe()} does not match ${ids.length} ids of width ${C}`);
  if (table.gradTap) {
    table.gradTap({ kind: 'gather', ids, dOut: dOut.view([ids.length, C]) });
    return;
  }
  if (!(Number.isInteger(buckets) && buckets >= 1)) throw new Error(`embedding backward: buckets must be a positive integer, got ${buckets}`);
  table.grad ??= e.keep(e.zeros(table.shape, `${table.name || 'table'} grad`));
  e.dispatch({
    kernel: k('embedding_backward'),
    buffers: [null, ids.tensor, dOut, null, table.grad],
    params: [ids.length, V, C, buckets],
    workgroups: grid1d(C * buckets),
    label: `embedding backward ${table.describe()} x ${ids.length} ids`,
  });
}

// ---- float64 references ----------------------------------------------------------------------

export function embeddingRef(table: ArrayLike<number>, C: number, ids: ArrayLike<number>): Float64Array {
  const out = new Float64Array(ids.length * C);
  for (let n = 0; n < ids.length; n++) {
    for (let c = 0; c < C; c++) out[n * C + c] = table[ids[n] * C + c];
  }
  return out;
}

export function embeddingBackwardRef(V: number, C: number, ids: ArrayLike<number>, dOut: ArrayLike<number>): Float64Array {
  const dTable = new Float64Array(V * C);
  for (let n = 0; n < ids.length; n++) {
    for (let c = 0; c < C; c++) dTable[ids[n] * C + c] += dOut[n * C + c];
  }
  return dTable;
}
