// The browser's pdf.js loader for data/pdf-text.ts: the normal build, fetched on the first dropped PDF (so
// the app's first load does not grow), parsing in pdf.js's own module worker, whose URL Vite resolves.
import type { PdfjsApi } from '../data/pdf-text.ts';

/** Loads pdfjs-dist and points it at its bundled worker. */
export async function loadBrowserPdfjs(): Promise<PdfjsApi> {
  const pdfjs = await import('pdfjs-dist');
  pdfjs.GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).href;
  return pdfjs;
}
