// Test fixture: tiny hand-written PDFs for pdf-text.test.ts and the pool-loader tests, so no binary test
// files are checked in. Every byte is ASCII, so string length is the byte offset the xref table needs.

/** A Helvetica text-drawing content stream that shows `s` (no parentheses or backslashes in `s`). */
export const textStream = (s: string): string => `BT /F1 12 Tf 72 712 Td (${s}) Tj ET`;

/**
 * A minimal PDF 1.4 written by hand: catalog, page tree, one page per content stream, Helvetica as F1,
 * and an xref table whose byte offsets are counted here. `extraObjects` follow the pages as objects
 * 4 + 2·pages, …; `trailerExtra` is appended to the trailer dictionary (e.g. an /Encrypt reference).
 */
export function buildPdf(pageStreams: readonly string[], trailerExtra = '', extraObjects: readonly string[] = []): Uint8Array {
  const pageIds = pageStreams.map((_, i) => 4 + 2 * i);
  const objects = new Map<number, string>([
    [1, '<< /Type /Catalog /Pages 2 0 R >>'],
    [2, `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`],
    [3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
  ]);
  pageStreams.forEach((stream, i) => {
    objects.set(pageIds[i], `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] `
      + `/Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i] + 1} 0 R >>`);
    objects.set(pageIds[i] + 1, `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  });
  extraObjects.forEach((body) => objects.set(objects.size + 1, body));
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  const count = objects.size + 1;
  for (let id = 1; id < count; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects.get(id)}\nendobj\n`;
  }
  const xrefAt = out.length;
  out += `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let id = 1; id < count; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${count} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

