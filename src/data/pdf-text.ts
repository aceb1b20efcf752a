// PDF documents for the pool (§10.1, issue 6): pdf.js (pdfjs-dist) extracts every page's text into one
// plain-text file, which documents.ts then chunks exactly like a .txt file. pdf.js is injected as a loader
// so each side loads its own build lazily: pdfjs-node.ts (legacy build) on node, app/pdfjs-browser.ts
// (normal build plus worker) in the browser; neither is part of the app's first load.

import { DEFAULT_MAX_FILE_BYTES, fileExtension, type InputFile, type RejectedInput } from './input-files.ts';

/** The part of pdf.js used here; both the legacy and the normal build satisfy it. */
export interface PdfjsApi {
  getDocument(source: {
    data: Uint8Array; isEvalSupported?: boolean; disableFontFace?: boolean; useSystemFonts?: boolean;
    stopAtErrors?: boolean; verbosity?: number;
  }): { promise: Promise<PdfDocument>; destroy(): Promise<void> };
}

interface PdfDocument {
  numPages: number;
  getPage(pageNumber: number): Promise<{ getTextContent(): Promise<{ items: readonly object[] }> }>;
}

export type PdfjsLoader = () => Promise<PdfjsApi>;

/** True for `*.pdf`, any case. */
export function isPdfName(name: string): boolean {
  return fileExtension(name) === 'pdf';
}

/** All pages' text, whitespace normalised, pages separated by a blank line; or why there is none. */
export async function extractPdfText(bytes: Uint8Array, load: PdfjsLoader): Promise<{ text: string } | { reason: string }> {
  const pdfjs = await load();
  // pdf.js transfers the buffer to its worker; a copy keeps the caller's bytes usable for re-imports.
  const task = pdfjs.getDocument({
    data: bytes.slice(), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0,
  });
  try {
    let pdf: PdfDocument;
    try {
      pdf = await task.promise;
    } catch (error) {
      return { reason: openFailure(error) };
    }
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      try {
        pages.push(pageText((await (await pdf.getPage(n)).getTextContent()).items));
      } catch (error) {
        return { reason: `not a valid PDF: page ${n} cannot be read (pdf.js: ${messageOf(error)})` };
      }
    }
    const text = normaliseWhitespace(pages.join('\n\n'));
    if (text === '') {
      return { reason: `PDF with no extractable text (${pdf.numPages} page(s)); a scanned or image-only PDF needs OCR first` };
    }
    return { text };
  } finally {
    await task.destroy();
  }
}

/** Replaces each .pdf file with its extracted text ({name, text}); a PDF that yields no text is rejected instead. */
export async function extractPdfInputs(
  files: readonly InputFile[], load: PdfjsLoader, maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<{ files: InputFile[]; rejected: RejectedInput[] }> {
  const out: InputFile[] = [];
  const rejected: RejectedInput[] = [];
  for (const file of files) {
    if (!isPdfName(file.name) || !('bytes' in file)) {
      out.push(file);
      continue;
    }
    const size = file.bytes.byteLength;
    const result = size > maxFileBytes
      ? { reason: `too large: ${size} bytes exceeds the ${maxFileBytes}-byte limit` }
      : await extractPdfText(file.bytes, load);
    if ('reason' in result) rejected.push({ file: file.name, reason: result.reason });
    else out.push({ name: file.name, text: result.text });
  }
  return { files: out, rejected };
}

/** Text items' `str` in order, a newline where pdf.js marks an end of line; marked-content items carry no text. */
function pageText(items: readonly object[]): string {
  let text = '';
  for (const item of items) {
    if (!('str' in item) || typeof item.str !== 'string') continue;
    text += item.str;
    if ('hasEOL' in item && item.hasEOL === true) text += '\n';
  }
  return text;
}

/** Runs of spaces collapse to one, lines are trimmed, and at most one blank line separates paragraphs. */
export function normaliseWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function openFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'PasswordException') {
    return `encrypted PDF: it is password-protected, so its text cannot be read (pdf.js: ${messageOf(error)})`;
  }
  return `not a valid PDF (pdf.js: ${messageOf(error)})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
