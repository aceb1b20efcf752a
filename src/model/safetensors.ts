// Safetensors read and write. Reading streams through a ByteSource: the 8-byte header length, the
// JSON header, then each tensor on demand, converted to f32 in chunks, so no file is ever copied whole.
// hf-folder.ts and safetensors-shards.ts build on it; the engine pulls parameters through TensorReader.
// Invariants after open(): every tensor's bytes lie inside the file, match shape × dtype, and no two
// tensors overlap. Writing emits {"format":"pt"} metadata and a header padded to 8 bytes.
import type { ByteSource } from './byte-source.ts';
import { concatChunks } from './folder-access.ts';
import { FLOAT_BYTES, decodeToF32, encodeFromF32, type FloatDtype } from './half-float.ts';
import { parameterSpecs, type ModelConfig } from './model-config.ts';

/** Element sizes of every dtype the safetensors format defines with a whole-byte width. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8, C64: 8,
};

/** Largest header accepted, as in the reference Rust implementation. */
const MAX_HEADER_BYTES = 100_000_000;
const DEFAULT_CHUNK_BYTES = 8 << 20;

export interface TensorInfo {
  name: string;
  /** Name of the file that holds the tensor. */
  file: string;
  dtype: string;
  shape: number[];
  /** Absolute byte offset of the tensor's data in its file. */
  byteOffset: number;
  byteLength: number;
}

/** Random access to named tensors, from one file or a sharded checkpoint. */
export interface TensorReader {
  /** File name(s) for error messages. */
  readonly label: string;
  readonly metadata: Record<string, string>;
  names(): string[];
  has(name: string): boolean;
  /** Throws, naming the file, when the tensor is absent. */
  info(name: string): TensorInfo;
  /** The whole tensor as f32 (into `out` when given; its length must equal the element count). */
  readTensor(name: string, out?: Float32Array): Promise<Float32Array>;
  /** The tensor as consecutive f32 pieces; `offset` counts elements from the start of the tensor. */
  tensorChunks(name: string, chunkBytes?: number): AsyncGenerator<{ offset: number; data: Float32Array }>;
}

export interface TensorData {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface WriteOptions {
  /** Extra string metadata; "format": "pt" is always present. */
  metadata?: Record<string, string>;
  /** Storage dtype; values are rounded to nearest even when narrowing. Default F32. */
  dtype?: 'F32' | 'F16' | 'BF16';
}

/** Element count of a shape (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function isFloatDtype(dtype: string): dtype is FloatDtype {
  return dtype in FLOAT_BYTES;
}

async function readHeader(src: ByteSource): Promise<{ json: Record<string, unknown>; dataStart: number }> {
  if (src.size < 8) {
    throw new Error(`${src.name}: file is ${src.size} bytes, too short for the 8-byte header length; it is truncated`);
  }
  const lenBytes = await src.read(0, 8);
  const headerLen = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > src.size - 8) {
    throw new Error(`${src.name}: header length ${headerLen} is longer than the file (${src.size} bytes); the file is truncated or not safetensors`);
  }
  if (headerLen > MAX_HEADER_BYTES) {
    throw new Error(`${src.name}: header length ${headerLen} exceeds ${MAX_HEADER_BYTES} bytes; not a safetensors file`);
  }
  const headerBytes = await src.read(8, headerLen);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new Error(`${src.name}: header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${src.name}: header must be a JSON object mapping tensor names to entries`);
  }
  return { json: json as Record<string, unknown>, dataStart: 8 + headerLen };
}

function readMetadata(file: string, raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  const ok = raw !== null && typeof raw === 'object' && Object.values(raw).every((v) => typeof v === 'string');
  if (!ok) throw new Error(`${file}: "__metadata__" must map strings to strings`);
  return raw as Record<string, string>;
}

function parseEntry(file: string, name: string, raw: unknown, dataStart: number, dataSize: number): TensorInfo {
  const where = `${file}: tensor "${name}"`;
  const e = (raw ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
    throw new Error(`${where} has unknown dtype ${JSON.stringify(e.dtype)}`);
  }
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where} has invalid shape ${JSON.stringify(shape)}`);
  }
  const offs = e.data_offsets;
  const validOffs = Array.isArray(offs) && offs.length === 2 && offs.every((o) => Number.isSafeInteger(o) && o >= 0);
  if (!validOffs || offs[0] > offs[1]) {
    throw new Error(`${where} has invalid data_offsets ${JSON.stringify(offs)}`);
  }
  const [begin, end] = offs as [number, number];
  if (end > dataSize) {
    throw new Error(`${where} data_offsets [${begin}, ${end}] lie outside the file's ${dataSize} data bytes; the file is truncated or corrupt`);
  }
  const expected = numel(shape) * DTYPE_BYTES[e.dtype];
  if (expected !== end - begin) {
    throw new Error(`${where} shape ${shapeText(shape)} × ${e.dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
  }
  return { name, file, dtype: e.dtype, shape: shape as number[], byteOffset: dataStart + begin, byteLength: end - begin };
}

function checkNoOverlap(file: string, infos: TensorInfo[]): void {
  const sorted = [...infos].sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].byteOffset < prev.byteOffset + prev.byteLength) {
      throw new Error(`${file}: tensors "${prev.name}" and "${sorted[i].name}" have overlapping data_offsets`);
    }
  }
}

/** One safetensors file opened for streamed reading. */
export class SafetensorsFile implements TensorReader {
  private constructor(
    readonly source: ByteSource,
    readonly metadata: Record<string, string>,
    private readonly tensors: Map<string, TensorInfo>,
  ) {}

