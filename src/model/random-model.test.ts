// Seeded tiny models: same seed, same bits; every parameter present with its spec shape; ranges as documented.
import { describe, expect, it } from 'vitest';
import { parameterSpecs } from './model-config.ts';
import { mulberry32, randomWeights, tinyModelConfig } from './random-model.ts';

describe('random tiny models', () => {
  it('mulberry32 is deterministic per seed and uniform in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });

  for (const arch of ['LlamaForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM'] as const) {
    it(`${arch}: weights match parameterSpecs, norms in [0.9, 1.1], others in [-0.1, 0.1]`, () => {
      const cfg = tinyModelConfig(arch);
      const w = randomWeights(cfg, 7);
      const specs = parameterSpecs(cfg);
      expect([...w.keys()]).toEqual(specs.map((s) => s.name));
      for (const { name, shape } of specs) {
        const v = w.get(name) ?? new Float32Array();
        expect(v.length).toBe(shape.reduce((a, b) => a * b, 1));
        const centre = name.endsWith('norm.weight') ? 1 : 0;
        for (const x of v) expect(Math.abs(x - centre)).toBeLessThanOrEqual(0.1 + 1e-7);
      }
      expect(randomWeights(cfg, 7).get('model.embed_tokens.weight')).toEqual(w.get('model.embed_tokens.weight'));
    });
  }

  it('tiny configs cover GQA, Qwen2 bias + tied, Qwen3 q/k norm with head_dim ≠ hidden/heads', () => {
    const llama = tinyModelConfig('LlamaForCausalLM');
    const qwen2 = tinyModelConfig('Qwen2ForCausalLM');
    const qwen3 = tinyModelConfig('Qwen3ForCausalLM');
    expect(llama.numKeyValueHeads).toBeLessThan(llama.numAttentionHeads);
    expect([qwen2.qkvBias, qwen2.tied]).toEqual([true, true]);
    expect(qwen3.qkNorm).toBe(true);
    expect(qwen3.headDim).not.toBe(qwen3.hiddenSize / qwen3.numAttentionHeads);
  });
});
