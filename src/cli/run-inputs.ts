// The inputs of a new headless run, read and checked before anything is written: the document pool
// (--pool), the dev questions (--dev) and the two model folders (--generator, --solver), with the
// built-in tiny world as the default for each. Every problem is an Error naming the file and line.
// Called by run-command.ts; importing itself is data/documents.ts and data/dev-pool.ts.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDevPool, type DevQuestion, type GroundTruthConvention } from '../data/dev-pool.ts';
import { importDocuments, type Document } from '../data/documents.ts';
import type { RejectedInput } from '../data/input-files.ts';
import { POOL_FOLDER_EXTENSIONS, readInputPath } from '../data/node-files.ts';
import { extractPdfInputs } from '../data/pdf-text.ts';
import { loadNodePdfjs } from '../data/pdfjs-node.ts';
import type { RunConfig } from '../infuser/config.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import { loadModelFolder, type ModelFiles } from './run-checkpoint.ts';

const repoPath = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

/** The built-in tiny world: used when --pool, --dev, --generator or --solver is not given. */
export const DEFAULT_INPUTS = {
  pool: repoPath('public/world/documents.json'),
  dev: repoPath('public/world/dev.json'),
  /** Dev-kind questions kept out of the anchors' training and every run: the experiment's final comparison. */
  heldout: repoPath('public/world/heldout.json'),
  model: repoPath('public/anchors/tiny-world'),
} as const;

const MAX_LISTED = 5;

async function checkExists(path: string | undefined, fallback: string, flag: string): Promise<string> {
  const chosen = path ?? fallback;
  try {
    await stat(chosen);
  } catch {
    if (path === undefined) {
      throw new Error(`the built-in default for ${flag} (${fallback}) is missing from this checkout: `
        + `pass ${flag} PATH, or add the built-in tiny world under public/`);
    }
    throw new Error(`${flag} ${path}: no such file or folder`);
  }
  return chosen;
}

/** "path:line: reason" for rows; a file inside a folder input is named by its full path. */
function describe(inputPath: string, isFolder: boolean, r: RejectedInput): string {
  const file = isFolder ? join(inputPath, r.file) : inputPath;
  return `${file}${r.line === undefined ? '' : `:${r.line}`}: ${r.reason}`;
}

function failOnRejected(what: string, inputPath: string, isFolder: boolean, rejected: readonly RejectedInput[]): void {
  if (rejected.length === 0) return;
  const sorted = [...rejected].sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  const shown = sorted.slice(0, MAX_LISTED).map((r) => `  ${describe(inputPath, isFolder, r)}`).join('\n');
  const more = rejected.length > MAX_LISTED ? `\n  … and ${rejected.length - MAX_LISTED} more` : '';
  throw new Error(`${what}: ${rejected.length} problem(s); a headless run uses every row or none, so fix or remove `
    + `these and run again:\n${shown}${more}`);
}

/** Importer errors (malformed JSON, duplicate ids) start with the file's short name: show its full path. */
function withFullPath<T>(inputPath: string, isFolder: boolean, files: readonly { name: string }[], work: () => T): T {
  try {
    return work();
  } catch (error) {
    const message = (error as Error).message;
    const file = files.find((f) => message.startsWith(`${f.name}:`));
    if (file === undefined) throw error;
    const full = isFolder ? join(inputPath, file.name) : inputPath;
    throw new Error(`${full}${message.slice(file.name.length)}`, { cause: error });
  }
}

/** The document pool: reference documents.json, document JSONL, or .txt/.md/.pdf (chunked by the Generator tokenizer). */
export async function loadPool(path: string | undefined, tokenizer: TextTokenizer, config: RunConfig, warn: (m: string) => void): Promise<{ path: string; documents: Document[] }> {
  const chosen = await checkExists(path, DEFAULT_INPUTS.pool, '--pool');
  const isFolder = (await stat(chosen)).isDirectory();
  const read = await readInputPath(chosen, undefined, POOL_FOLDER_EXTENSIONS);
  failOnRejected('--pool', chosen, isFolder, read.rejected);
  const { files, rejected: unreadable } = await extractPdfInputs(read.files, loadNodePdfjs);
  failOnRejected('--pool', chosen, isFolder, unreadable);
  const result = withFullPath(chosen, isFolder, files, () => importDocuments(files, {
    countTokens: (text) => tokenizer.encode(text).length,
    chunkTokens: config['data.chunk_tokens'],
  }));
  failOnRejected('--pool', chosen, isFolder, result.rejected);
  result.warnings.forEach((w) => warn(`--pool: ${w}`));
  if (result.documents.length === 0) throw new Error(`--pool ${chosen}: no documents to generate questions from`);
  return { path: chosen, documents: result.documents };
}

/** The dev questions actually used: the first data.dev_pool_size of the imported pool. */
export async function loadDev(
  path: string | undefined, convention: GroundTruthConvention, config: RunConfig, warn: (m: string) => void,
  /** Questions to keep (default the pool size); the experiment reads its held-out file with its own count. */
  size = config['data.dev_pool_size'],
  /** The flag the file came from, for messages (the experiment's held-out file: '--heldout-file'). */
  flag = '--dev',
): Promise<{ path: string; questions: DevQuestion[] }> {
  const chosen = await checkExists(path, DEFAULT_INPUTS.dev, flag);
  const isFolder = (await stat(chosen)).isDirectory();
  const { files, rejected: unread } = await readInputPath(chosen);
  failOnRejected(flag, chosen, isFolder, unread);
  const result = withFullPath(chosen, isFolder, files, () => importDevPool(files, { groundTruth: convention }));
  // The lab is MCQ only; a headless run refuses rows it would silently skip (issue 4).
  failOnRejected(flag, chosen, isFolder, [...result.rejected, ...result.skipped]);
  if (result.ambiguous.length > 0) {
    const rows = result.ambiguous.slice(0, MAX_LISTED).map((a) => `  ${describe(chosen, isFolder, { file: a.file, line: a.line, reason: a.question_id })}: ground truth reads as `
      + `choice ${a.textIndex + 1} by text but as choice ${a.letterIndex + 1} by letter`).join('\n');
    throw new Error(`${flag}: ambiguous_letter_text in ${result.ambiguous.length} row(s); pass --dev-ground-truth text `
      + `or --dev-ground-truth letter to say which reading is meant:\n${rows}`);
  }
  result.warnings.forEach((w) => warn(`${flag}: ${w}`));
  if (result.questions.length === 0) throw new Error(`${flag} ${chosen}: no dev questions with choices`);
  if (result.questions.length < size) {
    warn(`${flag}: ${result.questions.length} questions, fewer than ${size === config['data.dev_pool_size'] ? 'data.dev_pool_size = ' : ''}${size}; using all of them`);
  }
  return { path: chosen, questions: result.questions.slice(0, size) };
}

/** A role's model folder, fully loaded; prompts need a chat template. */
export async function loadRoleModel(path: string | undefined, flag: '--generator' | '--solver'): Promise<{ path: string; model: ModelFiles }> {
  const chosen = await checkExists(path, DEFAULT_INPUTS.model, flag);
  if (!(await stat(chosen)).isDirectory()) {
    throw new Error(`${flag} ${chosen}: is a file; give the folder holding config.json, model.safetensors and tokenizer.json`);
  }
  const model = await loadModelFolder(chosen);
  if (model.tokenizer.chatTemplate === null) {
    throw new Error(`${flag} ${chosen}: the tokenizer has no chat template (tokenizer_config.json "chat_template" `
      + 'or chat_template.jinja); the Generator and Solver prompts are chat messages');
  }
  return { path: chosen, model };
}
