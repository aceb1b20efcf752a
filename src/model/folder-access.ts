// Abstract access to a folder of model files, so node folders (node-folder.ts), browser drops and
// OPFS (browser-folder.ts) and in-memory folders share hf-folder.ts's load/save code.
// File names are relative paths with "/" separators; a missing file is null, never an exception.
import { bytesByteSource, type ByteSource } from './byte-source.ts';

export interface FolderReader {
  /** Folder name used in error messages. */
  readonly name: string;
  /** The file's bytes as a ByteSource, or null when the folder has no such file. */
  openFile(fileName: string): Promise<ByteSource | null>;
}

export interface FolderWriter {
  readonly name: string;
  /** Creates or replaces a file with the concatenation of `chunks`. */
  writeFile(fileName: string, chunks: readonly Uint8Array[]): Promise<void>;
}

export type Folder = FolderReader & FolderWriter;

/** Rejects names that could leave the folder ("..", absolute paths, backslashes, empty segments). */
export function checkFileName(folder: string, fileName: string): void {
  const segments = fileName.split('/');
  const bad = fileName.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new Error(`${folder}: file name ${JSON.stringify(fileName)} is not a plain relative path`);
}

/** Concatenates chunks into one array. */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A folder held in memory: tests, and models built or downloaded before being stored. */
export class MemoryFolder implements Folder {
  readonly files = new Map<string, Uint8Array>();

  constructor(readonly name = 'memory') {}

  async openFile(fileName: string): Promise<ByteSource | null> {
    const bytes = this.files.get(fileName);
    return bytes ? bytesByteSource(bytes, fileName) : null;
  }

  async writeFile(fileName: string, chunks: readonly Uint8Array[]): Promise<void> {
    checkFileName(this.name, fileName);
    this.files.set(fileName, concatChunks(chunks));
  }
}
