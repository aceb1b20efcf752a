// ByteSource over a file on disk, for the CLI and tests. Kept apart from byte-source.ts so the
// browser bundle never imports node:fs. Each read opens, reads and closes the file, so no handle
// outlives a call (tensor reads are megabytes, so the extra open is noise).
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkReadRange, type ByteSource } from './byte-source.ts';

/** A ByteSource over the file at `path`; its size is taken once, when created. */
export async function nodeFileByteSource(path: string, name = basename(path)): Promise<ByteSource> {
  const { size } = await stat(path);
  return {
    name,
    size,
    async read(offset, length) {
      checkReadRange(name, size, offset, length);
      const out = new Uint8Array(length);
      const handle = await open(path, 'r');
      try {
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw new Error(`${name}: file shrank while reading (got ${done} of ${length} bytes at offset ${offset})`);
          done += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return out;
    },
  };
}
