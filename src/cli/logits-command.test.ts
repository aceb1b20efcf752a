// `infuser-lab logits` and `init-model` through the real CLI, against the float64 reference forward.
import { describe, expect, it } from 'vitest';
import { streamFor } from '../infuser/rng.ts';
import type { Architecture, ModelConfig } from '../model/model-config.ts';
import { referenceLogits } from '../model/reference-model.ts';
import { initModel, readFolder, relativeError, runJson, writeTinyModel } from './cli-test-helpers.ts';

const IDS = [3, 17, 0, 36, 5, 9, 21];

describe('infuser-lab logits', () => {
  const cases: [Architecture, Partial<ModelConfig>][] = [
    ['LlamaForCausalLM', {}],
    ['Qwen2ForCausalLM', {}],
    ['Qwen3ForCausalLM', { tied: true, tieWordEmbeddings: true }],
  ];
  for (const [arch, overrides] of cases) {
    it(`${arch}${overrides.tied ? ' tied' : ''}: one row per position, equal to the float64 reference within 1e-4 relative`, async () => {
      const dir = await writeTinyModel(arch, overrides, 4);
      const out = await runJson<{ logits: number[][] }>(['logits', '--model', dir, '--ids', IDS.join(',')]);
      const { config, weights } = await readFolder(dir);
      expect(out.logits.length).toBe(IDS.length);
      expect(out.logits.every((row) => row.length === config.vocabSize)).toBe(true);
      expect(relativeError(out.logits.flat(), referenceLogits(config, weights, IDS))).toBeLessThan(1e-4);
    });
  }
});

describe('infuser-lab init-model', () => {
  it('writes a vocab-259 folder with a byte tokenizer, weights from the init stream, that logits runs', async () => {
    const dir = await initModel('qwen3', ['--init-std', '0.1'], 9);
    const { config, weights } = await readFolder(dir);
    expect(config.architecture).toBe('Qwen3ForCausalLM');
    expect([config.vocabSize, config.hiddenSize, config.numHiddenLayers, config.eosTokenIds[0]]).toEqual([259, 64, 2, 258]);
    // §9.5: stream `init` keyed by parameter name; uniform with standard deviation 0.1.
    const name = 'model.layers.1.mlp.up_proj.weight';
    const s = streamFor(9, 'init', name);
    const want = Float32Array.from({ length: 50 }, (_, i) => 0.1 * Math.sqrt(3) * (2 * s.uniformAt(i) - 1));
    expect(weights.get(name)!.slice(0, 50)).toEqual(want);
    expect([...weights.get('model.norm.weight')!].every((x) => x === 1)).toBe(true);
    const ids = [257, 104, 105, 258];
    const out = await runJson<{ logits: number[][] }>(['logits', '--model', dir, '--ids', ids.join(',')]);
    expect(relativeError(out.logits.flat(), referenceLogits(config, weights, ids))).toBeLessThan(1e-4);
  });
});
