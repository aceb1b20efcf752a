// Times one engine Dispatch on the GPU, for autotune.ts and the bench CLI. With the device's
// timestamp-query feature the dispatches run in one compute pass bracketed by GPU timestamps (no CPU
// or submit overhead in the number); otherwise wall clock around queue.onSubmittedWorkDone.
// Invariant: leaves the engine's recorded work flushed; timed runs overwrite the dispatch's outputs.
import { Tensor } from '../tensor.ts';
import type { Dispatch, Engine, Param } from '../engine.ts';

export type TimingMethod = 'timestamp-query' | 'wall-clock';

export interface Timing {
  /** Milliseconds per dispatch, averaged over the repeats. */
  ms: number;
  method: TimingMethod;
}

const QUERY_RESOLVE = 0x200;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const UNIFORM = 0x40;

/** Params as the engine lays them out: 4-byte scalars in order, padded to 16 bytes. */
function encodeParams(params: Param[]): ArrayBuffer {
  const data = new ArrayBuffer(Math.max(16, Math.ceil((params.length * 4) / 16) * 16));
  const view = new DataView(data);
  params.forEach((p, i) => {
    if (typeof p === 'number') view.setUint32(i * 4, p, true);
    else if ('f32' in p) view.setFloat32(i * 4, p.f32, true);
    else view.setInt32(i * 4, p.i32, true);
  });
  return data;
}

export interface TimingOptions {
  /** Timed runs (fewer when the untimed first run says they would exceed budgetMs). */
  repeat?: number;
  budgetMs?: number;
  /** false forces wall clock even where the device has timestamp-query. */
  timestamps?: boolean;
}

/** Runs d once untimed (pipeline compile, first touch), then times up to `repeat` runs. */
export async function timeDispatch(e: Engine, d: Dispatch, opts: TimingOptions = {}): Promise<Timing & { repeat: number }> {
  const t0 = performance.now();
  e.dispatch(d);
  await e.sync();
  const firstMs = performance.now() - t0;
  const repeat = Math.max(1, Math.min(opts.repeat ?? 3, Math.floor((opts.budgetMs ?? Infinity) / firstMs)));
  if (opts.timestamps !== false && e.gpu.features.has('timestamp-query')) {
    const ms = await timestampedMs(e, d, repeat);
    if (ms !== null) return { ms, method: 'timestamp-query', repeat };
  }
  const t1 = performance.now();
  for (let i = 0; i < repeat; i++) e.dispatch(d);
  await e.sync();
  return { ms: (performance.now() - t1) / repeat, method: 'wall-clock', repeat };
}

/** GPU time of `repeat` back-to-back dispatches in one pass; null when the timestamps are unusable. */
async function timestampedMs(e: Engine, d: Dispatch, repeat: number): Promise<number | null> {
  const dev = e.device;
  const querySet = dev.createQuerySet({ type: 'timestamp', count: 2 });
  const resolved = dev.createBuffer({ size: 16, usage: QUERY_RESOLVE | COPY_SRC });
  const readback = dev.createBuffer({ size: 16, usage: MAP_READ | COPY_DST });
  const uniform = dev.createBuffer({ size: encodeParams(d.params ?? []).byteLength, usage: UNIFORM | COPY_DST });
  dev.queue.writeBuffer(uniform, 0, encodeParams(d.params ?? []));
  const pipeline = e.pipelines.get(d.kernel);
  const entries: GPUBindGroupEntry[] = d.params ? [{ binding: 0, resource: { buffer: uniform } }] : [];
  d.buffers.forEach((b, i) => {
    if (b !== null) entries.push({ binding: i + 1, resource: b instanceof Tensor ? b.binding() : { buffer: b } });
  });
  dev.pushErrorScope('validation');
  const bindGroup = dev.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  const enc = dev.createCommandEncoder({ label: 'timed dispatch' });
  const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const [x, y = 1, z = 1] = d.workgroups;
  for (let i = 0; i < repeat; i++) pass.dispatchWorkgroups(x, y, z);
  pass.end();
  enc.resolveQuerySet(querySet, 0, 2, resolved, 0);
  enc.copyBufferToBuffer(resolved, 0, readback, 0, 16);
  dev.queue.submit([enc.finish()]);
  const err = await dev.popErrorScope();
  try {
    if (err) throw new Error(`timing ${d.label ?? d.kernel.name}: ${err.message}`);
    await readback.mapAsync(MAP_READ);
    const [t0, t1] = new BigInt64Array(readback.getMappedRange());
    const ms = Number(t1 - t0) / 1e6 / repeat;
    readback.unmap();
    return t1 > t0 ? ms : null;
  } finally {
    for (const r of [querySet, resolved, readback, uniform]) r.destroy();
  }
}
