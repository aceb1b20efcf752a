// The engine owns one GPU device: tensors, the buffer pool, the pipeline cache, the autograd tape and
// a command recorder that batches every dispatch of a step into one submit. Nothing is read back
// unless a caller awaits `read`.
import { BufferPool, type PoolStats } from './buffer-pool.ts';
import { PipelineCache, type KernelSpec } from './pipeline-cache.ts';
import { Tape } from './tape.ts';
import { Tensor, numel, shapeStr, type Shape } from './tensor.ts';
import type { Gpu } from './device.ts';
import { grid1d } from './grid.ts';
import accumulateWgsl from '../../shaders/accumulate.wgsl?raw';

const ACCUMULATE: KernelSpec = { name: 'accumulate', code: accumulateWgsl, entry: 'accumulate' };

/** A uniform value: plain numbers are u32, `f32(x)` marks a float, `i32(x)` a signed int. */
export type Param = number | { f32: number } | { i32: number };
export const f32 = (x: number): Param => ({ f32: x });
export const i32 = (x: number): Param => ({ i32: x });

export interface Dispatch {
  kernel: KernelSpec;
  /** Storage bindings 1..n in order (binding 0 is the uniform block); null = not used by this entry. */
  buffers: (Tensor | GPUBuffer | null)[];
  params?: Param[];
  workgroups: [number, number?, number?];
  /** Shown in GPU error messages, e.g. 'matmul forward [4, 8] x [8, 3]'. */
  label?: string;
}

export class GpuOperationError extends Error {
  override name = 'GpuOperationError';
}

const UNIFORM = 0x40 /* UNIFORM */ | 0x08; /* COPY_DST */
const MAP_READ_DST = 0x01 /* MAP_READ */ | 0x08; /* COPY_DST */

export class Engine {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly tape = new Tape();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchLabels: string[] = [];
  private uniformsFree: GPUBuffer[] = [];
  private uniformsUsed: GPUBuffer[] = [];
  private scopes: Set<Tensor>[] = [];
  private views = new WeakSet<Tensor>();
  private lostReason: string | null = null;
  dispatches = 0;
  submits = 0;

  constructor(readonly gpu: Gpu) {
    this.device = gpu.device;
    this.pool = new BufferPool(this.device, gpu.limits.maxBufferSize ?? 256 << 20);
    this.pipelines = new PipelineCache(this.device);
    void gpu.lost.then((reason) => {
      this.lostReason = reason;
    });
    this.device.addEventListener('uncapturederror', (ev) => {
      const msg = (ev as GPUUncapturedErrorEvent).error.message;
      this.pendingErrors.push(Promise.resolve(new GpuOperationError(`GPU error outside a batch: ${msg}`)));
    });
  }

  get stats(): PoolStats {
    return this.pool.stats;
  }

  // ---- tensors -------------------------------------------------------------------------------

