// Node-only: reads a CLI path (a .json/.jsonl file, a .txt/.md file, or a folder of .txt/.md, recursively)
// into the {name, bytes} list that documents.ts and dev-pool.ts import. Never bundled for the browser,
// which builds the same list from dropped files. Folder walks are sorted, so imports are deterministic.

import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, fileExtension, type InputFile, type RejectedInput } from './input-files.ts';

const FOLDER_EXTENSIONS = new Set(['txt', 'md', 'markdown']);

export interface NodeInputFiles {
  files: InputFile[];
  /** Files left unread (too large), with reasons; hidden entries, symlinked folders and other types are skipped silently. */
  rejected: RejectedInput[];
}

/** Reads one file (named by its base name) or a folder tree (names relative to it, `/`-separated). */
export async function readInputPath(path: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<NodeInputFiles> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const out: NodeInputFiles = { files: [], rejected: [] };
  if (info.isDirectory()) {
    const paths = await listFolder(path);
    if (paths.length === 0) throw new Error(`${path}: the folder holds no .txt or .md files`);
    for (const file of paths) await readOne(file, relative(path, file).split(sep).join('/'), maxFileBytes, out);
  } else if (info.isFile()) {
    await readOne(path, basename(path), maxFileBytes, out);
  } else {
    throw new Error(`${path}: not a regular file or folder`);
  }
  return out;
}

async function readOne(path: string, name: string, maxFileBytes: number, out: NodeInputFiles): Promise<void> {
  const { size } = await stat(path);
  if (size > maxFileBytes) {
    out.rejected.push({ file: name, reason: `too large: ${size} bytes exceeds the ${maxFileBytes}-byte limit` });
    return;
  }
  out.files.push({ name, bytes: new Uint8Array(await readFile(path)) });
}

/** .txt/.md files under `folder`, depth-first in name order; hidden entries and symlinked folders are skipped. */
async function listFolder(folder: string): Promise<string[]> {
  const entries = (await readdir(folder)).filter((name) => !name.startsWith('.')).sort();
  const found: string[] = [];
  for (const name of entries) {
    const full = join(folder, name);
    const info = await lstat(full);
    if (info.isDirectory()) found.push(...await listFolder(full));
    else if ((info.isFile() || info.isSymbolicLink()) && FOLDER_EXTENSIONS.has(fileExtension(name))) {
      if (info.isSymbolicLink() && !(await stat(full)).isFile()) continue;
      found.push(full);
    }
  }
  return found;
}
