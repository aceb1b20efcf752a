import { describe, expect, it } from 'vitest';
import { parameterCount, parameterSpecs, parseModelConfig, toHfConfig } from './model-config.ts';

// Trimmed copies of the published config.json files.
const smollm2 = {
  architectures: ['LlamaForCausalLM'], attention_bias: false, bos_token_id: 0, eos_token_id: 0,
  hidden_act: 'silu', hidden_size: 576, intermediate_size: 1536, max_position_embeddings: 8192,
  model_type: 'llama', num_attention_heads: 9, num_hidden_layers: 30, num_key_value_heads: 3,
  rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 100000, tie_word_embeddings: true,
  torch_dtype: 'bfloat16', vocab_size: 49152,
};
const qwen25 = {
  architectures: ['Qwen2ForCausalLM'], bos_token_id: 151643, eos_token_id: 151643, hidden_act: 'silu',
  hidden_size: 896, intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 24,
  model_type: 'qwen2', num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2,
  rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true,
  torch_dtype: 'bfloat16', use_sliding_window: false, vocab_size: 151936,
};
const qwen3 = {
  architectures: ['Qwen3ForCausalLM'], attention_bias: false, bos_token_id: 151643, eos_token_id: 151645,
  head_dim: 128, hidden_act: 'silu', hidden_size: 1024, intermediate_size: 3072,
  max_position_embeddings: 40960, model_type: 'qwen3', num_attention_heads: 16, num_hidden_layers: 28,
  num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 1000000,
  tie_word_embeddings: true, torch_dtype: 'bfloat16', vocab_size: 151936,
};

describe('parseModelConfig', () => {
  it('reads SmolLM2-135M and counts its published 134,515,008 parameters', () => {
    const cfg = parseModelConfig(smollm2);
    expect(cfg).toMatchObject({
      architecture: 'LlamaForCausalLM', headDim: 64, numKeyValueHeads: 3, rmsNormEps: 1e-5,
      ropeTheta: 100000, tied: true, qkvBias: false, qkNorm: false, bosTokenId: 0, eosTokenIds: [0],
      torchDtype: 'bfloat16', maxPositionEmbeddings: 8192,
    });
    expect(parameterCount(cfg)).toBe(134_515_008);
  });

  it('reads Qwen2.5-0.5B with q/k/v bias and counts its published 494,032,768 parameters', () => {
    const cfg = parseModelConfig(qwen25);
    expect(cfg).toMatchObject({ qkvBias: true, qkNorm: false, attentionBias: false, headDim: 64, tied: true });
    expect(parameterCount(cfg)).toBe(494_032_768);
    const names = parameterSpecs(cfg).map((s) => s.name);
    expect(names).toContain('model.layers.23.self_attn.v_proj.bias');
    expect(names).not.toContain('model.layers.0.self_attn.o_proj.bias');
  });

  it('reads Qwen3-0.6B with explicit head_dim (non-square q_proj) and q/k norms', () => {
    const cfg = parseModelConfig(qwen3);
    expect(cfg).toMatchObject({ qkNorm: true, qkvBias: false, headDim: 128, eosTokenIds: [151645] });
    const specs = new Map(parameterSpecs(cfg).map((s) => [s.name, s.shape]));
    expect(specs.get('model.layers.0.self_attn.q_proj.weight')).toEqual([2048, 1024]);
    expect(specs.get('model.layers.0.self_attn.o_proj.weight')).toEqual([1024, 2048]);
    expect(specs.get('model.layers.0.self_attn.k_proj.weight')).toEqual([1024, 1024]);
    expect(specs.get('model.layers.27.self_attn.k_norm.weight')).toEqual([128]);
    // 0.44B non-embedding parameters per the model card: total minus the embedding matrix.
    expect(parameterCount(cfg) - 151936 * 1024).toBe(440_467_456);
  });

  it('applies defaults: kv heads = heads, head_dim = hidden/heads, untied, float32', () => {
    const cfg = parseModelConfig({
      architectures: ['LlamaForCausalLM'], vocab_size: 10, hidden_size: 8, intermediate_size: 16,
      num_hidden_layers: 1, num_attention_heads: 2,
    });
    expect(cfg).toMatchObject({
      numKeyValueHeads: 2, headDim: 4, tied: false, torchDtype: 'float32', rmsNormEps: 1e-6,
      ropeTheta: 10000, maxPositionEmbeddings: 2048, bosTokenId: null, eosTokenIds: [],
    });
  });

  it('reads a list of eos ids and transformers-5 rope_parameters / dtype fields', () => {
    const { rope_theta: _unused, torch_dtype: _dtype, ...rest } = qwen3;
    const cfg = parseModelConfig({
      ...rest, eos_token_id: [151645, 151643], rope_parameters: { rope_type: 'default', rope_theta: 5e5 },
      dtype: 'float16',
    });
    expect(cfg.eosTokenIds).toEqual([151645, 151643]);
    expect(cfg.ropeTheta).toBe(5e5);
    expect(cfg.torchDtype).toBe('float16');
  });
});

