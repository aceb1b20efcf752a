import { describe, expect, it } from 'vitest';
import { LlamaModel } from './llama.ts';
import { KvCache } from './kv-cache.ts';
import { nextTokenLoss } from './losses.ts';
import { randomWeights, tinyModelConfig } from './random-model.ts';
import { referenceLogits, referenceLossAndGrads } from './reference-model.ts';
import type { Architecture, ModelConfig } from './model-config.ts';
import { assertClose, testEngine } from '../engine/testing.ts';

const ARCHS: Architecture[] = ['LlamaForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM'];
const IDS = [3, 17, 0, 36, 5, 9, 21];

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** The engine's next-token loss and every parameter gradient against the float64 reference model. */
async function expectGradientsMatchReference(cfg: ModelConfig, seed: number, ids: number[], label: string): Promise<void> {
  const e = await testEngine();
  const w = randomWeights(cfg, seed);
  const model = new LlamaModel(e, cfg, w);
  const loss = e.tidy(() => {
    const l = nextTokenLoss(model, ids);
    e.tape.backward(l);
    return l;
  });
  const grads = await e.readMany(model.parameters().map((p) => p.grad!));
  const [gotLoss] = await loss.toArray();
  const ref = referenceLossAndGrads(cfg, w, ids);
  expect(Math.abs(gotLoss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
  model.names.forEach((name, i) => {
    const want = ref.grads.get(name)!;
    assertClose(grads[i], want, { rtol: 1e-3, atol: 2e-4 * Math.max(1e-3, maxAbs(want)) + 1e-7 }, `${label} grad ${name}`);
  });
  loss.dispose();
  model.dispose();
}

describe('Llama / Qwen2 / Qwen3 on the WGSL engine against the float64 reference', () => {
  for (const arch of ARCHS) {
    it(`${arch}: logits match the reference within 1e-4 of the largest logit`, async () => {
      const e = await testEngine();
      const cfg = tinyModelConfig(arch);
      const w = randomWeights(cfg, 11);
      const model = new LlamaModel(e, cfg, w);
      const logits = e.tape.noGrad(() => model.forward([IDS]));
      const got = await logits.toArray();
      const want = referenceLogits(cfg, w, IDS);
      assertClose(got, want, { rtol: 0, atol: 1e-4 * maxAbs(want) }, `${arch} logits`);
      logits.dispose();
      model.dispose();
    });

    it(`${arch}: every parameter gradient of the next-token loss matches the reference`, async () => {
      await expectGradientsMatchReference(tinyModelConfig(arch), 12, IDS, arch);
    });

    it(`${arch}: decoding with the key/value cache gives the full forward's logits`, async () => {
      const e = await testEngine();
      const cfg = tinyModelConfig(arch);
      const w = randomWeights(cfg, 13);
      const model = new LlamaModel(e, cfg, w);
      const full = await e.tape.noGrad(() => model.forward([IDS])).toArray();
      const V = cfg.vocabSize;
      const cache = new KvCache(e, cfg, 1, 16);
      const prefix = 3;
      const rows: Float32Array[] = [];
      e.tape.noGrad(() => {
        rows.push(model.forward([IDS.slice(0, prefix)], { cache, lastOnly: true }) as never);
        for (let t = prefix; t < IDS.length; t++) rows.push(model.forward([[IDS[t]]], { cache }) as never);
      });
      const got = await e.readMany(rows as never);
      for (let i = 0; i < got.length; i++) {
        const pos = prefix - 1 + i;
        const want = full.slice(pos * V, (pos + 1) * V);
        assertClose(got[i], want, { rtol: 0, atol: 1e-4 * maxAbs(want) + 1e-6 }, `${arch} cached logits at position ${pos}`);
      }
      cache.dispose();
      model.dispose();
    });
  }

  // The tiny cases above have T = 7. Anchor pretraining runs T ≈ 90–250: this one spans two 64-row
  // attention tiles and uses the anchors' head layout (GQA 4/2), so a tile-boundary bug in any kernel
  // of the full forward and backward would show here rather than as a model that silently cannot learn.
  it('LlamaForCausalLM at T = 90 (two attention tiles): every parameter gradient matches the reference', async () => {
    const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: 61, hiddenSize: 32, intermediateSize: 48, headDim: 8, maxPositionEmbeddings: 128 });
    const ids = Array.from({ length: 90 }, (_, t) => (t * 37 + ((t * t) % 11)) % cfg.vocabSize);
    await expectGradientsMatchReference(cfg, 14, ids, 'T = 90');
  });
});
