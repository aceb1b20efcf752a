import { describe, expect, it } from 'vitest';
import { importDocuments } from './documents.ts';
import { extractPdfInputs, extractPdfText } from './pdf-text.ts';
import { loadNodePdfjs } from './pdfjs-node.ts';
import { buildPdf, textStream } from './tiny-pdf-fixture.ts';

const twoLines = 'BT /F1 12 Tf 72 712 Td (First   line) Tj 0 -14 Td (second line) Tj ET';

describe('PDF text extraction (issue 6)', () => {
  it('extracts the text of a one-page PDF', async () => {
    expect(await extractPdfText(buildPdf([textStream('Hello pool')]), loadNodePdfjs)).toEqual({ text: 'Hello pool' });
  });

  it('joins a two-page PDF in page order, pages a paragraph apart', async () => {
    const result = await extractPdfText(buildPdf([textStream('Page one text'), textStream('Page two text')]), loadNodePdfjs);
    expect(result).toEqual({ text: 'Page one text\n\nPage two text' });
  });

  it('breaks lines where the text moves down and collapses runs of spaces', async () => {
    expect(await extractPdfText(buildPdf([twoLines]), loadNodePdfjs)).toEqual({ text: 'First line\nsecond line' });
  });

  it('rejects garbage bytes named .pdf as not a valid PDF, naming the file', async () => {
    const garbage = new TextEncoder().encode('this is not a pdf at all\n'.repeat(20));
    const { files, rejected } = await extractPdfInputs([{ name: 'junk.PDF', bytes: garbage }], loadNodePdfjs);
    expect(files).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].file).toBe('junk.PDF');
    expect(rejected[0].reason).toMatch(/^not a valid PDF \(pdf\.js: .+\)$/);
  });

  it('rejects a PDF whose page has no text as having no extractable text', async () => {
    const blank = buildPdf(['0 0 1 rg 72 72 200 200 re f']);
    const { rejected } = await extractPdfInputs([{ name: 'scan.pdf', bytes: blank }], loadNodePdfjs);
    expect(rejected).toEqual([{ file: 'scan.pdf', reason: expect.stringMatching(/no extractable text .*scanned/) }]);
  });

  it('rejects a password-protected PDF as encrypted', async () => {
    // Standard security handler (R2) whose /U entry no empty user password can match, so pdf.js asks for one.
    const pages = [textStream('Secret')];
    const encryptId = 3 + 2 * pages.length + 1;
    const hex32 = 'AB'.repeat(32);
    const pdf = buildPdf(pages, ` /Encrypt ${encryptId} 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>]`,
      [`<< /Filter /Standard /V 1 /R 2 /O <${hex32}> /U <${'CD'.repeat(32)}> /P -4 >>`]);
    const { rejected } = await extractPdfInputs([{ name: 'locked.pdf', bytes: pdf }], loadNodePdfjs);
    expect(rejected).toEqual([{ file: 'locked.pdf', reason: expect.stringMatching(/^encrypted PDF: it is password-protected/) }]);
  });

  it('rejects a PDF over the size cap without parsing it, like a text file', async () => {
    const pdf = buildPdf([textStream('Hello pool')]);
    const { rejected } = await extractPdfInputs([{ name: 'big.pdf', bytes: pdf }], loadNodePdfjs, 100);
    expect(rejected).toEqual([{ file: 'big.pdf', reason: `too large: ${pdf.byteLength} bytes exceeds the 100-byte limit` }]);
  });

  it('leaves the caller\'s bytes intact and other files untouched', async () => {
    const pdf = buildPdf([textStream('Hello pool')]);
    const txt = { name: 'a.txt', bytes: new TextEncoder().encode('plain') };
    const { files } = await extractPdfInputs([txt, { name: 'b.pdf', bytes: pdf }], loadNodePdfjs);
    expect(files).toEqual([txt, { name: 'b.pdf', text: 'Hello pool' }]);
    expect(pdf.byteLength).toBeGreaterThan(0);
    expect(new TextDecoder().decode(pdf.subarray(0, 8))).toBe('%PDF-1.4');
  });

  it('chunks an extracted PDF exactly like the same text in a .txt file', async () => {
    const { files } = await extractPdfInputs([{ name: 'doc.pdf', bytes: buildPdf([textStream('Alpha'), textStream('Beta')]) }], loadNodePdfjs);
    const options = { countTokens: (t: string) => t.length, chunkTokens: 6, minChunkTokens: 1 };
    const fromPdf = importDocuments(files, options).documents;
    const fromTxt = importDocuments([{ name: 'doc.txt', text: 'Alpha\n\nBeta' }], options).documents;
    expect(fromPdf.map((d) => d.content)).toEqual(['Alpha', 'Beta']);
    expect(fromPdf.map((d) => d.content)).toEqual(fromTxt.map((d) => d.content));
    expect(fromPdf.map((d) => [d.doc_id, d.source_pdf])).toEqual([['doc.pdf#0', 'doc.pdf'], ['doc.pdf#1', 'doc.pdf']]);
  });

  it('refuses raw PDF bytes that skipped extraction instead of chunking PDF source as text', () => {
    const pdf = buildPdf([textStream('Hello pool')]);
    expect(() => importDocuments([{ name: 'raw.pdf', bytes: pdf }], { countTokens: (t) => t.length }))
      .toThrow(/raw\.pdf: .*extract/);
  });
});
