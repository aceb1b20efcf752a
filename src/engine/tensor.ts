// An f32 tensor living in one pooled GPU buffer, row-major, with an optional gradient.
import type { Engine } from './engine.ts';
import type { GradTap } from './grad-tap.ts';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  readonly size: number;
  grad: Tensor | null = null;
  /** When set, the ops hand this tensor's gradient contributions to the tap instead of .grad. */
  gradTap: GradTap | null = null;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    private _shape: Shape,
    private buf: GPUBuffer,
    public requiresGrad = false,
    public name = '',
  ) {
    this.size = numel(_shape);
  }

  get shape(): Shape {
    return this._shape;
  }

  /** Reinterprets this tensor's own storage with another shape of the same size. */
  reshapeInPlace(shape: Shape): void {
    if (numel(shape) !== this.size) throw new Error(`cannot reshape ${this.describe()} to ${shapeStr(shape)}`);
    this._shape = [...shape];
  }

  get buffer(): GPUBuffer {
    if (this.disposed) throw new Error(`tensor ${this.describe()} used after dispose`);
    return this.buf;
  }

  /** Bytes the tensor's data occupies (the pooled buffer may be larger). */
  get bytes(): number {
    return Math.max(4, this.size * 4);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  describe(): string {
    return `${this.name || `t${this.id}`}${shapeStr(this.shape)}`;
  }

  /** A binding that covers exactly the tensor's elements, so arrayLength() is the tensor's size. */
  binding(): GPUBufferBinding {
    return { buffer: this.buffer, offset: 0, size: this.bytes };
  }

  /** Same storage, another shape of equal size (no copy; the view shares the buffer's lifetime). */
  view(shape: Shape): Tensor {
    if (numel(shape) !== this.size) {
      throw new Error(`cannot view ${this.describe()} as ${shapeStr(shape)}: sizes differ`);
    }
    return this.engine.viewOf(this, shape);
  }

  async toArray(): Promise<Float32Array> {
    return this.engine.read(this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.grad?.dispose();
    this.grad = null;
    this.engine.releaseTensor(this, this.buf);
  }
}
