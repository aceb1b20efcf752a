// Node's pdf.js loader for pdf-text.ts: the legacy build, which runs in node without a DOM and falls back to
// an in-process worker. Kept apart from pdf-text.ts so the browser bundle never carries the legacy build.
import type { PdfjsApi } from './pdf-text.ts';

/** Loads pdfjs-dist's legacy build on first use. */
export async function loadNodePdfjs(): Promise<PdfjsApi> {
  return await import('pdfjs-dist/legacy/build/pdf.mjs');
}
