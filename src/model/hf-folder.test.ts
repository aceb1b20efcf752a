import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DroppedFolder, OpfsFolder } from './browser-folder.ts';
import { MemoryFolder } from './folder-access.ts';
import { loadHfFolder, readParameters, saveHfFolder } from './hf-folder.ts';
import { parameterSpecs, parseModelConfig, toHfConfig } from './model-config.ts';
import { NodeFolder } from './node-folder.ts';
import type { TensorData } from './safetensors.ts';
import { TINY_CHAT_TEMPLATE, TINY_IDS, tinyTokenizerConfig, tinyTokenizerJson } from './tiny-bpe-fixture.ts';
import { TextTokenizer } from './tokenizer.ts';

const config = parseModelConfig({
  architectures: ['Qwen3ForCausalLM'], vocab_size: 270, hidden_size: 8, intermediate_size: 12,
  num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 6,
  tie_word_embeddings: true, eos_token_id: TINY_IDS.imEnd, bos_token_id: TINY_IDS.endOfText,
});
const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });

/** Parameters with values k/8 (exact in bf16), distinct per tensor, from a fixed LCG. */
function tinyTensors(): TensorData[] {
  let state = 12345;
  return parameterSpecs(config).map((s) => ({
    ...s,
    data: Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return ((state >>> 8) % 64 - 32) / 8;
    }),
  }));
}

const enc = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

/** A complete tiny model folder in memory (weights, config and tokenizer). */
async function memoryModel(): Promise<MemoryFolder> {
  const folder = new MemoryFolder('tiny-qwen3');
  await saveHfFolder(folder, { config, tensors: tinyTensors(), tokenizer });
  return folder;
}

describe('saveHfFolder + loadHfFolder', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a tiny Qwen3 through a node folder, bit-exact in F32', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hf-folder-'));
    const folder = new NodeFolder(join(dir, 'f32'));
    const tensors = tinyTensors();
    const written = await saveHfFolder(folder, { config, tensors, tokenizer, generationConfig: { eos_token_id: [265, 263] } });
    expect(written).toEqual(['config.json', 'model.safetensors', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']);
    expect((await readdir(join(dir, 'f32'))).sort()).toEqual([...written].sort());
    const hfConfig = JSON.parse(await readFile(join(dir, 'f32', 'config.json'), 'utf8'));
    expect(hfConfig).toMatchObject({ architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', head_dim: 6, torch_dtype: 'float32' });

    const model = await loadHfFolder(folder);
    expect(model.config).toEqual(config);
    expect(model.unusedTensors).toEqual([]);
    expect(model.tokenizer.eosIds).toEqual([TINY_IDS.imEnd, TINY_IDS.endOfText]);
    expect(model.tokenizer.encode('hello world')).toEqual(tokenizer.encode('hello world'));
    expect(model.tokenizer.chatTemplate).toBe(TINY_CHAT_TEMPLATE);
    const params = await readParameters(model);
    expect([...params.keys()]).toEqual(tensors.map((t) => t.name));
    for (const t of tensors) expect(new Uint32Array(params.get(t.name)!.buffer)).toEqual(new Uint32Array(t.data.buffer));
  });

  it('writes BF16 shards with an index and torch_dtype bfloat16, and reads them back', async () => {
    const folder = new MemoryFolder('bf16');
    const tensors = tinyTensors();
    const written = await saveHfFolder(folder, { config, tensors, dtype: 'BF16', maxShardBytes: 3000 });
    expect(written).toContain('model.safetensors.index.json');
    expect(written.filter((n) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(n)).length).toBeGreaterThan(1);
    expect(JSON.parse(new TextDecoder().decode(folder.files.get('config.json')!)).torch_dtype).toBe('bfloat16');
    await folder.writeFile('tokenizer.json', [enc(tinyTokenizerJson())]);
    const model = await loadHfFolder(folder);
    expect(model.config.torchDtype).toBe('bfloat16');
    for (const t of tensors) expect(await model.weights.readTensor(t.name)).toEqual(t.data);
  });
});

