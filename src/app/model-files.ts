// A Hugging Face model folder picked or dropped in the Models panel: which files of the pick belong to
// it (the folder holding config.json; weights, tokenizer and config files only), and what the folder
// holds (architecture, parameter count), read from config.json, tokenizer.json and the safetensors
// headers without loading any weight. Callers: stores/models.ts. Uses load-model.ts's openModelFolder.
import type { PathedFile } from './dropped-files.ts';
import type { FolderReader } from '../model/folder-access.ts';
import { openModelFolder } from '../model/load-model.ts';
import { parameterCount, type ModelConfig } from '../model/model-config.ts';

const MODEL_FILES = new Set([
  'config.json', 'generation_config.json', 'model.safetensors', 'model.safetensors.index.json',
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja',
]);
const SHARD = /^model-\d+-of-\d+\.safetensors$/;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const dirName = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/** Whether a picked path can belong to a model folder (other files are never read or stored). */
export const isModelFilePath = (path: string): boolean => MODEL_FILES.has(baseName(path)) || SHARD.test(baseName(path));

export interface PickedModel {
  /** The folder's name, or "dropped files" for loose files. */
  name: string;
  /** The folder's model files, renamed to their names inside it (File wrappers share the data). */
  files: File[];
}

/** The one model folder among picked files: the folder holding config.json, its model files only. */
export function pickModelFolder(picked: readonly PathedFile[]): PickedModel {
  const configs = picked.filter((f) => baseName(f.path) === 'config.json').map((f) => dirName(f.path));
  if (configs.length === 0) {
    throw new Error(`No config.json among the ${picked.length} files picked: choose a Hugging Face model folder `
      + '(config.json, model.safetensors or its shards, tokenizer.json, tokenizer_config.json).');
  }
  if (configs.length > 1) throw new Error(`config.json found in ${configs.length} folders (${configs.join(', ')}): choose one model folder.`);
  const dir = configs[0];
  const files = picked
    .filter((f) => dirName(f.path) === dir && isModelFilePath(f.path))
    .map((f) => new File([f.file], baseName(f.path), { type: f.file.type, lastModified: f.file.lastModified }));
  return { name: dir === '' ? 'dropped files' : baseName(dir), files };
}

export interface ModelInfo {
  config: ModelConfig;
  parameters: number;
  tokenizerTokens: number;
  hasChatTemplate: boolean;
}

/** Reads and checks a model folder: config.json parses, tokenizer.json builds, every tensor's shape matches. */
export async function inspectModel(folder: FolderReader): Promise<ModelInfo> {
  const { config, tokenizer } = await openModelFolder(folder, true);
  return {
    config,
    parameters: parameterCount(config),
    tokenizerTokens: tokenizer!.vocabSize,
    hasChatTemplate: tokenizer!.chatTemplate !== null,
  };
}