  get label(): string {
    return this.source.name;
  }

  /** Reads and validates the header; tensor data is read later, on demand. */
  static async open(source: ByteSource): Promise<SafetensorsFile> {
    const { json, dataStart } = await readHeader(source);
    const metadata = readMetadata(source.name, json.__metadata__);
    const tensors = new Map<string, TensorInfo>();
    for (const [name, raw] of Object.entries(json)) {
      if (name === '__metadata__') continue;
      tensors.set(name, parseEntry(source.name, name, raw, dataStart, source.size - dataStart));
    }
    checkNoOverlap(source.name, [...tensors.values()]);
    return new SafetensorsFile(source, metadata, tensors);
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new Error(`${this.source.name}: no tensor named "${name}"`);
    return info;
  }

  async *tensorChunks(name: string, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncGenerator<{ offset: number; data: Float32Array }> {
    const info = this.info(name);
    if (!isFloatDtype(info.dtype)) {
      throw new Error(`${info.file}: tensor "${name}" has dtype ${info.dtype}, which cannot be read as f32 (F32, F16, BF16, F64 can)`);
    }
    const width = FLOAT_BYTES[info.dtype];
    const step = Math.max(width, chunkBytes - (chunkBytes % 8));
    for (let done = 0; done < info.byteLength; done += step) {
      const bytes = await this.source.read(info.byteOffset + done, Math.min(step, info.byteLength - done));
      const data = new Float32Array(bytes.length / width);
      decodeToF32(info.dtype, bytes, data, 0);
      yield { offset: done / width, data };
    }
  }

  async readTensor(name: string, out?: Float32Array): Promise<Float32Array> {
    return readIntoF32(this, name, out);
  }
}

/** Shared by every TensorReader: fills `out` (or a new array) from the reader's chunks. */
export async function readIntoF32(reader: TensorReader, name: string, out?: Float32Array): Promise<Float32Array> {
  const info = reader.info(name);
  const n = numel(info.shape);
  if (out && out.length !== n) {
    throw new Error(`${info.file}: tensor "${name}" has ${n} elements but the output array holds ${out.length}`);
  }
  const dst = out ?? new Float32Array(n);
  for await (const { offset, data } of reader.tensorChunks(name)) dst.set(data, offset);
  return dst;
}

/**
 * Checks that every parameter the config implies is present with the right shape; lists all problems
 * in one error. Returns tensors the config does not use (e.g. a tied lm_head.weight), for logging.
 */
export function checkAgainstConfig(reader: Pick<TensorReader, 'label' | 'names' | 'has' | 'info'>, cfg: ModelConfig): string[] {
  const problems: string[] = [];
  const specs = parameterSpecs(cfg);
  for (const spec of specs) {
    if (!reader.has(spec.name)) {
      problems.push(`missing tensor "${spec.name}" (config.json implies shape ${shapeText(spec.shape)})`);
      continue;
    }
    const shape = reader.info(spec.name).shape;
    if (shapeText(shape) !== shapeText(spec.shape)) {
      problems.push(`tensor "${spec.name}" has shape ${shapeText(shape)} but config.json implies ${shapeText(spec.shape)}`);
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 8).join('; ');
    const more = problems.length > 8 ? ` (and ${problems.length - 8} more)` : '';
    throw new Error(`${reader.label} does not match config.json: ${shown}${more}`);
  }
  const used = new Set(specs.map((s) => s.name));
  return reader.names().filter((n) => !used.has(n));
}

function checkTensorsToWrite(tensors: readonly TensorData[]): void {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (!t.name || t.name === '__metadata__') throw new Error(`safetensors write: invalid tensor name ${JSON.stringify(t.name)}`);
    if (seen.has(t.name)) throw new Error(`safetensors write: tensor "${t.name}" appears twice`);
    seen.add(t.name);
    if (numel(t.shape) !== t.data.length) {
      throw new Error(`safetensors write: tensor "${t.name}" has shape ${shapeText(t.shape)} (${numel(t.shape)} elements) but ${t.data.length} values`);
    }
  }
}

/**
 * A safetensors file as a list of chunks: the header, then one chunk per tensor in the given order.
 * With dtype F32 the tensor chunks share memory with the inputs, so write them out before mutating.
 */
export function writeSafetensorsChunks(tensors: readonly TensorData[], options: WriteOptions = {}): Uint8Array[] {
  checkTensorsToWrite(tensors);
  const dtype = options.dtype ?? 'F32';
  const header: Record<string, unknown> = { __metadata__: { ...options.metadata, format: 'pt' } };
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const t of tensors) {
    const bytes = encodeFromF32(dtype, t.data);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  const jsonBytes = new TextEncoder().encode(JSON.stringify(header));
  // Spaces pad the header so tensor data starts 8-byte aligned, as the Rust writer does.
  const padded = new Uint8Array(8 + Math.ceil(jsonBytes.length / 8) * 8).fill(0x20);
  new DataView(padded.buffer).setBigUint64(0, BigInt(padded.length - 8), true);
  padded.set(jsonBytes, 8);
  return [padded, ...chunks];
}

/** A whole safetensors file in one array (for small models; large ones should write the chunks). */
export function writeSafetensors(tensors: readonly TensorData[], options: WriteOptions = {}): Uint8Array {
  return concatChunks(writeSafetensorsChunks(tensors, options));
}
