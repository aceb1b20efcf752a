import { describe, expect, it } from 'vitest';
import { chunkText, importDocuments, paragraphSpans } from './documents.ts';

const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length;
const words = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');
const json = (value: unknown): string => JSON.stringify(value, null, 2);

describe('reference documents.json and JSONL', () => {
  it('F-D1 numeric doc_id becomes a string and text is read from "text"', () => {
    const { documents } = importDocuments([{ name: 'documents.json', text: json([{ doc_id: 17, text: 'Some text.' }]) }]);
    expect(documents).toEqual([{ doc_id: '17', content: 'Some text.', extra: {} }]);
  });

  it('F-D1 duplicate ids are an error naming both rows, or get #2, #3 suffixes on request', () => {
    const rows = [{ doc_id: 'a', content: 'one' }, { doc_id: 'a', content: 'two' }, { doc_id: 'a', content: 'three' }];
    const file = { name: 'docs.json', text: json(rows) };
    expect(() => importDocuments([file])).toThrow(/Duplicate doc_id "a" at docs\.json:2 and docs\.json:6/);
    const { documents } = importDocuments([file], { duplicateIds: 'suffix' });
    expect(documents.map((d) => [d.doc_id, d.content])).toEqual([['a', 'one'], ['a#2', 'two'], ['a#3', 'three']]);
  });

  it('a suffix skips ids that already exist', () => {
    const rows = [{ doc_id: 'a', content: '1' }, { doc_id: 'a#2', content: '2' }, { doc_id: 'a', content: '3' }];
    const { documents } = importDocuments([{ name: 'd.json', text: json(rows) }], { duplicateIds: 'suffix' });
    expect(documents.map((d) => d.doc_id)).toEqual(['a', 'a#2', 'a#3']);
  });

  it('prefers "content", keeps unknown keys (and an unused "text") for round-trips', () => {
    const rows = [{ doc_id: 'x', content: 'C', text: 'T', source_pdf: 'paper.pdf', prompt_type: 'mcq', page: 3 }];
    const { documents } = importDocuments([{ name: 'd.json', text: json(rows) }]);
    expect(documents).toEqual([{ doc_id: 'x', content: 'C', source_pdf: 'paper.pdf', extra: { text: 'T', prompt_type: 'mcq', page: 3 } }]);
  });

  it('rejects rows without text by line, and names rows without doc_id by file and index', () => {
    const text = '[\n{"doc_id": "a", "content": ""},\n{"doc_id": "b"},\n{"text": "kept"},\n{"doc_id": {"x": 1}, "text": "t"}\n]';
    const result = importDocuments([{ name: 'd.json', text }]);
    expect(result.documents.map((d) => d.doc_id)).toEqual(['d.json#2']);
    expect(result.rejected.map((r) => [r.line, r.reason.slice(0, 12)])).toEqual([[2, 'no text: "co'], [3, 'no text: "co'], [5, 'doc_id must ']]);
    expect(result.warnings).toEqual(['d.json: 1 row(s) had no doc_id and were named "d.json#{row index}"']);
  });

  it('reads document-shaped JSONL and rejects a question-shaped file', () => {
    const docs = importDocuments([
      { name: 'a.jsonl', text: '{"doc_id": "1", "content": "x"}\n\n{"doc_id": "2", "text": "y"}\n' },
      { name: 'q.jsonl', text: '{"question_text": "q", "choices": ["a", "b"], "ground_truth": "a"}\n' },
    ]);
    expect(docs.documents.map((d) => d.content)).toEqual(['x', 'y']);
    expect(docs.rejected).toEqual([{ file: 'q.jsonl', reason: expect.stringMatching(/question-shaped.*dev pool/) }]);
  });

  it('malformed JSON and JSONL throw with file and line', () => {
    expect(() => importDocuments([{ name: 'd.json', text: '[\n{"doc_id": 1,\n"content": }\n]' }])).toThrow(/^d\.json:3: malformed JSON/);
    expect(() => importDocuments([{ name: 'd.jsonl', text: '{"content": "a"}\n{"content": "b"\n' }])).toThrow(/^d\.jsonl:2:/);
  });

  it('rejects binary, empty, too-large and unsupported files with reasons', () => {
    const { rejected, documents } = importDocuments([
      { name: 'a.txt', bytes: new Uint8Array([104, 0, 105]) },
      { name: 'b.md', bytes: new Uint8Array([0xc3, 0x28]) },
      { name: 'c.txt', text: '' },
      { name: 'd.txt', text: 'x'.repeat(200) },
      { name: 'e.docx', text: 'text' },
    ], { countTokens: countWords, maxFileBytes: 100 });
    expect(documents).toEqual([]);
    expect(rejected.map((r) => [r.file, r.reason.split(' ')[0]])).toEqual([
      ['a.txt', 'binary'], ['b.md', 'binary'], ['c.txt', 'empty'], ['d.txt', 'too'], ['e.docx', 'unsupported'],
    ]);
  });
});

