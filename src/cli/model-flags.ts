// Shared plumbing of the model commands (logits, grad, generate, export-onnx, bench-model): the GPU
// engine, the model folder named by --model, token ids from --ids, and writing files beside a path.
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { acquireGpu } from '../engine/device.ts';
import { Engine } from '../engine/engine.ts';
import type { ModelConfig } from '../model/model-config.ts';
import { NodeFolder } from '../model/node-folder.ts';

/** Runs `work` on a fresh engine and destroys the device afterwards, so node can exit. */
export async function withEngine<T>(work: (e: Engine) => Promise<T>): Promise<T> {
  const gpu = await acquireGpu();
  try {
    return await work(new Engine(gpu));
  } finally {
    gpu.device.destroy();
  }
}

/** The folder named by --model, after checking it exists and is a directory. */
export async function modelFolder(dir: string): Promise<NodeFolder> {
  const path = resolve(dir);
  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`model folder '${dir}' does not exist`);
  if (!info.isDirectory()) throw new Error(`--model '${dir}' is a file; give the folder holding config.json and model.safetensors`);
  return new NodeFolder(path, dir);
}

/** "1,2,3" → [1, 2, 3]; each item must be a non-negative integer. */
export function parseIds(text: string): number[] {
  const items = text.split(',').map((s) => s.trim());
  return items.map((s, i) => {
    if (!/^\d+$/.test(s)) throw new Error(`--ids: item ${i + 1} ('${s}') is not a non-negative integer; expected e.g. --ids 1,2,3`);
    return Number(s);
  });
}

/** Throws unless every id is inside the vocabulary and the sequence fits the model's positions. */
export function checkIds(ids: readonly number[], cfg: ModelConfig, minLength = 1): void {
  if (ids.length < minLength) throw new Error(`--ids: needs at least ${minLength} token ids, got ${ids.length}`);
  const bad = ids.findIndex((id) => id >= cfg.vocabSize);
  if (bad >= 0) throw new Error(`--ids: id ${ids[bad]} (item ${bad + 1}) is outside the vocabulary [0, ${cfg.vocabSize})`);
  if (ids.length > cfg.maxPositionEmbeddings) {
    throw new Error(`--ids: ${ids.length} tokens exceed max_position_embeddings (${cfg.maxPositionEmbeddings})`);
  }
}

/** Writes a file through NodeFolder (to "<name>.partial", then renamed), creating its directory. */
export async function writeFileChunks(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  await new NodeFolder(dirname(resolve(path))).writeFile(basename(path), chunks);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
