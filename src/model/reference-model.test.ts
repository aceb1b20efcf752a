// Properties of the float64 reference model that follow from the HF architecture alone: worked RoPE
// numbers, uniform logits, repeat_kv grouping, causality, tied embeddings, Qwen2 biases and Qwen3's
// per-head q/k norm. The ONNX test checks the same forward against an independent graph.
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './model-config.ts';
import { randomWeights, tinyModelConfig } from './random-model.ts';
import { rope, tensor } from './reference-autograd.ts';
import { referenceLogits, referenceLossAndGrads, ropeTables, type Weights } from './reference-model.ts';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function copyWeights(w: Weights): Map<string, Float64Array> {
  return new Map([...w].map(([k, v]) => [k, Float64Array.from(v)]));
}

const ids = [5, 0, 17, 5, 30, 2, 9];

describe('RoPE follows the HF rotate_half convention', () => {
  it('theta 100, D 4, position 1: inv_freq [1, 0.1] pairs dim i with i + D/2', () => {
    const { cos, sin } = ropeTables(2, 4, 100);
    expect([...cos.subarray(4)]).toEqual([Math.cos(1), Math.cos(0.1), Math.cos(1), Math.cos(0.1)].map((v) => expect.closeTo(v, 14)));
    const y = rope(tensor(Float64Array.of(1, 2, 3, 4, 1, 2, 3, 4), [2, 4]), cos, sin).data;
    const [c1, s1, c01, s01] = [Math.cos(1), Math.sin(1), Math.cos(0.1), Math.sin(0.1)];
    expect(maxAbsDiff(y.subarray(0, 4), [1, 2, 3, 4])).toBeLessThan(1e-15); // position 0 is the identity
    expect(maxAbsDiff(y.subarray(4), [1 * c1 - 3 * s1, 2 * c01 - 4 * s01, 3 * c1 + 1 * s1, 4 * c01 + 2 * s01])).toBeLessThan(1e-14);
  });
});

describe('reference forward and loss', () => {
  it('zero lm_head gives all-zero logits and loss ln V', () => {
    const cfg = tinyModelConfig('LlamaForCausalLM');
    const w = copyWeights(randomWeights(cfg, 3));
    w.get('lm_head.weight')?.fill(0);
    const { loss, logits } = referenceLossAndGrads(cfg, w, ids);
    expect(maxAbsDiff(logits, new Float64Array(logits.length))).toBe(0);
    expect(Math.abs(loss - Math.log(cfg.vocabSize))).toBeLessThan(1e-12);
  });

  it('causal: changing the last token leaves earlier positions unchanged, and changes the last', () => {
    const cfg = tinyModelConfig('Qwen3ForCausalLM');
    const w = randomWeights(cfg, 4, 0.3);
    const V = cfg.vocabSize;
    const a = referenceLogits(cfg, w, ids);
    const b = referenceLogits(cfg, w, [...ids.slice(0, -1), 1]);
    expect(maxAbsDiff(a.subarray(0, (ids.length - 1) * V), b.subarray(0, (ids.length - 1) * V))).toBe(0);
    expect(maxAbsDiff(a.subarray((ids.length - 1) * V), b.subarray((ids.length - 1) * V))).toBeGreaterThan(1e-3);
  });

  it('one token: attention returns v, so q_proj and k_proj do not matter', () => {
    const cfg = tinyModelConfig('Qwen2ForCausalLM');
    const w = copyWeights(randomWeights(cfg, 5, 0.3));
    const before = referenceLogits(cfg, w, [7]);
    for (const n of ['q_proj.weight', 'k_proj.weight', 'q_proj.bias', 'k_proj.bias']) w.get(`model.layers.0.self_attn.${n}`)?.fill(0.5);
    expect(maxAbsDiff(before, referenceLogits(cfg, w, [7]))).toBeLessThan(1e-15);
  });
});

/** MHA weights equal to a GQA model whose query heads share KV heads in contiguous groups (repeat_kv). */
function expandKvHeads(cfg: ModelConfig, w: Weights): Map<string, Float64Array> {
  const out = copyWeights(w);
  const [H, KV, D, C] = [cfg.numAttentionHeads, cfg.numKeyValueHeads, cfg.headDim, cfg.hiddenSize];
  for (let l = 0; l < cfg.numHiddenLayers; l++) {
    for (const proj of ['k_proj', 'v_proj']) {
      const name = `model.layers.${l}.self_attn.${proj}.weight`;
      const src = w.get(name) as Float32Array;
      const dst = new Float64Array(H * D * C);
      for (let head = 0; head < H; head++) {
        const kvHead = Math.floor(head / (H / KV));
        dst.set(src.subarray(kvHead * D * C, (kvHead + 1) * D * C), head * D * C);
      }
      out.set(name, dst);
    }
  }
  return out;
}