describe('parseModelConfig errors name config.json and the field', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['unsupported architecture', { architectures: ['MistralForCausalLM'] }, /config\.json: field "architectures".*MistralForCausalLM/],
    ['rope scaling kind', { rope_scaling: { rope_type: 'yarn', factor: 4 } }, /config\.json: field "rope_scaling\.rope_type".*"yarn"/],
    ['legacy rope scaling key', { rope_scaling: { type: 'linear', factor: 2 } }, /rope_scaling\.rope_type.*"linear"/],
    ['missing hidden_size', { hidden_size: undefined }, /field "hidden_size" is missing/],
    ['bad kv heads', { num_key_value_heads: 4 }, /field "num_key_value_heads" \(4\) must divide/],
    ['activation', { hidden_act: 'gelu' }, /field "hidden_act"/],
    ['dtype', { torch_dtype: 'float64' }, /field "torch_dtype"/],
    ['llama o_proj bias', { attention_bias: true }, /field "attention_bias"/],
    ['non-integer size', { vocab_size: 10.5 }, /field "vocab_size" must be a positive integer/],
  ];
  for (const [label, patch, pattern] of cases) {
    it(label, () => expect(() => parseModelConfig({ ...smollm2, ...patch })).toThrow(pattern));
  }
  it('sliding window', () => {
    expect(() => parseModelConfig({ ...qwen25, use_sliding_window: true })).toThrow(/field "use_sliding_window"/);
  });
});

describe('toHfConfig and parameterSpecs', () => {
  it('round-trips every architecture through toHfConfig', () => {
    for (const raw of [smollm2, qwen25, qwen3, { ...qwen3, eos_token_id: [1, 2], tie_word_embeddings: false }]) {
      const cfg = parseModelConfig(raw);
      const hf = toHfConfig(cfg);
      expect(JSON.parse(JSON.stringify(hf)).model_type).toBe(raw.model_type);
      expect(parseModelConfig(JSON.parse(JSON.stringify(hf)))).toEqual(cfg);
    }
  });

  it('lists a tiny untied Qwen2 in named_parameters order, lm_head [vocab, hidden] last', () => {
    const cfg = parseModelConfig({
      architectures: ['Qwen2ForCausalLM'], vocab_size: 11, hidden_size: 6, intermediate_size: 5,
      num_hidden_layers: 1, num_attention_heads: 3, num_key_value_heads: 1,
    });
    expect(parameterSpecs(cfg)).toEqual([
      { name: 'model.embed_tokens.weight', shape: [11, 6] },
      { name: 'model.layers.0.self_attn.q_proj.weight', shape: [6, 6] },
      { name: 'model.layers.0.self_attn.q_proj.bias', shape: [6] },
      { name: 'model.layers.0.self_attn.k_proj.weight', shape: [2, 6] },
      { name: 'model.layers.0.self_attn.k_proj.bias', shape: [2] },
      { name: 'model.layers.0.self_attn.v_proj.weight', shape: [2, 6] },
      { name: 'model.layers.0.self_attn.v_proj.bias', shape: [2] },
      { name: 'model.layers.0.self_attn.o_proj.weight', shape: [6, 6] },
      { name: 'model.layers.0.mlp.gate_proj.weight', shape: [5, 6] },
      { name: 'model.layers.0.mlp.up_proj.weight', shape: [5, 6] },
      { name: 'model.layers.0.mlp.down_proj.weight', shape: [6, 5] },
      { name: 'model.layers.0.input_layernorm.weight', shape: [6] },
      { name: 'model.layers.0.post_attention_layernorm.weight', shape: [6] },
      { name: 'model.norm.weight', shape: [6] },
      { name: 'lm_head.weight', shape: [11, 6] },
    ]);
  });

  it('omits lm_head.weight when embeddings are tied', () => {
    const names = parameterSpecs(parseModelConfig(smollm2)).map((s) => s.name);
    expect(names).not.toContain('lm_head.weight');
    expect(names.length).toBe(1 + 30 * 9 + 1);
  });
});
