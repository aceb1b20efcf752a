// A Folder over a directory on disk, for the CLI and tests (node only: imports node:fs).
// Writes go to "<name>.partial" first and are renamed into place, so an interrupted save never
// leaves a half-written checkpoint under the real name.
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ByteSource } from './byte-source.ts';
import { checkFileName, type Folder } from './folder-access.ts';
import { nodeFileByteSource } from './node-byte-source.ts';

export class NodeFolder implements Folder {
  /** @param dir the directory; created on first write if absent. */
  constructor(readonly dir: string, readonly name = dir) {}

  async openFile(fileName: string): Promise<ByteSource | null> {
    checkFileName(this.name, fileName);
    try {
      return await nodeFileByteSource(join(this.dir, fileName), fileName);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async writeFile(fileName: string, chunks: readonly Uint8Array[]): Promise<void> {
    checkFileName(this.name, fileName);
    const path = join(this.dir, fileName);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial`;
    const handle = await open(partial, 'w');
    try {
      for (const chunk of chunks) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    await rename(partial, path);
  }
}
