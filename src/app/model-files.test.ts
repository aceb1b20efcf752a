import { describe, expect, it } from 'vitest';
import { MemoryFolder } from '../model/folder-access.ts';
import { saveHfFolder } from '../model/hf-folder.ts';
import { parameterSpecs } from '../model/model-config.ts';
import { randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../model/tiny-bpe-fixture.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { inspectModel, isModelFilePath, pickModelFolder } from './model-files.ts';

const file = (path: string) => ({ path, file: new File([path], path.slice(path.lastIndexOf('/') + 1)) });

describe('pickModelFolder', () => {
  it('keeps the model files of the folder holding config.json, named as inside it', async () => {
    const picked = pickModelFolder([
      file('hub/tiny/config.json'), file('hub/tiny/model-00001-of-00002.safetensors'), file('hub/tiny/tokenizer.json'),
      file('hub/tiny/README.md'), file('hub/tiny/onnx/model.onnx'), file('hub/tiny/tokenizer_config.json'),
    ]);
    expect(picked.name).toBe('tiny');
    expect(picked.files.map((f) => f.name).sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    // The renamed File still reads the original bytes.
    expect(await picked.files.find((f) => f.name === 'tokenizer.json')!.text()).toBe('hub/tiny/tokenizer.json');
  });

  it('takes loose files, and refuses picks with no or several config.json', () => {
    expect(pickModelFolder([file('config.json'), file('model.safetensors')]).name).toBe('dropped files');
    expect(() => pickModelFolder([file('a/model.safetensors')])).toThrow(/No config\.json among the 1 files/);
    expect(() => pickModelFolder([file('a/config.json'), file('b/config.json')])).toThrow(/config\.json found in 2 folders \(a, b\)/);
  });

  it('reads only model file names', () => {
    expect(['x/config.json', 'model.safetensors.index.json', 'chat_template.jinja'].every(isModelFilePath)).toBe(true);
    expect(['x/model.onnx', 'pytorch_model.bin', 'README.md'].some(isModelFilePath)).toBe(false);
  });
});

describe('inspectModel', () => {
  const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: 266 });
  const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });

  async function savedFolder(): Promise<MemoryFolder> {
    const folder = new MemoryFolder('tiny');
    const weights = randomWeights(cfg, 3);
    const tensors = parameterSpecs(cfg).map((s) => ({ name: s.name, shape: s.shape, data: weights.get(s.name)! }));
    await saveHfFolder(folder, { config: cfg, tensors, tokenizer });
    return folder;
  }

  it('reports architecture, parameter count and tokenizer of a saved folder', async () => {
    const info = await inspectModel(await savedFolder());
    // embed 266·16 = 4256, lm_head 4256, two layers of 1952, final norm 16.
    expect(info.parameters).toBe(4256 * 2 + 2 * 1952 + 16);
    expect(info.config.architecture).toBe('LlamaForCausalLM');
    expect(info.tokenizerTokens).toBe(266);
    expect(info.hasChatTemplate).toBe(true);
  });

  it('refuses a folder whose weights do not match config.json, naming the folder', async () => {
    const folder = await savedFolder();
    const config = JSON.parse(new TextDecoder().decode(folder.files.get('config.json')));
    folder.files.set('config.json', new TextEncoder().encode(JSON.stringify({ ...config, intermediate_size: 32 })));
    await expect(inspectModel(folder)).rejects.toThrow(/^tiny: .*mlp\.gate_proj/);
  });
});
