// Loads a Hugging Face model folder onto the GPU: config.json, the tokenizer when present, then every
// parameter streamed chunk by chunk (SafetensorsFile.tensorChunks, 8 MiB by default) straight into its
// GPU buffer, so no copy of a whole file — or of a whole large tensor — is ever held in memory.
// Callers: the CLI model commands, the bench and the workers. Uses hf-folder.ts for folder parsing and
// LlamaModel.allocate for unfilled parameters.
import { readJson } from './byte-source.ts';
import type { Engine } from '../engine/engine.ts';
import type { FolderReader } from './folder-access.ts';
import { loadHfFolder, openWeights } from './hf-folder.ts';
import { LlamaModel } from './llama.ts';
import { parseModelConfig, type ModelConfig } from './model-config.ts';
import { checkAgainstConfig, type TensorReader } from './safetensors.ts';
import type { TextTokenizer } from './tokenizer.ts';

export interface LoadedModel {
  model: LlamaModel;
  /** null when the folder has no tokenizer.json (enough for logits, grad and export). */
  tokenizer: TextTokenizer | null;
  config: ModelConfig;
}

export interface LoadModelOptions {
  /** Fail when tokenizer.json is missing (text generation needs it). */
  requireTokenizer?: boolean;
  /** Bytes read from disk per upload (default 8 MiB); bounds the host memory a load needs. */
  chunkBytes?: number;
  /** Called after each parameter is uploaded. */
  onProgress?: (loadedBytes: number, totalBytes: number, tensor: string) => void;
}

async function withFolderName<T>(folder: FolderReader, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(`${folder.name}: `) ? msg : `${folder.name}: ${msg}`, { cause: e });
  }
}

export interface OpenedFolder {
  config: ModelConfig;
  tokenizer: TextTokenizer | null;
  /** Shape-checked against config; tensor data stays on disk until read. */
  weights: TensorReader;
}

/** Config, tokenizer (when present or required) and an opened, shape-checked weight reader. */
export async function openModelFolder(folder: FolderReader, requireTokenizer = false): Promise<OpenedFolder> {
  const tokenizerFile = await folder.openFile('tokenizer.json');
  if (tokenizerFile || requireTokenizer) {
    const hf = await loadHfFolder(folder);
    return { config: hf.config, tokenizer: hf.tokenizer, weights: hf.weights };
  }
  return withFolderName(folder, async () => {
    const configFile = await folder.openFile('config.json');
    if (!configFile) throw new Error('config.json is missing (it defines the architecture)');
    const config = parseModelConfig(await readJson(configFile));
    const weights = await openWeights(folder);
    checkAgainstConfig(weights, config);
    return { config, tokenizer: null, weights };
  });
}

/** Streams every parameter of `config` from `weights` into the model's GPU buffers. */
async function uploadParameters(model: LlamaModel, weights: TensorReader, opts: LoadModelOptions): Promise<void> {
  const e = model.engine;
  const total = model.parameters().reduce((s, p) => s + p.bytes, 0);
  let loaded = 0;
  // queue.writeBuffer lands before the next submit; flushing first orders it after every earlier
  // command, and nothing recorded later can touch these fresh parameter buffers before it.
  e.flush();
  for (const name of model.names) {
    const t = model.params.get(name)!;
    for await (const { offset, data } of weights.tensorChunks(name, opts.chunkBytes)) {
      e.device.queue.writeBuffer(t.buffer, offset * 4, data.buffer, data.byteOffset, data.byteLength);
    }
    loaded += t.bytes;
    opts.onProgress?.(loaded, total, name);
  }
}

/** Loads config, tokenizer and weights of a model folder onto the engine's GPU. */
export async function loadModel(engine: Engine, folder: FolderReader, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  const { config, tokenizer, weights } = await openModelFolder(folder, opts.requireTokenizer ?? false);
  const model = LlamaModel.allocate(engine, config);
  try {
    await withFolderName(folder, () => uploadParameters(model, weights, opts));
    await engine.sync();
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, tokenizer, config };
}
