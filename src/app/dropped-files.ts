// Files from a drop or a picker as {name, bytes}, walking dropped folders (webkitGetAsEntry) so a whole
// folder can be dropped. Names keep the folder path (`pool/a.md`), so chunk ids and run folders read well.
// Callers: PoolPanel, DevSetPanel, RunsPanel (read bytes) and ModelsPanel (File objects, read lazily in a worker).

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/** A picked or dropped file and its path inside what was picked (`pool/a.md`). */
export interface PathedFile {
  path: string;
  file: File;
}

async function readFile(f: PathedFile): Promise<NamedBytes> {
  return { name: f.path, bytes: new Uint8Array(await f.file.arrayBuffer()) };
}

/** Which paths to read; the rest are never loaded (a run folder's checkpoints can be gigabytes). */
export type PathFilter = (path: string) => boolean;
const everything: PathFilter = () => true;

/** Files of a picker, unread; a folder picker's files keep their relative path. */
export function pathedFromList(list: FileList | null, keep: PathFilter = everything): PathedFile[] {
  return [...(list ?? [])].map((f) => ({ file: f, path: f.webkitRelativePath || f.name })).filter((f) => keep(f.path));
}

/** Files of a picker, read. */
export function filesFromList(list: FileList | null, keep: PathFilter = everything): Promise<NamedBytes[]> {
  return Promise.all(pathedFromList(list, keep).map(readFile));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: PathedFile[], keep: PathFilter): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    if (keep(path)) out.push({ path, file: await entryFile(entry as FileSystemFileEntry) });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call; read until it returns none.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const child of batch) await walk(child, out, keep);
  }
}

/** Every file of a drop, unread, folders walked depth-first, sorted by path for a stable order. */
export async function pathedFromDrop(data: DataTransfer, keep: PathFilter = everything): Promise<PathedFile[]> {
  const out: PathedFile[] = [];
  const entries = [...data.items].map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return pathedFromList(data.files, keep);
  for (const entry of entries) await walk(entry, out, keep);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Every file of a drop, read. */
export async function filesFromDrop(data: DataTransfer, keep: PathFilter = everything): Promise<NamedBytes[]> {
  return Promise.all((await pathedFromDrop(data, keep)).map(readFile));
}
