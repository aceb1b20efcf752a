// §10.1 document import: reference `documents.json` arrays, document-shaped JSONL, and .txt/.md/.pdf chunking.
// Input is a list of {name, text|bytes} (node-files.ts on node, dropped files in the browser); output is the
// document list the sampler (§9.5) draws from, plus a rejected list with reasons. Unknown keys ride along in
// `extra` so the reference export (reference-export.ts) writes them back.

import {
  DEFAULT_MAX_FILE_BYTES, decodeInputFile, fileExtension, isPlainObject, jsonRowKind, parseJsonArrayFile,
  parseJsonlFile, type InputFile, type JsonRow, type RejectedInput,
} from './input-files.ts';

/** One Generator document. `extra` holds every key the lab does not read, kept for round-trips. */
export interface Document {
  doc_id: string;
  content: string;
  source_pdf?: string;
  extra: Record<string, unknown>;
}

export interface DocumentImportOptions {
  /** Generator-tokenizer token count; used only to chunk .txt/.md files. */
  countTokens?: (text: string) => number;
  /** Max tokens per chunk (config `data.chunk_tokens`). */
  chunkTokens?: number;
  /** Chunks under this many tokens are merged forward. */
  minChunkTokens?: number;
  /** Duplicate doc_id: an error (default), or `#2`, `#3`… suffixes on later rows (F-D1). */
  duplicateIds?: 'error' | 'suffix';
  maxFileBytes?: number;
}

export interface DocumentImport {
  documents: Document[];
  rejected: RejectedInput[];
  warnings: string[];
}

export const MIN_CHUNK_TOKENS = 64;
/** Chunked as text, into pieces of `chunkTokens` (JSON and JSONL are one document per row); a .pdf arrives here as its extracted text (pdf-text.ts). */
export const TEXT_EXTENSIONS: ReadonlySet<string> = new Set(['txt', 'md', 'markdown', 'pdf']);

interface PendingDocument extends Document { file: string; line?: number }

