// Streamed loading (load-model.ts) and the memory estimate (model-memory.ts) on the software adapter.
import { describe, expect, it } from 'vitest';
import { AdamW } from '../engine/optim/adamw.ts';
import { testEngine } from '../engine/testing.ts';
import { MemoryFolder } from './folder-access.ts';
import { saveHfFolder } from './hf-folder.ts';
import { LlamaModel } from './llama.ts';
import { loadModel } from './load-model.ts';
import { nextTokenLoss } from './losses.ts';
import { estimateModelBytes, formatBytes } from './model-memory.ts';
import { parameterCount, parameterSpecs, toHfConfig, type ModelConfig } from './model-config.ts';
import { randomWeights, tinyModelConfig } from './random-model.ts';

async function folderWith(cfg: ModelConfig, weights: Map<string, Float32Array>, dtype: 'F32' | 'BF16' = 'F32'): Promise<MemoryFolder> {
  const folder = new MemoryFolder('tiny');
  const tensors = parameterSpecs(cfg).map(({ name, shape }) => ({ name, shape, data: weights.get(name)! }));
  await saveHfFolder(folder, { config: cfg, tensors, dtype });
  return folder;
}

describe('loadModel: streamed upload', () => {
  it('uploads every parameter exactly, across many small chunks, and reports progress', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('Qwen3ForCausalLM');
    const weights = randomWeights(cfg, 41);
    const seen: number[] = [];
    const { model, tokenizer, config } = await loadModel(e, await folderWith(cfg, weights), {
      chunkBytes: 40, // 10 floats per chunk: every tensor but the norms spans several chunks
      onProgress: (done) => seen.push(done),
    });
    expect(tokenizer).toBeNull();
    expect(config).toEqual(cfg);
    const got = await model.readWeights();
    for (const [name, want] of weights) expect(got.get(name), name).toEqual(want);
    expect(seen.length).toBe(parameterSpecs(cfg).length);
    expect(seen.at(-1)).toBe(parameterCount(cfg) * 4);
    model.dispose();
  });

  it('gives the same logits as a model built from the weight map, for a BF16 checkpoint too', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('LlamaForCausalLM');
    const weights = randomWeights(cfg, 42);
    const { model } = await loadModel(e, await folderWith(cfg, weights, 'BF16'));
    const bf16 = await model.readWeights();
    const direct = new LlamaModel(e, cfg, bf16);
    const ids = [1, 5, 9, 2];
    const [a, b] = await e.readMany(e.tape.noGrad(() => [model.forward([ids]), direct.forward([ids])]));
    expect(a).toEqual(b);
    // BF16 keeps 8 mantissa bits: values differ from the F32 originals by at most 2^-8 relative.
    const w = weights.get('model.embed_tokens.weight')!;
    bf16.get('model.embed_tokens.weight')!.forEach((x, i) => expect(Math.abs(x - w[i])).toBeLessThanOrEqual(Math.abs(w[i]) * 2 ** -8));
    model.dispose();
    direct.dispose();
  });

  it('names the folder when a tensor is missing', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('LlamaForCausalLM');
    const folder = await folderWith(cfg, randomWeights(cfg, 1));
    const other = tinyModelConfig('LlamaForCausalLM', { numHiddenLayers: 3 });
    await folder.writeFile('config.json', [new TextEncoder().encode(JSON.stringify(toHfConfig(other)))]);
    await expect(loadModel(e, folder)).rejects.toThrow(/^tiny: .*missing tensor "model\.layers\.2\./);
  });
});

describe('estimateModelBytes', () => {
  it('bounds the measured peak of a training step from above, within a factor of 3', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: 301, hiddenSize: 32, intermediateSize: 64 });
    await e.sync();
    const baseline = e.stats.liveBytes;
    e.pool.resetPeaks();
    const model = new LlamaModel(e, cfg, randomWeights(cfg, 3));
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const ids = Array.from({ length: 24 }, (_, i) => (i * 7) % 301);
    const loss = e.tidy(() => {
      const l = nextTokenLoss(model, ids);
      e.tape.backward(l);
      return l;
    });
    await opt.step();
    const peak = e.stats.peakLiveBytes - baseline;
    const est = estimateModelBytes(cfg, { training: true, seqLen: 24 });
    expect(est.weightsBytes).toBe(parameterCount(cfg) * 4);
    expect(est.adamBytes).toBe(2 * est.weightsBytes);
    expect(est.totalBytes).toBeGreaterThanOrEqual(peak);
    expect(est.totalBytes).toBeLessThan(3 * peak);
    expect(formatBytes(1536)).toBe('1.5 KiB');
    loss.dispose();
    opt.dispose();
    model.zeroGrad();
    model.dispose();
  });
});
