// Files from a drop or a picker as {name, bytes}, walking dropped folders (webkitGetAsEntry) so a whole
// folder can be dropped. Names keep the folder path (`pool/a.md`), so chunk ids and run folders read well.
// Callers: PoolPanel, DevSetPanel, RunsPanel.

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

async function readFile(file: File, name: string): Promise<NamedBytes> {
  return { name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** Files of a picker; a folder picker's files keep their relative path. */
export function filesFromList(list: FileList | null): Promise<NamedBytes[]> {
  return Promise.all([...(list ?? [])].map((f) => readFile(f, f.webkitRelativePath || f.name)));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: NamedBytes[]): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    out.push(await readFile(await entryFile(entry as FileSystemFileEntry), path));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call; read until it returns none.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const child of batch) await walk(child, out);
  }
}

/** Every file of a drop, folders walked depth-first, sorted by path for a stable order. */
export async function filesFromDrop(data: DataTransfer): Promise<NamedBytes[]> {
  const out: NamedBytes[] = [];
  const entries = [...data.items].map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return filesFromList(data.files);
  for (const entry of entries) await walk(entry, out);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
