// Node-only: reads a CLI path (a .json/.jsonl file, a .txt/.md/.pdf file, or a folder of .txt/.md, recursively)
// into the {name, bytes} list that documents.ts and dev-pool.ts import. Never bundled for the browser,
// which builds the same list from dropped files. Folder walks are sorted, so imports are deterministic.

import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, fileExtension, type InputFile, type RejectedInput } from './input-files.ts';

const FOLDER_EXTENSIONS: ReadonlySet<string> = new Set(['txt', 'md', 'markdown']);
/** What a --pool folder takes: text files and PDFs (whose text pdf-text.ts extracts). */
export const POOL_FOLDER_EXTENSIONS: ReadonlySet<string> = new Set([...FOLDER_EXTENSIONS, 'pdf']);

export interface NodeInputFiles {
  files: InputFile[];
  /** Files left unread (too large), with reasons; hidden entries, symlinked folders and other types are skipped silently. */
  rejected: RejectedInput[];
}

/** Reads one file (named by its base name) or a folder tree (names relative to it, `/`-separated). */
export async function readInputPath(
  path: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES, folderExtensions = FOLDER_EXTENSIONS,
): Promise<NodeInputFiles> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const out: NodeInputFiles = { files: [], rejected: [] };
  if (info.isDirectory()) {
    const paths = await listFolder(path, folderExtensions);
    if (paths.length === 0) throw new Error(`${path}: the folder holds no ${describeExtensions(folderExtensions)} files`);
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

/** ".txt or .md", ".txt, .md or .pdf": the set's extensions, `markdown` left implied by `md`. */
function describeExtensions(extensions: ReadonlySet<string>): string {
  const names = [...extensions].filter((e) => e !== 'markdown').map((e) => `.${e}`);
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Files with these extensions under `folder`, depth-first in name order; hidden entries and symlinked folders are skipped. */
async function listFolder(folder: string, extensions: ReadonlySet<string>): Promise<string[]> {
  const entries = (await readdir(folder)).filter((name) => !name.startsWith('.')).sort();
  const found: string[] = [];
  for (const name of entries) {
    const full = join(folder, name);
    const info = await lstat(full);
    if (info.isDirectory()) found.push(...await listFolder(full, extensions));
    else if ((info.isFile() || info.isSymbolicLink()) && extensions.has(fileExtension(name))) {
      if (info.isSymbolicLink() && !(await stat(full)).isFile()) continue;
      found.push(full);
    }
  }
  return found;
}