describe('loadHfFolder inputs', () => {
  it('reads chat_template.jinja and merges generation_config eos ids', async () => {
    const folder = await memoryModel();
    await folder.writeFile('chat_template.jinja', [enc('J')]);
    await folder.writeFile('generation_config.json', [enc({ eos_token_id: [TINY_IDS.endOfText] })]);
    const model = await loadHfFolder(folder);
    expect(model.tokenizer.chatTemplate).toBe('J');
    expect(model.tokenizer.eosIds).toEqual([TINY_IDS.imEnd, TINY_IDS.endOfText]);
    expect(model.generationConfig).toEqual({ eos_token_id: [TINY_IDS.endOfText] });
  });

  it('names the folder and the missing file', async () => {
    const folder = await memoryModel();
    folder.files.delete('model.safetensors');
    await expect(loadHfFolder(folder)).rejects.toThrow(/^tiny-qwen3: no model\.safetensors or model\.safetensors\.index\.json/);
    folder.files.delete('tokenizer.json');
    await expect(loadHfFolder(folder)).rejects.toThrow(/^tiny-qwen3: tokenizer\.json is missing/);
    folder.files.delete('config.json');
    await expect(loadHfFolder(folder)).rejects.toThrow(/^tiny-qwen3: config\.json is missing/);
  });

  it('names the folder, file and field for bad config.json', async () => {
    const folder = await memoryModel();
    await folder.writeFile('config.json', [enc({ ...toHfConfig(config), rope_scaling: { rope_type: 'yarn' } })]);
    await expect(loadHfFolder(folder)).rejects.toThrow(/^tiny-qwen3: config\.json: field "rope_scaling\.rope_type"/);
    await folder.writeFile('config.json', [enc('{"architectures": [')]);
    await expect(loadHfFolder(folder)).rejects.toThrow(/^tiny-qwen3: config\.json: not valid JSON/);
  });

  it('rejects weights whose shapes disagree with config.json, naming the tensor', async () => {
    const folder = await memoryModel();
    await folder.writeFile('config.json', [enc({ ...toHfConfig(config), intermediate_size: 10 })]);
    await expect(loadHfFolder(folder)).rejects.toThrow(
      /tiny-qwen3: model\.safetensors does not match config\.json: tensor "model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[12, 8\] but config\.json implies \[10, 8\]/,
    );
  });

  it('rejects a tokenizer larger than vocab_size', async () => {
    const folder = await memoryModel();
    await folder.writeFile('config.json', [enc({ ...toHfConfig(config), vocab_size: 200 })]);
    await expect(loadHfFolder(folder)).rejects.toThrow(/tokenizer\.json has 266 tokens but config\.json's vocab_size is 200/);
  });
});

describe('saveHfFolder checks its input', () => {
  it('rejects unknown names and wrong shapes', async () => {
    const extra = [...tinyTensors(), { name: 'lm_head.weight', shape: [270, 8], data: new Float32Array(2160) }];
    await expect(saveHfFolder(new MemoryFolder('out'), { config, tensors: extra })).rejects.toThrow(/out: save: tensors not in the config's parameter list: lm_head\.weight/);
    const bad = tinyTensors().filter((t) => t.name !== 'model.norm.weight');
    await expect(saveHfFolder(new MemoryFolder('out'), { config, tensors: bad })).rejects.toThrow(/missing tensor "model\.norm\.weight"/);
  });

  it('node folders refuse paths that leave the folder', async () => {
    await expect(new NodeFolder('/tmp/x').openFile('../etc/passwd')).rejects.toThrow(/not a plain relative path/);
  });
});

describe('browser folders', () => {
  it('loads a dropped folder keyed by webkitRelativePath', async () => {
    const source = await memoryModel();
    const files = [...source.files].map(([name, bytes]) => {
      const file = new File([bytes as Uint8Array<ArrayBuffer>], name);
      Object.defineProperty(file, 'webkitRelativePath', { value: `SmolTiny/${name}` });
      return file;
    });
    const model = await loadHfFolder(new DroppedFolder(files, 'SmolTiny'));
    expect(model.config).toEqual(config);
    const first = parameterSpecs(config)[1].name;
    expect(await model.weights.readTensor(first)).toEqual(tinyTensors()[1].data);
  });

  it('saves to and loads from an OPFS directory handle', async () => {
    const opfs = new OpfsFolder(fakeDirectory('models') as unknown as FileSystemDirectoryHandle);
    await saveHfFolder(opfs, { config, tensors: tinyTensors(), tokenizer, maxShardBytes: 2000 });
    expect(await opfs.openFile('absent.json')).toBeNull();
    const model = await loadHfFolder(opfs);
    expect(model.weights.label).toMatch(/model\.safetensors\.index\.json \(\d+ shards\)/);
    expect(await model.weights.readTensor('model.norm.weight')).toEqual(tinyTensors().at(-1)!.data);
  });
});

/** Just enough of FileSystemDirectoryHandle for OpfsFolder, backed by Maps. */
function fakeDirectory(name: string) {
  const files = new Map<string, Uint8Array[]>();
  const dirs = new Map<string, ReturnType<typeof fakeDirectory>>();
  const notFound = () => new DOMException('not found', 'NotFoundError');
  const dir = {
    name,
    async getDirectoryHandle(sub: string, opts?: { create?: boolean }) {
      if (!dirs.has(sub) && !opts?.create) throw notFound();
      if (!dirs.has(sub)) dirs.set(sub, fakeDirectory(sub));
      return dirs.get(sub)!;
    },
    async getFileHandle(file: string, opts?: { create?: boolean }) {
      if (!files.has(file) && !opts?.create) throw notFound();
      return {
        getFile: async () => new File((files.get(file) ?? []) as Uint8Array<ArrayBuffer>[], file),
        createWritable: async () => {
          const staged: Uint8Array[] = [];
          return {
            write: async (chunk: Uint8Array) => void staged.push(chunk.slice()),
            close: async () => void files.set(file, staged),
            abort: async () => undefined,
          };
        },
      };
    },
  };
  return dir;
}
