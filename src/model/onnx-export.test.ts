// Runs the exported ONNX graph in onnxruntime-web (wasm, in node) and compares its logits with the
// float64 reference forward on tiny random models of all three architectures (spec §11: 1e-4 relative
// on float32 paths, here relative to the largest |logit|).
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from './model-config.ts';
import { exportOnnx, type OnnxExportOptions } from './onnx-export.ts';
import { mulberry32, randomWeights, tinyModelConfig } from './random-model.ts';
import { referenceLogits } from './reference-model.ts';

beforeAll(() => {
  ort.env.wasm.numThreads = 1; // no worker threads under node
});

function randomIds(count: number, vocab: number, seed: number): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => Math.floor(rand() * vocab));
}

async function onnxLogits(
  cfg: ModelConfig,
  weights: Map<string, Float32Array>,
  batch: number[][],
  options: OnnxExportOptions = {},
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const { model, externalData } = exportOnnx(cfg, weights, options);
  const sessionOptions: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'] };
  if (externalData) {
    const data = new Uint8Array(externalData.byteLength);
    let offset = 0;
    for (const chunk of externalData.chunks) {
      data.set(chunk, offset);
      offset += chunk.byteLength;
    }
    sessionOptions.externalData = [{ path: externalData.fileName, data }];
  }
  const session = await ort.InferenceSession.create(model, sessionOptions);
  const T = batch[0].length;
  const ids = new ort.Tensor('int64', BigInt64Array.from(batch.flat(), (v) => BigInt(v)), [batch.length, T]);
  const out = await session.run({ input_ids: ids });
  await session.release();
  return { data: out.logits.data as Float32Array, dims: out.logits.dims };
}

/** Largest |onnx - reference| over all rows, divided by the largest |reference logit|. */
function relativeError(cfg: ModelConfig, weights: Map<string, Float32Array>, batch: number[][], got: Float32Array): number {
  const V = cfg.vocabSize;
  let maxDiff = 0;
  let maxRef = 0;
  batch.forEach((ids, b) => {
    const ref = referenceLogits(cfg, weights, ids);
    const offset = b * ids.length * V;
    ref.forEach((r, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(got[offset + i] - r));
      maxRef = Math.max(maxRef, Math.abs(r));
    });
  });
  return maxDiff / maxRef;
}

const cases: { label: string; cfg: ModelConfig }[] = [
  { label: 'Llama GQA (4 heads, 2 KV), untied', cfg: tinyModelConfig('LlamaForCausalLM') },
  { label: 'Llama MHA, tied', cfg: tinyModelConfig('LlamaForCausalLM', { numKeyValueHeads: 4, tied: true, tieWordEmbeddings: true }) },
  { label: 'Qwen2 q/k/v bias, tied, GQA', cfg: tinyModelConfig('Qwen2ForCausalLM') },
  { label: 'Qwen2 untied, 1 KV head', cfg: tinyModelConfig('Qwen2ForCausalLM', { numKeyValueHeads: 1, tied: false, tieWordEmbeddings: false }) },
  { label: 'Qwen3 q/k norm, head_dim 6 ≠ 16/4, GQA', cfg: tinyModelConfig('Qwen3ForCausalLM') },
  { label: 'Qwen3 tied, head_dim 8', cfg: tinyModelConfig('Qwen3ForCausalLM', { headDim: 8, tied: true, tieWordEmbeddings: true }) },
];

describe('ONNX export matches the float64 reference in onnxruntime-web', () => {
  for (const { label, cfg } of cases) {
    it(`${label}: logits within 1e-4 of max |logit| for seq 1, 2, 5, 11`, async () => {
      const weights = randomWeights(cfg, 1234, 0.3);
      for (const T of [1, 2, 5, 11]) {
        const batch = [randomIds(T, cfg.vocabSize, 7 + T)];
        const { data, dims } = await onnxLogits(cfg, weights, batch);
        expect(dims).toEqual([1, T, cfg.vocabSize]);
        expect(relativeError(cfg, weights, batch, data)).toBeLessThan(1e-4);
      }
    });
  }

  it('batch of 3 sequences: each row matches its own reference', async () => {
    const cfg = tinyModelConfig('Qwen3ForCausalLM');
    const weights = randomWeights(cfg, 99, 0.3);
    const batch = [0, 1, 2].map((b) => randomIds(6, cfg.vocabSize, 40 + b));
    const { data, dims } = await onnxLogits(cfg, weights, batch);
    expect(dims).toEqual([3, 6, cfg.vocabSize]);
    expect(relativeError(cfg, weights, batch, data)).toBeLessThan(1e-4);
  });

  it('external data: weights in a separate .onnx.data file give the same logits', async () => {
    const cfg = tinyModelConfig('LlamaForCausalLM');
    const weights = randomWeights(cfg, 5, 0.3);
    const exported = exportOnnx(cfg, weights, { externalDataThresholdBytes: 0, dataFileName: 'tiny.onnx.data' });
    const weightBytes = [...weights.values()].reduce((s, w) => s + w.byteLength, 0);
    expect(exported.externalData?.byteLength).toBe(weightBytes);
    expect(exported.model.byteLength).toBeLessThan(weightBytes);
    const batch = [randomIds(7, cfg.vocabSize, 3)];
    const { data } = await onnxLogits(cfg, weights, batch, { externalDataThresholdBytes: 0, dataFileName: 'tiny.onnx.data' });
    expect(relativeError(cfg, weights, batch, data)).toBeLessThan(1e-4);
  });

  it('a missing weight is reported by name', () => {
    const cfg = tinyModelConfig('LlamaForCausalLM');
    const weights = randomWeights(cfg, 5);
    weights.delete('model.layers.1.mlp.up_proj.weight');
    expect(() => exportOnnx(cfg, weights)).toThrow(/model\.layers\.1\.mlp\.up_proj\.weight/);
  });
});
