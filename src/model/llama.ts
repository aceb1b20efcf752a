// The whole Llama / Qwen2 / Qwen3 forward on the WGSL engine, as a straight list of op calls.
// Qwen2 (q/k/v bias) and Qwen3 (per-head q/k RMSNorm, explicit head_dim) are flags on ModelConfig.
// Parameters keep their Hugging Face names; every op records its backward on the engine's tape, so
// `backward` on any scalar built from the logits fills each parameter's .grad.
//
// Shapes: B sequences of T tokens, H = hidden, Hq/Hkv heads, D = head_dim, V = vocab.
import type { Engine } from '../engine/engine.ts';
import type { Tensor } from '../engine/tensor.ts';
import { matmul } from '../engine/ops/matmul.ts';
import { add } from '../engine/ops/elementwise.ts';
import { rmsnorm } from '../engine/ops/rmsnorm.ts';
import { rope, ropeInvFreq } from '../engine/ops/rope.ts';
import { attention } from '../engine/ops/attention.ts';
import { swiglu } from '../engine/ops/activations.ts';
import { embedding, uploadIds } from '../engine/ops/embedding.ts';
import { reshape } from '../engine/ops/reshape.ts';
import { parameterSpecs, type ModelConfig } from './model-config.ts';
import type { KvCache } from './kv-cache.ts';

export interface ForwardOptions {
  /** Inference with a key/value cache: tokens continue the cached prefix (positions start at cache.length). */
  cache?: KvCache;
  /** Only the last position's logits ([B, 1, V]): prefill and decode need no more. */
  lastOnly?: boolean;
}

export class LlamaModel {
  readonly params = new Map<string, Tensor>();
  /** One parameter order for gradients, optimizer moments, exports and influence sums. */
  readonly names: string[];
  private invFreq: Tensor;

  constructor(
    readonly engine: Engine,
    readonly cfg: ModelConfig,
    /** null allocates the parameters unfilled; see LlamaModel.allocate. */
    weights: ReadonlyMap<string, Float32Array> | null,
  ) {
    this.names = parameterSpecs(cfg).map((s) => s.name);
    for (const spec of parameterSpecs(cfg)) {
      if (weights === null) {
        const t = engine.keep(engine.empty(spec.shape, spec.name));
        t.requiresGrad = true;
        this.params.set(spec.name, t);
        continue;
      }
      const data = weights.get(spec.name);
      if (!data) throw new Error(`model weights: missing tensor ${spec.name} [${spec.shape.join(', ')}]`);
      const n = spec.shape.reduce((a, b) => a * b, 1);
      if (data.length !== n) {
        throw new Error(`model weights: ${spec.name} has ${data.length} values, config expects [${spec.shape.join(', ')}]`);
      }
      const t = engine.keep(engine.fromArray(data, spec.shape, spec.name));
      t.requiresGrad = true;
      this.params.set(spec.name, t);
    }
    this.invFreq = engine.keep(engine.fromArray(ropeInvFreq(cfg.headDim, cfg.ropeTheta), [cfg.headDim / 2], 'rope inv_freq'));
  }

  /**
   * A model whose parameters are allocated but hold arbitrary values, for loaders that stream weights
   * into them tensor by tensor (load-model.ts) instead of holding a whole checkpoint in memory.
   */
  static allocate(engine: Engine, cfg: ModelConfig): LlamaModel {
    return new LlamaModel(engine, cfg, null);
  }

  /**
   * A copy of the current weights that takes no gradient and shares nothing with this model: the frozen
   * reference of a KL penalty. Costs one more set of weights on the device.
   */
  frozenCopy(): LlamaModel {
    const copy = LlamaModel.allocate(this.engine, this.cfg);
    for (const name of this.names) {
      const t = copy.params.get(name)!;
      t.requiresGrad = false;
      this.engine.copy(this.params.get(name)!, t);
    }
    return copy;
  }

  parameters(): Tensor[] {
    return this.names.map((n) => this.params.get(n)!);
  }

  private p(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new Error(`model has no parameter ${name}`);
    return t;
  }

  private linear(x: Tensor, prefix: string, bias = false): Tensor {
    const y = matmul(x, this.p(`${prefix}.weight`), { transB: true });
    return bias ? add(y, this.p(`${prefix}.bias`)) : y;
  }

