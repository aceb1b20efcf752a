// Folders in the browser: files dropped or picked with <input webkitdirectory> (read-only), and
// directories in the origin-private file system (OPFS, read/write). hf-folder.ts loads and saves
// through them. Reads stay lazy: a File/Blob is sliced per tensor, never read whole.
import { blobByteSource, type ByteSource } from './byte-source.ts';
import { checkFileName, type Folder, type FolderReader } from './folder-access.ts';

/** Path inside the dropped folder: webkitRelativePath minus its top folder, else the file name. */
function relativePath(file: File): string {
  const rel = file.webkitRelativePath;
  if (!rel) return file.name;
  const slash = rel.indexOf('/');
  return slash < 0 ? rel : rel.slice(slash + 1);
}

/** A read-only folder over dropped or picked files. */
export class DroppedFolder implements FolderReader {
  private readonly files = new Map<string, File>();

  constructor(files: Iterable<File>, readonly name = 'dropped folder') {
    for (const file of files) this.files.set(relativePath(file), file);
  }

  async openFile(fileName: string): Promise<ByteSource | null> {
    const file = this.files.get(fileName);
    return file ? blobByteSource(file, fileName) : null;
  }
}

/** Walks "a/b/c" down to the directory holding c, creating directories when asked. */
async function parentDir(root: FileSystemDirectoryHandle, fileName: string, create: boolean) {
  const parts = fileName.split('/');
  let dir = root;
  for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create });
  return { dir, base: parts[parts.length - 1] };
}

const isNotFound = (e: unknown) => (e as DOMException)?.name === 'NotFoundError' || (e as DOMException)?.name === 'TypeMismatchError';

/** A read/write folder over an OPFS (or File System Access) directory handle. */
export class OpfsFolder implements Folder {
  constructor(readonly dir: FileSystemDirectoryHandle, readonly name = dir.name || 'opfs') {}

  async openFile(fileName: string): Promise<ByteSource | null> {
    checkFileName(this.name, fileName);
    try {
      const { dir, base } = await parentDir(this.dir, fileName, false);
      const handle = await dir.getFileHandle(base);
      return blobByteSource(await handle.getFile(), fileName);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async writeFile(fileName: string, chunks: readonly Uint8Array[]): Promise<void> {
    checkFileName(this.name, fileName);
    const { dir, base } = await parentDir(this.dir, fileName, true);
    const handle = await dir.getFileHandle(base, { create: true });
    // createWritable stages into a swap file: the old contents stay until close() commits.
    const writable = await handle.createWritable();
    try {
      for (const chunk of chunks) await writable.write(chunk as Uint8Array<ArrayBuffer>);
      await writable.close();
    } catch (e) {
      await writable.abort();
      throw e;
    }
  }
}

/** A read-only folder served over HTTP (the built-in anchors under public/). Missing files are null. */
export class UrlFolder implements FolderReader {
  constructor(readonly base: string, readonly name = base) {}

  async openFile(fileName: string): Promise<ByteSource | null> {
    const url = new URL(fileName, new URL(this.base.endsWith('/') ? this.base : `${this.base}/`, globalThis.location?.href)).href;
    const res = await fetch(url);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`${this.name}/${fileName}: HTTP ${res.status} ${res.statusText}`);
    // Vite's dev server answers unknown paths with index.html: that is a missing file, not a model file.
    if ((res.headers.get('content-type') ?? '').includes('text/html')) return null;
    return blobByteSource(await res.blob(), fileName);
  }
}
