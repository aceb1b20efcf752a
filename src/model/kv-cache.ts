// Per-layer key/value cache for incremental decoding: keys and values [B, capacity, Hkv, D], filled
// up to `length`. Attention reads the whole buffer and masks positions past its causal limit.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ModelConfig } from './model-config.ts';

export class KvCache {
  length = 0;
  private k: Tensor[] = [];
  private v: Tensor[] = [];
  private readonly row: number;

  constructor(
    private engine: Engine,
    cfg: ModelConfig,
    readonly batch: number,
    readonly capacity: number,
  ) {
    this.row = cfg.numKeyValueHeads * cfg.headDim;
    const shape = [batch, capacity, cfg.numKeyValueHeads, cfg.headDim];
    for (let l = 0; l < cfg.numHiddenLayers; l++) {
      this.k.push(engine.keep(engine.zeros(shape, `cache k ${l}`)));
      this.v.push(engine.keep(engine.zeros(shape, `cache v ${l}`)));
    }
  }

  /** Stores new keys/values [B, T, Hkv, D] at positions past..past+T-1 of every sequence. */
  write(layer: number, k: Tensor, v: Tensor, past: number): void {
    const T = k.shape[1];
    for (let b = 0; b < this.batch; b++) {
      const src = b * T * this.row;
      const dst = (b * this.capacity + past) * this.row;
      this.engine.copyRange(k, src, this.k[layer], dst, T * this.row);
      this.engine.copyRange(v, src, this.v[layer], dst, T * this.row);
    }
  }

  keys(layer: number): Tensor {
    return this.k[layer];
  }

  values(layer: number): Tensor {
    return this.v[layer];
  }

  /** A cache of `batch` sequences that all continue this one-sequence prefix (a prompt prefilled once). */
  broadcast(batch: number, cfg: ModelConfig): KvCache {
    if (this.batch !== 1) throw new Error('KvCache.broadcast: source must hold one sequence');
    const out = new KvCache(this.engine, cfg, batch, this.capacity);
    const n = this.length * this.row;
    for (let l = 0; l < this.k.length; l++) {
      for (let b = 0; b < batch; b++) {
        this.engine.copyRange(this.k[l], 0, out.k[l], b * this.capacity * this.row, n);
        this.engine.copyRange(this.v[l], 0, out.v[l], b * this.capacity * this.row, n);
      }
    }
    out.length = this.length;
    return out;
  }

  dispose(): void {
    for (const t of [...this.k, ...this.v]) t.dispose();
    this.k = [];
    this.v = [];
  }
}