/** Imports documents from every file; malformed JSON and duplicate ids throw, unusable files and rows are rejected. */
export function importDocuments(files: readonly InputFile[], options: DocumentImportOptions = {}): DocumentImport {
  const pending: PendingDocument[] = [];
  const rejected: RejectedInput[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    const ext = fileExtension(file.name);
    // PDF text extraction is async (pdf-text.ts); raw bytes here would be chunked as PDF source.
    if (ext === 'pdf' && 'bytes' in file) {
      throw new Error(`${file.name}: a PDF's text must be extracted first (extractPdfInputs in pdf-text.ts)`);
    }
    const decoded = decodeInputFile(file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if ('reason' in decoded) {
      rejected.push({ file: file.name, reason: decoded.reason });
      continue;
    }
    if (ext === 'json' || ext === 'jsonl') {
      const rows = ext === 'json' ? parseJsonArrayFile(decoded.text, file.name) : parseJsonlFile(decoded.text, file.name);
      readJsonRows(file.name, rows, pending, rejected, warnings);
    } else if (TEXT_EXTENSIONS.has(ext)) {
      readTextFile(file.name, decoded.text, ext === 'md' || ext === 'markdown', options, pending, rejected);
    } else {
      rejected.push({ file: file.name, reason: `unsupported file type ".${ext}" (use .json, .jsonl, .txt, .md or .pdf)` });
    }
  }
  const documents = assignUniqueIds(pending, options.duplicateIds ?? 'error');
  return { documents, rejected, warnings };
}

function readJsonRows(
  file: string, rows: JsonRow[], out: PendingDocument[], rejected: RejectedInput[], warnings: string[],
): void {
  if (rows.length > 0 && jsonRowKind(rows[0].value) === 'question') {
    rejected.push({ file, reason: 'question-shaped rows (question_text + choices): import this file as a dev pool' });
    return;
  }
  let missingIds = 0;
  for (const row of rows) {
    const result = documentFromRow(file, row);
    if ('reason' in result) rejected.push({ file, line: row.line, reason: result.reason });
    else {
      if (result.generatedId) missingIds++;
      out.push({ ...result.document, file, line: row.line });
    }
  }
  if (missingIds > 0) warnings.push(`${file}: ${missingIds} row(s) had no doc_id and were named "${file}#{row index}"`);
}

/** Reads one reference row `{doc_id, content | text, source_pdf?, …}` (§10.1). */
export function documentFromRow(file: string, row: JsonRow): { document: Document; generatedId: boolean } | { reason: string } {
  const value = row.value;
  if (!isPlainObject(value)) return { reason: 'row is not a JSON object' };
  const content = nonEmptyString(value.content) ?? nonEmptyString(value.text);
  if (content === undefined) return { reason: 'no text: "content" or "text" must be a non-empty string' };
  const rawId = value.doc_id;
  if (rawId !== undefined && typeof rawId !== 'string' && typeof rawId !== 'number') {
    return { reason: `doc_id must be a string or number, got ${JSON.stringify(rawId)}` };
  }
  const textKey = nonEmptyString(value.content) !== undefined ? 'content' : 'text';
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // An empty or non-string `content` carries nothing and would shadow the exported one.
    const isConsumed = key === 'doc_id' || key === 'content' || key === textKey
      || (key === 'source_pdf' && typeof v === 'string');
    if (!isConsumed) extra[key] = v;
  }
  const document: Document = {
    doc_id: rawId === undefined ? `${file}#${row.index}` : String(rawId),
    content,
    extra,
  };
  if (typeof value.source_pdf === 'string') document.source_pdf = value.source_pdf;
  return { document, generatedId: rawId === undefined };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function readTextFile(
  file: string, text: string, isMarkdown: boolean, options: DocumentImportOptions,
  out: PendingDocument[], rejected: RejectedInput[],
): void {
  if (options.countTokens === undefined) {
    throw new Error(`${file}: chunking .txt/.md files needs a countTokens function (the Generator tokenizer)`);
  }
  const chunks = chunkText(text, {
    countTokens: options.countTokens,
    chunkTokens: options.chunkTokens ?? 512,
    minChunkTokens: options.minChunkTokens ?? MIN_CHUNK_TOKENS,
    isMarkdown,
  });
  if (chunks.length === 0) rejected.push({ file, reason: 'no text to chunk' });
  chunks.forEach((content, index) => {
    out.push({ doc_id: `${file}#${index}`, content, source_pdf: file, extra: {}, file });
  });
}

/** Duplicate ids throw naming both places, or get the next free `#n` suffix (n ≥ 2). */
function assignUniqueIds(pending: PendingDocument[], mode: 'error' | 'suffix'): Document[] {
  const where = (d: PendingDocument): string => (d.line === undefined ? d.file : `${d.file}:${d.line}`);
  const taken = new Set(pending.map((d) => d.doc_id));
  const firstSeen = new Map<string, PendingDocument>();
  const nextSuffix = new Map<string, number>();
  return pending.map((d) => {
    const first = firstSeen.get(d.doc_id);
    let id = d.doc_id;
    if (first === undefined) firstSeen.set(id, d);
    else if (mode === 'error') {
      throw new Error(`Duplicate doc_id "${id}" at ${where(first)} and ${where(d)}; `
        + 'rename one or import with duplicate ids auto-suffixed');
    } else {
      let n = nextSuffix.get(id) ?? 2;
      while (taken.has(`${id}#${n}`)) n++;
      nextSuffix.set(id, n + 1);
      id = `${id}#${n}`;
      taken.add(id);
    }
    const { file: _file, line: _line, ...document } = d;
    return { ...document, doc_id: id };
  });
}

// ---------------------------------------------------------------------------------------------
// Chunking (§10.1): paragraphs → pieces of at most N tokens → greedy merge → small pieces forward.
// Chunks are verbatim slices of the source, so Markdown and LaTeX survive untouched.

export interface ChunkOptions {
  countTokens: (text: string) => number;
  chunkTokens: number;
  minChunkTokens: number;
  isMarkdown: boolean;
}

interface Span { start: number; end: number }

/** Splits plain text or Markdown into chunks of at most `chunkTokens` tokens (see file header for the rules). */
export function chunkText(text: string, options: ChunkOptions): string[] {
  const { countTokens, chunkTokens } = options;
  if (!(chunkTokens >= 1)) throw new Error(`chunkTokens must be at least 1, got ${chunkTokens}`);
  const tokens = (s: Span): number => countTokens(text.slice(s.start, s.end));
  const units: Span[] = [];
  for (const paragraph of paragraphSpans(text, options.isMarkdown)) {
    if (tokens(paragraph) <= chunkTokens) units.push(paragraph);
    else units.push(...splitLongSpan(text, paragraph, chunkTokens, countTokens));
  }
  const packed: Span[] = [];
  for (const unit of units) {
    const last = packed[packed.length - 1];
    if (last !== undefined && tokens({ start: last.start, end: unit.end }) <= chunkTokens) last.end = unit.end;
    else packed.push({ ...unit });
  }
  return mergeSmallForward(packed, options.minChunkTokens, tokens).map((s) => text.slice(s.start, s.end));
}

/** Pieces under `min` tokens join the next piece; a small last piece joins the previous one. May exceed N by < min. */
function mergeSmallForward(spans: Span[], min: number, tokens: (s: Span) => number): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < spans.length; i++) {
    const span = { ...spans[i] };
    while (tokens(span) < min && i + 1 < spans.length) span.end = spans[++i].end;
    out.push(span);
  }
  if (out.length > 1 && tokens(out[out.length - 1]) < min) {
    const last = out.pop() as Span;
    out[out.length - 1].end = last.end;
  }
  return out;
}

