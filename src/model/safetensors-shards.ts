// Sharded checkpoints: model.safetensors.index.json maps each tensor name to one of several
// model-0000k-of-0000n.safetensors files. ShardedSafetensors reads them as one TensorReader;
// writeShardedSafetensors splits a tensor list the way transformers' save_pretrained does.
// Called by hf-folder.ts. Invariant: every name in weight_map exists in the shard it names.
import type { ByteSource } from './byte-source.ts';
import { readJson } from './byte-source.ts';
import {
  SafetensorsFile, numel, readIntoF32, writeSafetensorsChunks,
  type TensorData, type TensorInfo, type TensorReader, type WriteOptions,
} from './safetensors.ts';

export const SAFETENSORS_INDEX = 'model.safetensors.index.json';
export const SAFETENSORS_SINGLE = 'model.safetensors';

/** Several safetensors files read as one, through their index. */
export class ShardedSafetensors implements TensorReader {
  readonly metadata: Record<string, string> = {};

  private constructor(
    readonly label: string,
    private readonly shardOf: Map<string, SafetensorsFile>,
  ) {}

  /** Opens the index, then every shard it names; `openShard` returns null for a missing file. */
  static async open(
    index: ByteSource,
    openShard: (fileName: string) => Promise<ByteSource | null>,
  ): Promise<ShardedSafetensors> {
    const weightMap = parseWeightMap(index.name, await readJson(index));
    const shards = new Map<string, SafetensorsFile>();
    for (const file of new Set(weightMap.values())) {
      const src = await openShard(file);
      if (!src) throw new Error(`${index.name}: weight_map names shard "${file}", which is missing from the folder`);
      shards.set(file, await SafetensorsFile.open(src));
    }
    const shardOf = new Map<string, SafetensorsFile>();
    for (const [name, file] of weightMap) {
      const shard = shards.get(file)!;
      if (!shard.has(name)) {
        throw new Error(`${index.name}: weight_map puts tensor "${name}" in "${file}", but that file has no such tensor`);
      }
      shardOf.set(name, shard);
    }
    return new ShardedSafetensors(`${index.name} (${shards.size} shards)`, shardOf);
  }

  names(): string[] {
    return [...this.shardOf.keys()];
  }

  has(name: string): boolean {
    return this.shardOf.has(name);
  }

  info(name: string): TensorInfo {
    const shard = this.shardOf.get(name);
    if (!shard) throw new Error(`${this.label}: no tensor named "${name}" in the weight_map`);
    return shard.info(name);
  }

  tensorChunks(name: string, chunkBytes?: number): AsyncGenerator<{ offset: number; data: Float32Array }> {
    this.info(name);
    return this.shardOf.get(name)!.tensorChunks(name, chunkBytes);
  }

  readTensor(name: string, out?: Float32Array): Promise<Float32Array> {
    return readIntoF32(this, name, out);
  }
}

function parseWeightMap(file: string, json: unknown): Map<string, string> {
  const wm = (json as { weight_map?: unknown } | null)?.weight_map;
  if (wm === null || typeof wm !== 'object' || Array.isArray(wm)) {
    throw new Error(`${file}: expected an object with a "weight_map" object`);
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string' || shard.length === 0) {
      throw new Error(`${file}: weight_map entry "${name}" must be a shard file name, got ${JSON.stringify(shard)}`);
    }
    map.set(name, shard);
  }
  return map;
}

export interface OutputFile {
  name: string;
  chunks: Uint8Array[];
}

export interface ShardOptions extends WriteOptions {
  /** Largest shard in bytes before a new one starts (transformers' default is 5 GB). */
  maxShardBytes?: number;
}

/** Splits tensors into shards in order; a tensor larger than the limit gets a shard to itself. */
function groupIntoShards(tensors: readonly TensorData[], maxBytes: number, width: number): TensorData[][] {
  const groups: TensorData[][] = [];
  let current: TensorData[] = [];
  let size = 0;
  for (const t of tensors) {
    const bytes = numel(t.shape) * width;
    if (current.length > 0 && size + bytes > maxBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(t);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The files of a checkpoint: model.safetensors alone when everything fits in one shard, otherwise
 * model-0000k-of-0000n.safetensors files plus model.safetensors.index.json.
 */
export function writeShardedSafetensors(tensors: readonly TensorData[], options: ShardOptions = {}): OutputFile[] {
  const width = { F32: 4, F16: 2, BF16: 2 }[options.dtype ?? 'F32'];
  const groups = groupIntoShards(tensors, options.maxShardBytes ?? 5e9, width);
  if (groups.length <= 1) return [{ name: SAFETENSORS_SINGLE, chunks: writeSafetensorsChunks(tensors, options) }];
  const pad = (k: number) => String(k).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const files: OutputFile[] = groups.map((group, k) => {
    const name = `model-${pad(k + 1)}-of-${pad(groups.length)}.safetensors`;
    for (const t of group) weightMap[t.name] = name;
    return { name, chunks: writeSafetensorsChunks(group, options) };
  });
  const totalSize = tensors.reduce((n, t) => n + numel(t.shape) * width, 0);
  const index = { metadata: { total_size: totalSize }, weight_map: weightMap };
  files.push({ name: SAFETENSORS_INDEX, chunks: [new TextEncoder().encode(JSON.stringify(index, null, 2) + '\n')] });
  return files;
}
