import { describe, expect, it } from 'vitest';
import { loadNodePdfjs } from '../data/pdfjs-node.ts';
import { buildPdf, textStream } from '../data/tiny-pdf-fixture.ts';
import { documentSizes, fetchWorldFile, loadDevPool, loadDocumentPool, loadDocumentPoolWithPdfs } from './pool-loader.ts';

const text = (name: string, body: string) => ({ name, text: body });
const options = { chunkTokens: 512, duplicateIds: 'error' as const };

describe('pool loader', () => {
  it('rejects binary, empty and malformed files with reasons and keeps the good ones', () => {
    const pool = loadDocumentPool([
      text('good.json', '[{"doc_id": "a", "content": "Alpha text."}, {"doc_id": "b", "text": "Beta."}]'),
      { name: 'blob.txt', bytes: new Uint8Array([1, 0, 2]) },
      text('empty.md', '  \n'),
      text('broken.jsonl', '{"doc_id": "c", "content": "x"}\n{oops\n'),
    ], options);
    expect(pool.documents.map((d) => d.doc_id)).toEqual(['a', 'b']);
    expect(pool.rejected.map((r) => [r.file, r.reason.split(' ')[0]])).toEqual([
      ['blob.txt', 'binary'], ['empty.md', 'empty'], ['broken.jsonl', 'malformed:'],
    ]);
    expect(pool.rejected[2].reason).toContain('broken.jsonl:2');
    expect(pool.files.map((f) => [f.name, f.kind, f.documents])).toEqual([
      ['good.json', 'rows', 2], ['blob.txt', 'rejected', 0], ['empty.md', 'rejected', 0], ['broken.jsonl', 'rejected', 0],
    ]);
  });

  it('chunks text files and reports sizes', () => {
    const para = 'word '.repeat(300).trim(); // 1499 chars ≈ 375 estimated tokens
    const pool = loadDocumentPool([text('notes.md', `# One\n\n${para}\n\n# Two\n\n${para}`)], options);
    expect(pool.documents.map((d) => d.doc_id)).toEqual(['notes.md#0', 'notes.md#1']);
    expect(pool.files[0]).toMatchObject({ kind: 'chunks', documents: 2 });
    const sizes = documentSizes(pool.documents);
    // Greedy packing: "# One" + para + "# Two" (5 + 2 + 1499 + 2 + 5 = 1513 chars, ≈ 379 tokens ≤ 512), then para alone.
    expect(sizes).toEqual({ count: 2, totalChars: 1513 + 1499, minChars: 1499, medianChars: 1499, maxChars: 1513 });
  });

  it('throws on duplicate doc_ids across files unless asked to suffix them', () => {
    const files = [text('a.json', '[{"doc_id": "x", "content": "1"}]'), text('b.jsonl', '{"doc_id": "x", "content": "2"}')];
    expect(() => loadDocumentPool(files, options)).toThrow(/Duplicate doc_id "x"/);
    expect(loadDocumentPool(files, { ...options, duplicateIds: 'suffix' }).documents.map((d) => d.doc_id)).toEqual(['x', 'x#2']);
  });

  it('dev pool: a malformed file is rejected, the others import', () => {
    const dev = loadDevPool([
      text('dev.json', '[{"question_id": "q1", "question_text": "2+2?", "choices": ["3", "4"], "ground_truth": "4"}]'),
      text('bad.json', '[{"question_text": '),
    ], {});
    expect(dev.questions.map((q) => [q.question_id, q.correct_index])).toEqual([['q1', 1]]);
    expect(dev.rejected[0].file).toBe('bad.json');
  });

  it('a missing world file (dev-server HTML fallback or 404) is a clear error', async () => {
    const html = async () => new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } });
    await expect(fetchWorldFile('/world/documents.json', html)).rejects.toThrow(/not there yet/);
    const missing = async () => new Response('nope', { status: 404 });
    await expect(fetchWorldFile('/world/dev.json', missing)).rejects.toThrow(/HTTP 404/);
  });
});

describe('pool loader with PDFs (issue 6)', () => {
  it('reads dropped PDFs with pdf.js and lists an unreadable one as rejected, in drop order', async () => {
    const pdf = buildPdf([textStream('Hello pool'), textStream('Second page')]);
    const garbage = new TextEncoder().encode('not a pdf');
    const pool = await loadDocumentPoolWithPdfs([
      { name: 'paper.pdf', bytes: pdf }, { name: 'junk.pdf', bytes: garbage }, text('notes.txt', 'Plain notes.'),
    ], options, loadNodePdfjs);
    expect(pool.documents.map((d) => [d.doc_id, d.content])).toEqual([
      ['paper.pdf#0', 'Hello pool\n\nSecond page'], ['notes.txt#0', 'Plain notes.'],
    ]);
    expect(pool.rejected).toEqual([{ file: 'junk.pdf', reason: expect.stringMatching(/^not a valid PDF \(pdf\.js: /) }]);
    expect(pool.files).toEqual([
      { name: 'paper.pdf', bytes: pdf.byteLength, kind: 'chunks', documents: 1 },
      { name: 'junk.pdf', bytes: garbage.byteLength, kind: 'rejected', documents: 0 },
      { name: 'notes.txt', bytes: 12, kind: 'chunks', documents: 1 },
    ]);
  });
});
