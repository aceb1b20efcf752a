// Turns dropped or fetched files into the document pool and dev set the run starts from, with the
// preview figures PoolPanel and DevSetPanel show. Each file is read on its own first, so one malformed
// file is listed as rejected instead of failing the whole drop. Uses src/data/documents.ts, dev-pool.ts and
// pdf-text.ts (PDFs).
import { importDocuments, type Document } from '../data/documents.ts';
import { importDevPool, type DevPoolImport, type GroundTruthConvention } from '../data/dev-pool.ts';
import { fileExtension, type InputFile, type RejectedInput } from '../data/input-files.ts';
import { extractPdfInputs, isPdfName, type PdfjsLoader } from '../data/pdf-text.ts';
import { loadBrowserPdfjs } from './pdfjs-browser.ts';

/** Stand-in token count for chunking .txt/.md before the Generator tokenizer is loaded (≈ 4 characters per token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface FileSummary {
  name: string;
  bytes: number;
  /** How the file became documents: one per JSON row, or chunks of text. */
  kind: 'rows' | 'chunks' | 'rejected';
  documents: number;
}

export interface DocumentPool {
  documents: Document[];
  rejected: RejectedInput[];
  warnings: string[];
  files: FileSummary[];
}

const byteLength = (file: InputFile): number =>
  'bytes' in file ? file.bytes.byteLength : new TextEncoder().encode(file.text).byteLength;

/** Imports documents file by file (malformed files are rejected), then all together for the id check. */
export function loadDocumentPool(
  files: readonly InputFile[],
  options: { chunkTokens: number; duplicateIds: 'error' | 'suffix' },
): DocumentPool {
  const importOptions = { countTokens: estimateTokens, chunkTokens: options.chunkTokens };
  const rejected: RejectedInput[] = [];
  const summaries: FileSummary[] = [];
  const good: InputFile[] = [];
  for (const file of files) {
    const ext = fileExtension(file.name);
    try {
      const one = importDocuments([file], { ...importOptions, duplicateIds: 'suffix' });
      rejected.push(...one.rejected);
      const kind = one.documents.length === 0 ? 'rejected' : ext === 'json' || ext === 'jsonl' ? 'rows' : 'chunks';
      summaries.push({ name: file.name, bytes: byteLength(file), kind, documents: one.documents.length });
      if (one.documents.length > 0) good.push(file);
    } catch (error) {
      rejected.push({ file: file.name, reason: `malformed: ${(error as Error).message}` });
      summaries.push({ name: file.name, bytes: byteLength(file), kind: 'rejected', documents: 0 });
    }
  }
  const all = importDocuments(good, { ...importOptions, duplicateIds: options.duplicateIds });
  return { documents: all.documents, rejected, warnings: all.warnings, files: summaries };
}

/**
 * loadDocumentPool for files that may include PDFs: pdf.js (fetched only when a PDF is present) reads their
 * text first, and a PDF it cannot read is listed as rejected, in drop order, like any other bad file.
 */
export async function loadDocumentPoolWithPdfs(
  files: readonly InputFile[],
  options: { chunkTokens: number; duplicateIds: 'error' | 'suffix' },
  loadPdfjs: PdfjsLoader = loadBrowserPdfjs,
): Promise<DocumentPool> {
  if (!files.some((f) => isPdfName(f.name))) return loadDocumentPool(files, options);
  const extracted = await extractPdfInputs(files, loadPdfjs);
  const pool = loadDocumentPool(extracted.files, options);
  const unreadable = new Set(extracted.rejected.map((r) => r.file));
  const order = new Map(files.map((f, i) => [f.name, i]));
  const rejected = [...extracted.rejected, ...pool.rejected]
    .sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  // Summaries keep the original file's size (a PDF's, not its extracted text's).
  const summaries = new Map(pool.files.map((s) => [s.name, s]));
  const summary = (f: InputFile): FileSummary => (unreadable.has(f.name) || !summaries.has(f.name)
    ? { name: f.name, bytes: byteLength(f), kind: 'rejected', documents: 0 }
    : { ...summaries.get(f.name) as FileSummary, bytes: byteLength(f) });
  return { ...pool, rejected, files: files.map(summary) };
}

/** Imports a dev pool file by file, so a malformed file is rejected rather than fatal. */
export function loadDevPool(
  files: readonly InputFile[],
  groundTruthByFile: Readonly<Record<string, GroundTruthConvention>>,
): DevPoolImport {
  const out: DevPoolImport = { questions: [], rejected: [], skipped: [], warnings: [], ambiguous: [], unconfirmedFiles: [] };
  const good: InputFile[] = [];
  for (const file of files) {
    try {
      importDevPool([file], { groundTruthByFile });
      good.push(file);
    } catch (error) {
      if (/Duplicate question_id/.test((error as Error).message)) good.push(file);
      else out.rejected.push({ file: file.name, reason: `malformed: ${(error as Error).message}` });
    }
  }
  const all = importDevPool(good, { groundTruthByFile });
  return { ...all, rejected: [...out.rejected, ...all.rejected] };
}

export interface SizeStats { count: number; totalChars: number; minChars: number; medianChars: number; maxChars: number }

/** Document sizes in characters, for the preview. */
export function documentSizes(documents: readonly Document[]): SizeStats {
  const lengths = documents.map((d) => d.content.length).sort((a, b) => a - b);
  const n = lengths.length;
  return {
    count: n,
    totalChars: lengths.reduce((a, b) => a + b, 0),
    minChars: n === 0 ? 0 : lengths[0],
    medianChars: n === 0 ? 0 : lengths[(n - 1) >> 1],
    maxChars: n === 0 ? 0 : lengths[n - 1],
  };
}

/** Fetches a built-in world file; a missing file (or the dev server's HTML fallback) says so plainly. */
export async function fetchWorldFile(url: string, fetchFn: typeof fetch = fetch): Promise<InputFile> {
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { Accept: 'application/json' } });
  } catch (error) {
    throw new Error(`Built-in file ${url} could not be fetched (${(error as Error).message})`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || type.includes('text/html')) {
    throw new Error(`Built-in file ${url} is not there yet (HTTP ${response.status}); drop your own files instead`);
  }
  const name = url.split('/').pop() ?? url;
  return { name, bytes: new Uint8Array(await response.arrayBuffer()) };
}