  /** Logits [B, T, V] for B token sequences of equal length T. */
  forward(ids: readonly (readonly number[])[], opts: ForwardOptions = {}): Tensor {
    const { cfg, engine: e } = this;
    const B = ids.length;
    const T = ids[0]?.length ?? 0;
    if (B === 0 || T === 0) throw new Error('forward: no tokens');
    if (ids.some((s) => s.length !== T)) throw new Error('forward: sequences in one batch must have equal length');
    const { cache } = opts;
    const past = cache?.length ?? 0;
    if (cache && (cache.batch !== B || past + T > cache.capacity)) {
      throw new Error(`forward: cache holds ${cache.batch} x ${cache.capacity} positions, asked for ${B} x ${past + T}`);
    }
    if (past + T > cfg.maxPositionEmbeddings) {
      throw new Error(`forward: ${past + T} positions exceed max_position_embeddings ${cfg.maxPositionEmbeddings}`);
    }
    const { hiddenSize: H, numAttentionHeads: Hq, numKeyValueHeads: Hkv, headDim: D } = cfg;

    const tokenIds = uploadIds(e, ids.flat(), 'input_ids');
    let x = reshape(embedding(this.p('model.embed_tokens.weight'), tokenIds), [B, T, H]);

    for (let l = 0; l < cfg.numHiddenLayers; l++) {
      const pre = `model.layers.${l}`;
      // attention block
      const h = rmsnorm(x, this.p(`${pre}.input_layernorm.weight`), cfg.rmsNormEps);
      let q = reshape(this.linear(h, `${pre}.self_attn.q_proj`, cfg.qkvBias), [B, T, Hq, D]);
      let k = reshape(this.linear(h, `${pre}.self_attn.k_proj`, cfg.qkvBias), [B, T, Hkv, D]);
      let v = reshape(this.linear(h, `${pre}.self_attn.v_proj`, cfg.qkvBias), [B, T, Hkv, D]);
      if (cfg.qkNorm) {
        q = rmsnorm(q, this.p(`${pre}.self_attn.q_norm.weight`), cfg.rmsNormEps);
        k = rmsnorm(k, this.p(`${pre}.self_attn.k_norm.weight`), cfg.rmsNormEps);
      }
      q = rope(q, this.invFreq, past);
      k = rope(k, this.invFreq, past);
      if (cache) {
        cache.write(l, k, v, past);
        k = cache.keys(l);
        v = cache.values(l);
      }
      const att = attention(q, k, v, { past });
      const o = this.linear(reshape(att, [B, T, Hq * D]), `${pre}.self_attn.o_proj`);
      x = add(x, o);
      // MLP block
      const h2 = rmsnorm(x, this.p(`${pre}.post_attention_layernorm.weight`), cfg.rmsNormEps);
      const gate = this.linear(h2, `${pre}.mlp.gate_proj`);
      const up = this.linear(h2, `${pre}.mlp.up_proj`);
      x = add(x, this.linear(swiglu(gate, up), `${pre}.mlp.down_proj`));
    }
    if (cache) cache.length = past + T;

    if (opts.lastOnly && T > 1) {
      if (e.tape.wants(x)) throw new Error('forward: lastOnly is for inference (run it under noGrad)');
      const last = e.empty([B, 1, H], 'last hidden');
      for (let b = 0; b < B; b++) e.copyRange(x, (b * T + T - 1) * H, last, b * H, H);
      x = last;
    }
    x = rmsnorm(x, this.p('model.norm.weight'), cfg.rmsNormEps);
    const head = cfg.tied ? this.p('model.embed_tokens.weight') : this.p('lm_head.weight');
    return matmul(x, head, { transB: true });
  }

  /** Current weights by Hugging Face name (one readback for all). */
  async readWeights(): Promise<Map<string, Float32Array>> {
    const arrays = await this.engine.readMany(this.parameters());
    return new Map(this.names.map((n, i) => [n, arrays[i]]));
  }

  /** Overwrites every parameter (e.g. loading a checkpoint into an existing model). */
  loadWeights(weights: ReadonlyMap<string, Float32Array>): void {
    for (const name of this.names) {
      const data = weights.get(name);
      if (!data) throw new Error(`loadWeights: missing tensor ${name}`);
      this.engine.write(this.p(name), data);
    }
  }

  zeroGrad(): void {
    for (const t of this.params.values()) {
      t.grad?.dispose();
      t.grad = null;
    }
  }

  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    this.invFreq.dispose();
  }
}
