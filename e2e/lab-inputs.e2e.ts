// UI journeys on the run inputs: the built-in pool's absence explained, the mixed built-in world (pool and
// anchors switch together), dropped document files with a preview and a rejected list (binary, empty,
// malformed, unreadable PDF), the target set import, a dropped model folder, and all of these chosen again
// after a reload.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildPdf, textStream } from '../src/data/tiny-pdf-fixture.ts';
import { launchChromium, lookShot } from './browser.ts';
import { writeTinyModel } from './live-fixture.ts';

let browser: Browser;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'infuser-pool-'));
const write = (name: string, body: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(inject('baseUrl'));
});
/** The source saved for the next visit (input-db.ts), read from the page's IndexedDB. */
const savedSource = (slot: 'docs' | 'dev' | 'models'): Promise<string | null> => page.evaluate((key) => new Promise((resolve) => {
  const open = indexedDB.open('infuser-lab-inputs');
  open.onsuccess = () => {
    if (!open.result.objectStoreNames.contains('inputs')) return resolve(null);
    const get = open.result.transaction('inputs').objectStore('inputs').get(key);
    get.onsuccess = () => resolve((get.result as { source?: string; world?: string } | undefined)
      ? `${get.result.source}${get.result.world ? `:${get.result.world}` : ''}` : null);
  };
}), slot);

afterAll(async () => {
  await browser?.close();
});