describe('architecture variants', () => {
  it('GQA (4 heads, 2 KV) equals MHA with each KV head copied to its 2 query heads', () => {
    const gqa = tinyModelConfig('LlamaForCausalLM');
    const w = randomWeights(gqa, 6, 0.3);
    const mha = { ...gqa, numKeyValueHeads: gqa.numAttentionHeads };
    expect(maxAbsDiff(referenceLogits(gqa, w, ids), referenceLogits(mha, expandKvHeads(gqa, w), ids))).toBeLessThan(1e-12);
  });

  it('tied equals untied with lm_head = embedding, and the tied gradient is the sum of both', () => {
    const tied = tinyModelConfig('Qwen2ForCausalLM');
    const untied = { ...tied, tied: false, tieWordEmbeddings: false };
    const w = copyWeights(randomWeights(tied, 8, 0.3));
    const wu = copyWeights(w);
    wu.set('lm_head.weight', Float64Array.from(w.get('model.embed_tokens.weight') ?? []));
    const t = referenceLossAndGrads(tied, w, ids);
    const u = referenceLossAndGrads(untied, wu, ids);
    expect(maxAbsDiff(t.logits, u.logits)).toBeLessThan(1e-13);
    const gEmbed = u.grads.get('model.embed_tokens.weight') ?? new Float64Array();
    const gHead = u.grads.get('lm_head.weight') ?? new Float64Array();
    const summed = gEmbed.map((g, i) => g + gHead[i]);
    expect(maxAbsDiff(t.grads.get('model.embed_tokens.weight') ?? [], summed)).toBeLessThan(1e-13);
  });

  it('Qwen2 with zero q/k/v biases equals the same weights without biases', () => {
    const qwen2 = tinyModelConfig('Qwen2ForCausalLM');
    const w = copyWeights(randomWeights(qwen2, 9, 0.3));
    const withBias = referenceLogits(qwen2, w, ids);
    for (const [name, v] of w) if (name.endsWith('.bias')) v.fill(0);
    const noBias = { ...qwen2, qkvBias: false };
    expect(maxAbsDiff(referenceLogits(qwen2, w, ids), referenceLogits(noBias, w, ids))).toBeLessThan(1e-15);
    expect(maxAbsDiff(withBias, referenceLogits(noBias, w, ids))).toBeGreaterThan(1e-3);
  });

  it('Qwen3 q/k norm is per head: scaling one head\'s q_proj rows leaves logits unchanged (Llama: changed)', () => {
    const scaleHead = (cfg: ModelConfig, w: Weights) => {
      const out = copyWeights(w);
      const q = out.get('model.layers.0.self_attn.q_proj.weight') as Float64Array;
      const [D, C] = [cfg.headDim, cfg.hiddenSize];
      for (let i = D * C; i < 2 * D * C; i++) q[i] *= 5; // query head 1 only
      return out;
    };
    const qwen3 = tinyModelConfig('Qwen3ForCausalLM', { rmsNormEps: 1e-14 });
    const w3 = randomWeights(qwen3, 10, 0.3);
    expect(maxAbsDiff(referenceLogits(qwen3, w3, ids), referenceLogits(qwen3, scaleHead(qwen3, w3), ids))).toBeLessThan(1e-10);
    const llama = tinyModelConfig('LlamaForCausalLM');
    const wl = randomWeights(llama, 10, 0.3);
    expect(maxAbsDiff(referenceLogits(llama, wl, ids), referenceLogits(llama, scaleHead(llama, wl), ids))).toBeGreaterThan(1e-3);
  });

  it('a missing weight is reported by name', () => {
    const cfg = tinyModelConfig('Qwen3ForCausalLM');
    const w = randomWeights(cfg, 1);
    w.delete('model.layers.1.self_attn.k_norm.weight');
    expect(() => referenceLogits(cfg, w, ids)).toThrow(/model\.layers\.1\.self_attn\.k_norm\.weight/);
  });
});
