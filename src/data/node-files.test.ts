import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDocuments } from './documents.ts';
import { POOL_FOLDER_EXTENSIONS, readInputPath } from './node-files.ts';
import { extractPdfInputs } from './pdf-text.ts';
import { loadNodePdfjs } from './pdfjs-node.ts';
import { buildPdf, textStream } from './tiny-pdf-fixture.ts';

let root = '';
const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'infuser-node-files-'));
  await mkdir(join(root, 'corpus', 'b', 'deep'), { recursive: true });
  await mkdir(join(root, 'corpus', '.git'));
  await writeFile(join(root, 'corpus', 'z.txt'), 'zeta text');
  await writeFile(join(root, 'corpus', 'a.md'), '# A\nalpha text');
  await writeFile(join(root, 'corpus', 'b', 'deep', 'c.markdown'), 'gamma text');
  await writeFile(join(root, 'corpus', 'b', 'image.png'), new Uint8Array([137, 80, 78, 71]));
  await writeFile(join(root, 'corpus', '.git', 'x.txt'), 'hidden');
  await writeFile(join(root, 'corpus', 'big.txt'), 'x'.repeat(500));
  await symlink(join(root, 'corpus', 'b'), join(root, 'corpus', 'loop'));
  await writeFile(join(root, 'docs.jsonl'), '{"doc_id": "1", "content": "hello"}\n');
  await mkdir(join(root, 'empty'));
  await mkdir(join(root, 'mixed'));
  await writeFile(join(root, 'mixed', 'Paper.PDF'), buildPdf([textStream('Hello pool')]));
  await writeFile(join(root, 'mixed', 'notes.txt'), 'plain notes');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readInputPath', () => {
  it('walks a folder in name order, keeps .txt/.md, skips hidden entries and symlinked folders', async () => {
    const { files, rejected } = await readInputPath(join(root, 'corpus'), 100);
    expect(files.map((f) => f.name)).toEqual(['a.md', 'b/deep/c.markdown', 'z.txt']);
    expect(rejected).toEqual([{ file: 'big.txt', reason: 'too large: 500 bytes exceeds the 100-byte limit' }]);
    const docs = importDocuments(files, { countTokens: countWords });
    expect(docs.documents.map((d) => [d.doc_id, d.content])).toEqual([
      ['a.md#0', '# A\nalpha text'], ['b/deep/c.markdown#0', 'gamma text'], ['z.txt#0', 'zeta text'],
    ]);
  });

  it('reads a single file by its base name', async () => {
    const { files } = await readInputPath(join(root, 'docs.jsonl'));
    expect(files.map((f) => f.name)).toEqual(['docs.jsonl']);
    expect(importDocuments(files).documents.map((d) => d.content)).toEqual(['hello']);
  });

  it('names the path when it is missing or holds nothing to import', async () => {
    await expect(readInputPath(join(root, 'nope'))).rejects.toThrow(/nope: cannot read \(ENOENT\)/);
    await expect(readInputPath(join(root, 'empty'))).rejects.toThrow(/empty: the folder holds no \.txt or \.md files/);
  });

  it('a pool folder also takes PDFs, whose text pdf-text.ts extracts; other folders leave them out', async () => {
    expect((await readInputPath(join(root, 'mixed'))).files.map((f) => f.name)).toEqual(['notes.txt']);
    const read = await readInputPath(join(root, 'mixed'), undefined, POOL_FOLDER_EXTENSIONS);
    expect(read.files.map((f) => f.name)).toEqual(['Paper.PDF', 'notes.txt']);
    const { files, rejected } = await extractPdfInputs(read.files, loadNodePdfjs);
    expect(rejected).toEqual([]);
    const docs = importDocuments(files, { countTokens: countWords });
    expect(docs.documents.map((d) => [d.doc_id, d.content])).toEqual([['Paper.PDF#0', 'Hello pool'], ['notes.txt#0', 'plain notes']]);
    await expect(readInputPath(join(root, 'empty'), undefined, POOL_FOLDER_EXTENSIONS))
      .rejects.toThrow(/empty: the folder holds no \.txt, \.md or \.pdf files/);
  });
});
