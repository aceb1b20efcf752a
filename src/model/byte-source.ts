// ByteSource: random-access reads from a file without loading it whole, so multi-GB checkpoints
// stream tensor by tensor. safetensors.ts and hf-folder.ts read through it; this file holds the
// browser Blob/File and in-memory implementations (the node one lives in node-byte-source.ts so the
// browser bundle never imports node:fs). Invariant: read() returns exactly `length` bytes or throws.

export interface ByteSource {
  /** File name used in error messages. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Exactly `length` bytes starting at `offset`; throws if the range leaves the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Throws unless [offset, offset + length) lies inside a source of `size` bytes. */
export function checkReadRange(name: string, size: number, offset: number, length: number): void {
  const ok = Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0;
  if (!ok || offset + length > size) {
    throw new Error(`${name}: read of ${length} bytes at offset ${offset} runs past the end of the file (${size} bytes)`);
  }
}

/** A ByteSource over a browser Blob or File (also works in node 20, which has Blob). */
export function blobByteSource(blob: Blob, name?: string): ByteSource {
  const label = name ?? ((blob as File).name || 'blob');
  return {
    name: label,
    size: blob.size,
    async read(offset, length) {
      checkReadRange(label, blob.size, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** A ByteSource over bytes already in memory (tests, freshly written files). */
export function bytesByteSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(offset, length) {
      checkReadRange(name, bytes.length, offset, length);
      return bytes.slice(offset, offset + length);
    },
  };
}

/** Reads a whole (small) source as UTF-8 text, e.g. config.json. */
export async function readText(source: ByteSource): Promise<string> {
  return new TextDecoder('utf-8').decode(await source.read(0, source.size));
}

/** Reads a whole (small) source as JSON, naming the file if it does not parse. */
export async function readJson(source: ByteSource): Promise<unknown> {
  const text = await readText(source);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${source.name}: not valid JSON (${(e as Error).message})`);
  }
}