describe('.txt / .md chunking (§10.1)', () => {
  const opts = { countTokens: countWords, chunkTokens: 100, minChunkTokens: 10, isMarkdown: false };

  it('merges adjacent paragraphs up to N tokens, verbatim', () => {
    const [p1, p2, p3] = [words(40, 'a'), words(30, 'b'), words(50, 'c')];
    const text = `${p1}\n\n${p2}\n \n\n${p3}\n`;
    expect(chunkText(text, opts)).toEqual([`${p1}\n\n${p2}`, p3]);
  });

  it('splits a long paragraph at sentence ends', () => {
    const s = (tag: string): string => `${words(39, tag)} end.`;
    const text = `${s('a')} ${s('b')}\n${s('c')}`;
    const chunks = chunkText(text, opts);
    expect(chunks).toEqual([`${s('a')} ${s('b')}`, s('c')]);
  });

  it('cuts a sentence longer than N at the limit, on a space', () => {
    const text = words(250, 'w');
    const chunks = chunkText(text, opts);
    expect(chunks.map(countWords)).toEqual([100, 100, 50]);
    expect(chunks.join(' ')).toBe(text);
  });

  it('cuts unbroken text at the limit when there is no space', () => {
    const perChar = (t: string): number => t.length;
    const chunks = chunkText('x'.repeat(25), { ...opts, countTokens: perChar, chunkTokens: 10, minChunkTokens: 1 });
    expect(chunks).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('merges pieces under the minimum forward, and a small last piece backward', () => {
    const forward = chunkText(`${words(5, 'a')}\n\n${words(98, 'b')}\n\n${words(70, 'c')}`, { ...opts, minChunkTokens: 64 });
    expect(forward.map(countWords)).toEqual([103, 70]);
    const backward = chunkText(`${words(90, 'a')}\n\n${words(20, 'b')}`, { ...opts, minChunkTokens: 64 });
    expect(backward.map(countWords)).toEqual([110]);
    expect(chunkText('tiny file', opts)).toEqual(['tiny file']);
  });

  it('Markdown also breaks before headings, never inside code fences', () => {
    const md = '# Title\nIntro line.\n## Part\nBody $\\frac{1}{2}$.\n```py\n# not a heading\n\nx = 1\n```\nafter';
    const spans = paragraphSpans(md, true).map((s) => md.slice(s.start, s.end));
    expect(spans).toEqual(['# Title\nIntro line.', '## Part\nBody $\\frac{1}{2}$.\n```py\n# not a heading\n\nx = 1\n```\nafter']);
    expect(paragraphSpans(md, false).map((s) => md.slice(s.start, s.end))).toEqual([
      '# Title\nIntro line.\n## Part\nBody $\\frac{1}{2}$.\n```py\n# not a heading', 'x = 1\n```\nafter',
    ]);
  });

  it('names chunks {filename}#{index} with source_pdf = filename', () => {
    const text = `${words(80, 'a')}\n\n${words(80, 'b')}`;
    const { documents } = importDocuments([{ name: 'notes/a.md', bytes: new TextEncoder().encode(text) }],
      { countTokens: countWords, chunkTokens: 100 });
    expect(documents.map((d) => [d.doc_id, d.source_pdf, countWords(d.content)])).toEqual([
      ['notes/a.md#0', 'notes/a.md', 80], ['notes/a.md#1', 'notes/a.md', 80],
    ]);
  });

  it('needs a token counter for text files', () => {
    expect(() => importDocuments([{ name: 'a.txt', text: 'hi' }])).toThrow(/a\.txt: chunking .* needs a countTokens/);
  });

  it('keeps every word once, in order, within N + 2·min tokens (random texts)', () => {
    let seed = 12345;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    for (let trial = 0; trial < 30; trial++) {
      const paragraphs = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, p) =>
        Array.from({ length: 1 + Math.floor(rand() * 160) }, (_, w) => `p${p}w${w}${rand() < 0.1 ? '.' : ''}`).join(' '));
      const text = paragraphs.join(rand() < 0.5 ? '\n\n' : '\n\n\n');
      const chunks = chunkText(text, { ...opts, minChunkTokens: 20 });
      expect(chunks.join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
      let from = 0;
      for (const chunk of chunks) {
        const at = text.indexOf(chunk, from);
        expect(at).toBeGreaterThanOrEqual(from);
        from = at + chunk.length;
        expect(countWords(chunk)).toBeLessThan(100 + 2 * 20);
      }
    }
  });
});

describe('chunking cost', () => {
  it('cuts a long unbroken paragraph with bounded token counting (no quadratic rescans)', () => {
    let countedChars = 0;
    const counting = (t: string): number => { countedChars += t.length; return countWords(t); };
    const text = words(20000, 'w');
    const chunks = chunkText(text, { countTokens: counting, chunkTokens: 100, minChunkTokens: 10, isMarkdown: false });
    expect(chunks).toHaveLength(200);
    expect(chunks.join(' ')).toBe(text);
    // A quadratic cutter would count ~ text.length² / (2 · chunk length) ≈ 1e8 characters here.
    expect(countedChars).toBeLessThan(60 * text.length);
  });
});
