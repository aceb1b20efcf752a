// `infuser-lab export-onnx` through the real CLI: the written graph (inline, and with an external data
// file beside it) runs in onnxruntime-web (wasm in node) and matches the float64 reference.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceLogits } from '../model/reference-model.ts';
import { readFolder, relativeError, runJson, tempDir, writeTinyModel } from './cli-test-helpers.ts';

const IDS = [3, 17, 0, 36, 5, 9];

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

async function ortLogits(modelPath: string, dataPath: string | null, ids: number[]): Promise<Float32Array> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'] };
  if (dataPath) options.externalData = [{ path: `${modelPath.split('/').pop()}.data`, data: new Uint8Array(await readFile(dataPath)) }];
  const session = await ort.InferenceSession.create(new Uint8Array(await readFile(modelPath)), options);
  const input = new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]);
  const out = await session.run({ input_ids: input });
  await session.release();
  return out.logits.data as Float32Array;
}

describe('infuser-lab export-onnx', () => {
  it('writes one .onnx file that onnxruntime-web runs, matching the reference within 1e-4', async () => {
    const dir = await writeTinyModel('Qwen2ForCausalLM', {}, 8);
    const out = join(await tempDir('onnx'), 'model.onnx');
    const r = await runJson<{ model: string; external_data: string | null }>(['export-onnx', '--model', dir, '--out', out]);
    expect(r.external_data).toBeNull();
    const { config, weights } = await readFolder(dir);
    expect(relativeError(await ortLogits(out, null, IDS), referenceLogits(config, weights, IDS))).toBeLessThan(1e-4);
  });

  it('puts the weights in FILE.onnx.data beside it above --external-above, and ORT loads both', async () => {
    const dir = await writeTinyModel('Qwen3ForCausalLM', {}, 9);
    const out = join(await tempDir('onnx'), 'tiny.onnx');
    const r = await runJson<{ model: string; external_data: string | null }>(['export-onnx', '--model', dir, '--out', out, '--external-above', '1000']);
    expect(r.external_data).toBe(`${out}.data`);
    const { config, weights } = await readFolder(dir);
    expect(relativeError(await ortLogits(out, r.external_data, IDS), referenceLogits(config, weights, IDS))).toBeLessThan(1e-4);
  });
});