describe('run inputs', () => {
  it('loads the built-in pool by default, or says plainly that it is missing', async () => {
    const status = page.getByRole('status').filter({ hasText: /Built-in pool|not there yet/ });
    await expect.poll(() => status.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await status.first().textContent()).toMatch(/Built-in pool \(one question type per document\): \d+ documents|world\/documents\.json is not there yet/);
  });

  it('switches to the mixed worlds: their pools, the built-in anchors trained on each, and the ranked world\'s own target set', async () => {
    const models = page.getByRole('status').filter({ hasText: /^Built-in anchors/ });
    await expect.poll(() => models.first().textContent()).toBe('Built-in anchors (one question type per document): ready.');
    await page.getByRole('button', { name: 'Use built-in pool with mixed question types' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Built-in pool/ }).textContent())
      .toBe('Built-in pool (mixed question types): 1200 documents.');
    await expect.poll(() => models.first().textContent()).toBe('Built-in anchors (mixed question types): ready.');
    expect(await page.getByRole('button', { name: /^Use mixed-types anchors/ }).getAttribute('aria-pressed')).toBe('true');
    const first = (JSON.parse(readFileSync('public/world-mixed/documents.json', 'utf8')) as { content: string }[])[0];
    expect(await page.getByRole('list', { name: 'First documents' }).textContent()).toContain(first.content.slice(0, 100));
    await expect.poll(() => savedSource('docs')).toBe('builtin:mixed');
    await page.reload();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Built-in pool/ }).textContent())
      .toBe('Built-in pool (mixed question types): 1200 documents.');
    await expect.poll(() => models.first().textContent()).toBe('Built-in anchors (mixed question types): ready.');
    await page.getByRole('button', { name: 'Use built-in pool with sums stated' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Built-in pool/ }).textContent())
      .toBe('Built-in pool (mixed question types, sums stated): 1200 documents.');
    await expect.poll(() => models.first().textContent()).toBe('Built-in anchors (mixed question types, sums stated): ready.');
    await expect.poll(() => savedSource('docs')).toBe('builtin:results');
    // The ranked world brings its own target set; leaving it brings back the shared one.
    const target = page.getByRole('status').filter({ hasText: /^Built-in set/ });
    await expect.poll(() => target.textContent()).toMatch(/^Built-in set: 96 questions;/);
    await page.getByRole('button', { name: 'Use built-in pool with numbers at drawn places' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Built-in pool/ }).textContent())
      .toBe('Built-in pool (sums stated, numbers at drawn places): 1200 documents.');
    await expect.poll(() => models.first().textContent()).toBe('Built-in anchors (sums stated, numbers at drawn places): ready.');
    await expect.poll(() => target.textContent()).toMatch(/^Built-in set \(sums stated, numbers at drawn places\): 96 questions;/);
    await expect.poll(() => savedSource('dev')).toBe('builtin:ranked');
    await page.reload();
    await expect.poll(() => target.textContent()).toMatch(/^Built-in set \(sums stated, numbers at drawn places\): 96 questions;/);
    await page.getByRole('button', { name: 'Use built-in pool', exact: true }).click();
    await expect.poll(() => models.first().textContent()).toBe('Built-in anchors (one question type per document): ready.');
    await expect.poll(() => target.textContent()).toMatch(/^Built-in set: 96 questions;/);
    await expect.poll(() => savedSource('dev')).toBe('builtin:single');
  });

  it('previews dropped documents and lists rejected files with reasons', async () => {
    const files = [
      write('docs.json', JSON.stringify([{ doc_id: 'a', content: 'Alpha text here.' }, { doc_id: 'b', text: 'Beta.' }])),
      write('notes.md', '# Title\n\nSome prose about <script>alert(1)</script> things.\n'),
      write('image.txt', new Uint8Array([137, 80, 78, 71, 0, 0, 1])),
      write('empty.txt', '   \n'),
      write('broken.jsonl', '{"doc_id": "c", "content": "x"}\n{not json\n'),
      write('paper.pdf', buildPdf([textStream('Pdf page one'), textStream('Pdf page two')])),
      write('junk.pdf', 'not a pdf at all'),
    ];
    await page.getByLabel('Document pool', { exact: true }).setInputFiles(files);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Your files' }).textContent()).toBe('Your files: 4 documents.');
    const rejected = page.getByText(/Rejected files and rows \(4\)/);
    await expect(rejected.isVisible()).resolves.toBe(true);
    const list = await page.locator('.rejected li').allTextContents();
    expect(list.join('\n')).toMatch(/image\.txt binary/);
    expect(list.join('\n')).toMatch(/empty\.txt empty file/);
    expect(list.join('\n')).toMatch(/broken\.jsonl malformed: broken\.jsonl:2/);
    expect(list.join('\n')).toMatch(/junk\.pdf not a valid PDF \(pdf\.js: /);
    expect(await page.getByRole('list', { name: 'First documents' }).textContent()).toContain('Pdf page one');
    expect(await page.getByRole('list', { name: 'First documents' }).textContent()).toContain('<script>alert(1)</script>');
    await lookShot(page, '/tmp/ui-pool.png');
  });

  it('imports a target set and reports the questions the run will use', async () => {
    const dev = write('dev.json', JSON.stringify([
      { question_id: 'q1', question_text: '2+2?', choices: ['3', '4'], ground_truth: '4' },
      { question_id: 'q2', question_text: 'Sky?', choices: { A: 'blue', B: 'green' }, ground_truth: 'A' },
      { question_id: 'q3', question_text: 'Free form' },
    ]));
    await page.getByLabel('Dev set', { exact: true }).setInputFiles(dev);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Your files: 2 questions' }).count()).toBe(1);
    await expect(page.getByText('Skipped rows (no choices) (1)').isVisible()).resolves.toBe(true);
  });

  it('brings back the dropped documents and target set after a reload', async () => {
    await expect.poll(() => savedSource('docs')).toBe('files');
    await expect.poll(() => savedSource('dev')).toBe('files');
    await page.reload();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Your files: \d+ documents/ }).textContent()).toBe('Your files: 4 documents.');
    await expect(page.getByText(/Rejected files and rows \(4\)/).isVisible()).resolves.toBe(true);
    expect(await page.getByRole('list', { name: 'First documents' }).textContent()).toContain('Pdf page one');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Your files: 2 questions' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Use built-in pool', exact: true }).click();
    await expect.poll(() => savedSource('docs')).toBe('builtin:single');
    await page.reload();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^Built-in pool/ }).textContent())
      .toMatch(/^Built-in pool \(one question type per document\): \d+ documents\.$/);
  });

  it('brings back a dropped model folder and the Solver\'s own choice after a reload', async () => {
    const modelDir = await writeTinyModel('reload-llama');
    const models = page.locator('section', { has: page.getByRole('heading', { name: 'Models' }) });
    const statuses = () => models.getByRole('status').allTextContents();
    await page.getByLabel('Generator model folder').setInputFiles(modelDir);
    await expect.poll(statuses, { timeout: 30_000 }).toContain('Your folder "reload-llama": ready.');
    await page.getByLabel('The Solver starts from the Generator\'s model').uncheck();
    await page.getByRole('button', { name: 'Use mixed-types anchors for the Solver' }).click();
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(['Your folder "reload-llama": ready.', 'Built-in anchors (mixed question types): ready.']);
    await page.reload();
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(['Your folder "reload-llama": ready.', 'Built-in anchors (mixed question types): ready.']);
    await expect(page.getByLabel('The Solver starts from the Generator\'s model').isChecked()).resolves.toBe(false);
    // A saved choice wins over the pool's anchors: the restored built-in single pool does not switch the Solver back.
    await expect(page.getByRole('button', { name: 'Use mixed-types anchors for the Solver' }).getAttribute('aria-pressed')).resolves.toBe('true');
  });

  it('re-chunks dropped text files when data.chunk_tokens changes', async () => {
    // 40 paragraphs of ~50 estimated tokens: a few chunks at the default 512, many more at 128.
    const long = write('long.txt', Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${'word '.repeat(38)}end.`).join('\n\n'));
    await page.getByLabel('Document pool', { exact: true }).setInputFiles([long]);
    const count = async () => Number(/^Your files: (\d+) documents?/.exec(
      (await page.getByRole('status').filter({ hasText: /^Your files: \d+ document/ }).textContent()) ?? '')?.[1] ?? NaN);
    await expect.poll(count).toBeGreaterThan(1);
    const before = await count();
    await expect(page.getByText(/merged up to 512 tokens/).count()).resolves.toBe(1);
    await page.getByText('More settings', { exact: true }).click();
    const field = page.getByLabel(/data\.chunk_tokens/);
    await field.fill('128');
    await field.press('Enter');
    await expect.poll(count).toBeGreaterThan(before);
    await expect(page.getByText(/merged up to 128 tokens/).count()).resolves.toBe(1);
  });
});
