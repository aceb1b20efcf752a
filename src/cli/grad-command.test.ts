// `infuser-lab grad` through the real CLI: the safetensors file holds every parameter's gradient under
// its HF name, equal to the float64 reference's, and the printed loss matches the reference loss.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parameterSpecs, type Architecture } from '../model/model-config.ts';
import { nodeFileByteSource } from '../model/node-byte-source.ts';
import { referenceLossAndGrads } from '../model/reference-model.ts';
import { SafetensorsFile } from '../model/safetensors.ts';
import { readFolder, runJson, tempDir, writeTinyModel } from './cli-test-helpers.ts';

const IDS = [3, 17, 0, 36, 5, 9, 21, 2];

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

describe('infuser-lab grad', () => {
  for (const arch of ['LlamaForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM'] as Architecture[]) {
    it(`${arch}: F32 gradients of the mean next-token loss equal the float64 reference, loss within 1e-5`, async () => {
      const dir = await writeTinyModel(arch, {}, 6);
      const out = join(await tempDir('grad'), 'grads.safetensors');
      const { loss } = await runJson<{ loss: number }>(['grad', '--model', dir, '--ids', IDS.join(','), '--out', out]);
      const { config, weights } = await readFolder(dir);
      const ref = referenceLossAndGrads(config, weights, IDS);
      expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
      const file = await SafetensorsFile.open(await nodeFileByteSource(out, 'grads.safetensors'));
      const specs = parameterSpecs(config);
      expect(file.names().sort()).toEqual(specs.map((s) => s.name).sort());
      for (const { name, shape } of specs) {
        expect(file.info(name).dtype).toBe('F32');
        expect(file.info(name).shape).toEqual(shape);
        const got = await file.readTensor(name);
        const want = ref.grads.get(name)!;
        const tol = 2e-4 * Math.max(1e-3, maxAbs(want)) + 1e-7;
        const worst = got.reduce((m, g, i) => Math.max(m, Math.abs(g - want[i]) - 1e-3 * Math.abs(want[i])), 0);
        expect(worst, `gradient ${name}`).toBeLessThan(tol);
      }
    });
  }
});