  /** An uninitialised tensor (contents are whatever the pooled buffer held). */
  empty(shape: Shape, name = ''): Tensor {
    this.checkAlive(name || 'allocate');
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape ${shapeStr(shape)} for tensor ${name}`);
    }
    const buf = this.pool.acquire(Math.max(4, numel(shape) * 4), name || 'tensor');
    return this.track(new Tensor(this, shape, buf, false, name));
  }

  zeros(shape: Shape, name = ''): Tensor {
    const t = this.empty(shape, name);
    this.endPass();
    this.enc().clearBuffer(t.buffer, 0, t.bytes);
    return t;
  }

  /** Uploads data in command order, so it is safe inside a recorded step (no flush needed). */
  fromArray(data: ArrayLike<number>, shape: Shape, name = ''): Tensor {
    if (data.length !== numel(shape)) {
      throw new Error(`tensor ${name || '(unnamed)'}: ${data.length} values do not fill shape ${shapeStr(shape)}`);
    }
    const t = this.empty(shape, name);
    this.write(t, data);
    return t;
  }

  /** Overwrites a tensor's contents (ordered after every command recorded so far). */
  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.size) throw new Error(`write to ${t.describe()}: ${data.length} values given`);
    const bytes = Math.max(4, t.size * 4);
    const staging = this.device.createBuffer({ size: bytes, usage: 0x04 /* COPY_SRC */, mappedAtCreation: true });
    const mapped = new Float32Array(staging.getMappedRange());
    mapped.set(data instanceof Float32Array ? data : Float32Array.from(data));
    staging.unmap();
    this.endPass();
    this.enc().copyBufferToBuffer(staging, 0, t.buffer, 0, bytes);
    this.afterSubmit.push(() => staging.destroy());
  }

  copy(src: Tensor, dst: Tensor): void {
    if (src.size !== dst.size) throw new Error(`copy ${src.describe()} -> ${dst.describe()}: sizes differ`);
    this.endPass();
    this.enc().copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, src.bytes);
  }

  /** Copies `count` elements from src[srcOffset..] to dst[dstOffset..] in command order (KV caches). */
  copyRange(src: Tensor, srcOffset: number, dst: Tensor, dstOffset: number, count: number): void {
    if (srcOffset + count > src.size || dstOffset + count > dst.size || srcOffset < 0 || dstOffset < 0) {
      throw new Error(`copyRange ${src.describe()}[${srcOffset}..+${count}] -> ${dst.describe()}[${dstOffset}..]: out of bounds`);
    }
    if (count === 0) return;
    this.endPass();
    this.enc().copyBufferToBuffer(src.buffer, srcOffset * 4, dst.buffer, dstOffset * 4, count * 4);
  }

  /** acc += x (same size); the gradient-summing primitive of the tape. */
  addInto(acc: Tensor, x: Tensor): void {
    if (acc.size !== x.size) throw new Error(`addInto ${acc.describe()} += ${x.describe()}: sizes differ`);
    this.dispatch({ kernel: ACCUMULATE, buffers: [acc, x], workgroups: grid1d(acc.size), label: `accumulate ${acc.describe()}` });
  }

  viewOf(t: Tensor, shape: Shape): Tensor {
    const v = new Tensor(this, shape, t.buffer, false, t.name);
    this.views.add(v);
    return this.track(v);
  }

  releaseTensor(t: Tensor, buf: GPUBuffer): void {
    for (const s of this.scopes) s.delete(t);
    if (!this.views.has(t)) this.pool.release(buf);
  }

  // ---- scopes: dispose intermediates automatically --------------------------------------------

  private track(t: Tensor): Tensor {
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  /** Runs fn; every tensor created inside and not returned (or kept) is disposed at the end. */
  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let out: T;
    try {
      out = fn();
    } finally {
      this.scopes.pop();
    }
    const keep = new Set<Tensor>();
    collectTensors(out, keep);
    for (const t of scope) {
      if (keep.has(t)) this.track(t);
      else t.dispose();
    }
    return out;
  }

  /** Removes a tensor from every open scope so `tidy` leaves it alone (parameters, gradients). */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    return t;
  }

  // ---- recording and submission --------------------------------------------------------------

  private afterSubmit: (() => void)[] = [];

  private enc(): GPUCommandEncoder {
    if (!this.encoder) {
      // Scopes span the whole batch, so errors from bind groups, pipelines and the submit are caught.
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder({ label: 'engine batch' });
    }
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  private uniform(params: Param[]): GPUBuffer {
    const bytes = Math.max(16, Math.ceil((params.length * 4) / 16) * 16);
    const data = new ArrayBuffer(bytes);
    const view = new DataView(data);
    params.forEach((p, i) => {
      if (typeof p === 'number') view.setUint32(i * 4, p, true);
      else if ('f32' in p) view.setFloat32(i * 4, p.f32, true);
      else view.setInt32(i * 4, p.i32, true);
    });
    // Each dispatch of a batch gets its own block: writeBuffer lands before the whole submit.
    let buf = this.uniformsFree.find((b) => b.size === bytes);
    if (buf) this.uniformsFree.splice(this.uniformsFree.indexOf(buf), 1);
    else buf = this.device.createBuffer({ size: bytes, usage: UNIFORM, label: 'params' });
    this.device.queue.writeBuffer(buf, 0, data);
    this.uniformsUsed.push(buf);
    return buf;
  }

  dispatch(d: Dispatch): void {
    this.checkAlive(d.label ?? d.kernel.name);
    this.enc();
    const pipeline = this.pipelines.get(d.kernel);
    const entries: GPUBindGroupEntry[] = [];
    if (d.params) entries.push({ binding: 0, resource: { buffer: this.uniform(d.params) } });
    d.buffers.forEach((b, i) => {
      if (b === null) return;
      const resource = b instanceof Tensor ? b.binding() : { buffer: b };
      entries.push({ binding: i + 1, resource });
    });
    const label = d.label ?? `${d.kernel.name}:${d.kernel.entry}`;
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label });
    const [x, y = 1, z = 1] = d.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const maxDim = this.gpu.limits.maxComputeWorkgroupsPerDimension ?? 65535;
    if (x > maxDim || y > maxDim || z > maxDim) {
      throw new GpuOperationError(`${label}: dispatch ${x}x${y}x${z} exceeds ${maxDim} workgroups per dimension`);
    }
    this.pass ??= this.enc().beginComputePass({ label: 'engine pass' });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    this.batchLabels.push(label);
    this.dispatches++;
  }

  /** Submits everything recorded so far. GPU errors surface on the next `sync` or `read`. */
  flush(): void {
    this.endPass();
    if (!this.encoder) return;
    const cmd = this.encoder.finish();
    this.encoder = null;
    this.device.queue.submit([cmd]);
    const labels = this.batchLabels;
    this.batchLabels = [];
    const validation = this.device.popErrorScope();
    const oom = this.device.popErrorScope();
    this.pendingErrors.push(
      Promise.all([validation, oom]).then(([v, o]) => {
        const err = v ?? o;
        if (!err) return null;
        const kind = o && !v ? 'out of GPU memory' : 'GPU validation error';
        const recent = labels.slice(-6).join(', ');
        return new GpuOperationError(`${kind} in a batch of ${labels.length} ops (last: ${recent}): ${err.message}`);
      }),
    );
    this.submits++;
    this.uniformsFree.push(...this.uniformsUsed);
    this.uniformsUsed = [];
    const done = this.afterSubmit;
    this.afterSubmit = [];
    if (done.length) void this.device.queue.onSubmittedWorkDone().then(() => done.forEach((f) => f()));
  }

  private pendingErrors: Promise<GpuOperationError | null>[] = [];

  /** Flushes and waits for the GPU; throws the first GPU error with the ops it happened in. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.raisePending();
  }

  private async raisePending(): Promise<void> {
    const errs = await Promise.all(this.pendingErrors);
    this.pendingErrors = [];
    const first = errs.find((e) => e);
    if (first) throw first;
    this.checkAlive('sync');
  }

  async read(t: Tensor): Promise<Float32Array> {
    const [out] = await this.readMany([t]);
    return out;
  }

  /** Reads several tensors with one submit and one wait. */
  async readMany(ts: Tensor[]): Promise<Float32Array[]> {
    this.checkAlive('read');
    const total = ts.reduce((s, t) => s + t.bytes, 0);
    const staging = this.device.createBuffer({ size: Math.max(4, total), usage: MAP_READ_DST, label: 'readback' });
    this.endPass();
    let off = 0;
    for (const t of ts) {
      this.enc().copyBufferToBuffer(t.buffer, 0, staging, off, t.bytes);
      off += t.bytes;
    }
    this.flush();
    try {
      await staging.mapAsync(0x0001 /* READ */);
    } catch (e) {
      this.checkAlive('read');
      throw new GpuOperationError(`reading ${ts.map((t) => t.describe()).join(', ')} failed: ${String(e)}`);
    }
    await this.raisePending();
    const all = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    off = 0;
    return ts.map((t) => {
      const part = all.slice(off / 4, off / 4 + t.size);
      off += t.bytes;
      return part;
    });
  }

  private checkAlive(what: string): void {
    if (this.lostReason) throw new GpuOperationError(`${what}: ${this.lostReason}`);
  }

  get isLost(): boolean {
    return this.lostReason !== null;
  }
}

function collectTensors(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || x === null || x === undefined) return;
  if (x instanceof Tensor) {
    out.add(x);
    if (x.grad) out.add(x.grad);
  } else if (Array.isArray(x)) for (const v of x) collectTensors(v, out, depth + 1);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out, depth + 1);
  else if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collectTensors(v, out, depth + 1);
  }
}