/** Paragraphs: runs of non-blank lines; Markdown also breaks before headings. Fenced code is never split. */
export function paragraphSpans(text: string, isMarkdown: boolean): Span[] {
  const spans: Span[] = [];
  let current: Span | undefined;
  let inFence = false;
  for (let lineStart = 0; lineStart < text.length;) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const isBlank = !inFence && line.trim() === '';
    const isHeading = !inFence && isMarkdown && /^\s{0,3}#{1,6}(\s|$)/.test(line);
    if ((isBlank || isHeading) && current !== undefined) {
      spans.push(current);
      current = undefined;
    }
    if (!isBlank) {
      const contentEnd = lineStart + line.trimEnd().length;
      if (current === undefined) current = { start: lineStart, end: contentEnd };
      else current.end = contentEnd;
    }
    if (isMarkdown && /^\s{0,3}(```|~~~)/.test(line)) inFence = !inFence;
    lineStart = lineEnd + 1;
  }
  if (current !== undefined) spans.push(current);
  return spans;
}

/** A paragraph over N tokens: packed sentences, and any sentence still over N is cut at the limit. */
function splitLongSpan(text: string, span: Span, limit: number, countTokens: (t: string) => number): Span[] {
  const tokens = (s: Span): number => countTokens(text.slice(s.start, s.end));
  const pieces: Span[] = [];
  for (const sentence of sentenceSpans(text, span)) {
    const last = pieces[pieces.length - 1];
    if (last !== undefined && tokens({ start: last.start, end: sentence.end }) <= limit) last.end = sentence.end;
    else if (tokens(sentence) <= limit) pieces.push({ ...sentence });
    else pieces.push(...cutAtLimit(text, sentence, limit, countTokens));
  }
  return pieces;
}

/** Sentences end at . ! ? (or CJK 。！？) plus closing quotes/brackets, followed by whitespace. */
function sentenceSpans(text: string, span: Span): Span[] {
  const body = text.slice(span.start, span.end);
  const spans: Span[] = [];
  const boundary = /[.!?\u3002\uFF01\uFF1F]["'\u2019\u201D)\]]*(\s+)/g;
  let start = 0;
  for (let m = boundary.exec(body); m !== null; m = boundary.exec(body)) {
    const end = m.index + m[0].length - m[1].length;
    spans.push({ start: span.start + start, end: span.start + end });
    start = m.index + m[0].length;
  }
  if (start < body.length) spans.push({ start: span.start + start, end: span.end });
  return spans;
}

/**
 * Cuts text with no usable sentence end: longest prefix within the limit, backed off to a space.
 * The binary search runs inside a window that doubles until it overflows the limit, so a huge
 * unbroken paragraph costs O(length · log) token counting rather than O(length²).
 */
function cutAtLimit(text: string, span: Span, limit: number, countTokens: (t: string) => number): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  while (start < span.end) {
    let width = Math.max(64, limit * 8);
    let hi = Math.min(span.end, start + width);
    while (countTokens(text.slice(start, hi)) <= limit && hi < span.end) {
      width *= 2;
      hi = Math.min(span.end, start + width);
    }
    if (hi === span.end && countTokens(text.slice(start, hi)) <= limit) {
      pieces.push({ start, end: span.end });
      break;
    }
    let lo = start + 1;
    hi -= 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (countTokens(text.slice(start, mid)) <= limit) lo = mid;
      else hi = mid - 1;
    }
    let end = lo;
    const space = text.slice(start, end).search(/\s\S*$/);
    if (space > (end - start) / 2) end = start + space;
    // Never split a surrogate pair.
    if (end > start + 1 && isLowSurrogate(text.charCodeAt(end))) end--;
    pieces.push({ start, end });
    start = end;
    while (start < span.end && /\s/.test(text[start])) start++;
  }
  return pieces;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
