// GPU storage buffers recycled by size class, with accounting of live and peak bytes.
// A released buffer may be handed out again at once: commands recorded later run later on the queue,
// so reuse never races with the earlier reader.

const USAGE_STORAGE =
  0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */

export interface PoolStats {
  /** Bytes held by tensors now (requested sizes). */
  liveBytes: number;
  peakLiveBytes: number;
  /** Bytes of GPU buffers created (live + cached for reuse). */
  allocatedBytes: number;
  peakAllocatedBytes: number;
  buffers: number;
}

/** Size classes: powers of two up to 16 MiB, then multiples of 16 MiB (bounds waste to ~50% / 16 MiB). */
export function sizeClass(bytes: number): number {
  const b = Math.max(256, Math.ceil(bytes / 4) * 4);
  const big = 16 << 20;
  if (b > big) return Math.ceil(b / big) * big;
  return 2 ** Math.ceil(Math.log2(b));
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private requested = new WeakMap<GPUBuffer, number>();
  readonly stats: PoolStats = { liveBytes: 0, peakLiveBytes: 0, allocatedBytes: 0, peakAllocatedBytes: 0, buffers: 0 };

  constructor(private device: GPUDevice, private maxBufferSize: number) {}

  acquire(bytes: number, label: string): GPUBuffer {
    const cls = sizeClass(bytes);
    if (cls > this.maxBufferSize) {
      throw new RangeError(
        `${label}: needs a ${(bytes / 2 ** 20).toFixed(1)} MiB buffer, above this adapter's maxBufferSize ` +
          `(${(this.maxBufferSize / 2 ** 20).toFixed(1)} MiB)`,
      );
    }
    let buf = this.free.get(cls)?.pop();
    if (!buf) {
      buf = this.device.createBuffer({ size: cls, usage: USAGE_STORAGE, label });
      this.stats.allocatedBytes += cls;
      this.stats.buffers++;
      this.stats.peakAllocatedBytes = Math.max(this.stats.peakAllocatedBytes, this.stats.allocatedBytes);
    }
    this.requested.set(buf, bytes);
    this.stats.liveBytes += bytes;
    this.stats.peakLiveBytes = Math.max(this.stats.peakLiveBytes, this.stats.liveBytes);
    return buf;
  }

  release(buf: GPUBuffer): void {
    const bytes = this.requested.get(buf);
    if (bytes === undefined) throw new Error(`buffer ${buf.label} released twice or not from this pool`);
    this.requested.delete(buf);
    this.stats.liveBytes -= bytes;
    const cls = buf.size;
    const list = this.free.get(cls) ?? [];
    list.push(buf);
    this.free.set(cls, list);
  }

  /** Destroys cached free buffers (e.g. before loading a large model). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.stats.allocatedBytes -= b.size;
        this.stats.buffers--;
        b.destroy();
      }
    }
    this.free.clear();
  }

  resetPeaks(): void {
    this.stats.peakLiveBytes = this.stats.liveBytes;
    this.stats.peakAllocatedBytes = this.stats.allocatedBytes;
  }
}
