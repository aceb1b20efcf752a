// Load and save a Hugging Face model folder (config.json, model.safetensors or shards + index,
// tokenizer.json, tokenizer_config.json, chat_template.jinja, generation_config.json) through the
// FolderReader/FolderWriter interfaces, so node, browser drops and OPFS share this code.
// Loading validates every tensor shape against config.json before any weight is read; saving
// writes what transformers' from_pretrained loads back.
import { readJson, readText } from './byte-source.ts';
import type { FolderReader, FolderWriter } from './folder-access.ts';
import { parameterSpecs, parseModelConfig, toHfConfig, type ModelConfig, type TorchDtype } from './model-config.ts';
import { SafetensorsFile, checkAgainstConfig, numel, type TensorData, type TensorReader } from './safetensors.ts';
import { SAFETENSORS_INDEX, SAFETENSORS_SINGLE, ShardedSafetensors, writeShardedSafetensors } from './safetensors-shards.ts';
import { TextTokenizer } from './tokenizer.ts';

export interface HfModel {
  config: ModelConfig;
  /** config.json exactly as read. */
  rawConfig: Record<string, unknown>;
  weights: TensorReader;
  /** Tensors in the checkpoint that the config does not use (e.g. a tied lm_head.weight). */
  unusedTensors: string[];
  tokenizer: TextTokenizer;
  /** generation_config.json, or null when the folder has none. */
  generationConfig: Record<string, unknown> | null;
}

export interface SaveOptions {
  config: ModelConfig;
  /** Exactly the parameters of parameterSpecs(config), in any order. */
  tensors: readonly TensorData[];
  tokenizer?: TextTokenizer;
  generationConfig?: Record<string, unknown>;
  /** Storage dtype of the weights; config.json's torch_dtype follows it. Default F32. */
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Shard size limit in bytes (default 5e9, as transformers). */
  maxShardBytes?: number;
  metadata?: Record<string, string>;
}

const TORCH_DTYPE: Record<'F32' | 'F16' | 'BF16', TorchDtype> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/** Prefixes errors with the folder name, so a message says which folder held the bad file. */
async function inFolder<T>(folder: { name: string }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(`${folder.name}: `) ? msg : `${folder.name}: ${msg}`, { cause: e });
  }
}

async function optionalJson(folder: FolderReader, fileName: string): Promise<unknown | undefined> {
  const src = await folder.openFile(fileName);
  return src ? readJson(src) : undefined;
}

async function requiredJson(folder: FolderReader, fileName: string, why: string): Promise<unknown> {
  const json = await optionalJson(folder, fileName);
  if (json === undefined) throw new Error(`${folder.name}: ${fileName} is missing (${why})`);
  return json;
}

/** Opens model.safetensors, or the shards listed in model.safetensors.index.json. */
export async function openWeights(folder: FolderReader): Promise<TensorReader> {
  const index = await folder.openFile(SAFETENSORS_INDEX);
  if (index) return ShardedSafetensors.open(index, (name) => folder.openFile(name));
  const single = await folder.openFile(SAFETENSORS_SINGLE);
  if (!single) {
    throw new Error(`${folder.name}: no ${SAFETENSORS_SINGLE} or ${SAFETENSORS_INDEX}; the folder needs safetensors weights (.bin checkpoints are not supported)`);
  }
  return SafetensorsFile.open(single);
}

function eosIdsOf(json: unknown): number[] {
  const v = (json as { eos_token_id?: unknown } | undefined)?.eos_token_id;
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is number => Number.isInteger(x));
}

async function loadTokenizer(folder: FolderReader, config: ModelConfig, generationConfig: unknown): Promise<TextTokenizer> {
  const tokenizerJson = await requiredJson(folder, 'tokenizer.json', 'the lab needs the fast-tokenizer file');
  const tokenizerConfig = await optionalJson(folder, 'tokenizer_config.json');
  const jinja = await folder.openFile('chat_template.jinja');
  return TextTokenizer.fromJson({
    tokenizerJson,
    tokenizerConfig,
    chatTemplate: jinja ? await readText(jinja) : null,
    extraEosIds: [...eosIdsOf(generationConfig), ...config.eosTokenIds],
  });
}

/** Reads config, tokenizer and weight headers; tensor data stays on disk until read. */
export async function loadHfFolder(folder: FolderReader): Promise<HfModel> {
  return inFolder(folder, async () => {
    const rawConfig = (await requiredJson(folder, 'config.json', 'it defines the architecture')) as Record<string, unknown>;
    const config = parseModelConfig(rawConfig);
    const generationConfig = (await optionalJson(folder, 'generation_config.json')) ?? null;
    const tokenizer = await loadTokenizer(folder, config, generationConfig);
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new Error(`tokenizer.json has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocabSize}`);
    }
    const weights = await openWeights(folder);
    const unusedTensors = checkAgainstConfig(weights, config);
    return { config, rawConfig, weights, unusedTensors, tokenizer, generationConfig: generationConfig as HfModel['generationConfig'] };
  });
}

/** Reads every parameter as f32, in parameterSpecs order (memory-hungry: for small models and tests). */
export async function readParameters(model: Pick<HfModel, 'config' | 'weights'>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(model.config)) out.set(spec.name, await model.weights.readTensor(spec.name));
  return out;
}

function checkTensorsForSave(config: ModelConfig, tensors: readonly TensorData[]): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const expected = new Set(parameterSpecs(config).map((s) => s.name));
  const extra = tensors.filter((t) => !expected.has(t.name)).map((t) => t.name);
  if (extra.length > 0) throw new Error(`save: tensors not in the config's parameter list: ${extra.slice(0, 5).join(', ')}`);
  checkAgainstConfig({
    label: 'save',
    names: () => [...byName.keys()],
    has: (name) => byName.has(name),
    info: (name) => {
      const t = byName.get(name)!;
      return { name, file: 'save', dtype: 'F32', shape: t.shape, byteOffset: 0, byteLength: numel(t.shape) * 4 };
    },
  }, config);
}

const jsonFile = (value: unknown) => [new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n')];

/** Writes a folder transformers can load; returns the names of the files written. */
export async function saveHfFolder(folder: FolderWriter, options: SaveOptions): Promise<string[]> {
  return inFolder(folder, async () => {
    const dtype = options.dtype ?? 'F32';
    checkTensorsForSave(options.config, options.tensors);
    const written: string[] = [];
    const write = async (name: string, chunks: readonly Uint8Array[]) => {
      await folder.writeFile(name, chunks);
      written.push(name);
    };
    await write('config.json', jsonFile({ ...toHfConfig(options.config), torch_dtype: TORCH_DTYPE[dtype] }));
    const weights = writeShardedSafetensors(options.tensors, { dtype, maxShardBytes: options.maxShardBytes, metadata: options.metadata });
    for (const file of weights) await write(file.name, file.chunks);
    if (options.generationConfig) await write('generation_config.json', jsonFile(options.generationConfig));
    const tok = options.tokenizer;
    if (tok) {
      await write('tokenizer.json', jsonFile(tok.tokenizerJson));
      // Carry a chat template that came from chat_template.jinja inside the config, which every transformers version reads.
      const tokConfig = tok.chatTemplate === null ? tok.tokenizerConfig : { ...tok.tokenizerConfig, chat_template: tok.chatTemplate };
      await write('tokenizer_config.json', jsonFile(tokConfig));
    }
    return written;
  });
}
