// Live training in the page, end to end on the software adapter: a tiny random Llama picked as both roles'
// model through the Models panel, ten tiny documents and a 32-question dev set dropped in, tiny settings,
// Run for 3 iterations paused after 2, the heatmap and curves checked against the run's stored rows,
// the Generator's weights exported and parsed (zip, safetensors header, config.json) and its ONNX too,
// then a reload: the run is still there, Resume continues it from its checkpoint to iteration 3.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, lookShot } from './browser.ts';
import { llamaTensorShapes, TINY_LLAMA, writeDevSet, writeDocuments, writeTinyModel } from './live-fixture.ts';
import { pickModel, statusLine as liveStatusLine, storedRuns as storedRunsOf, tinyRunInputs, type StoredRun } from './live-setup.ts';

let browser: Browser;
let page: Page;
let modelDir: string;
const pageErrors: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'infuser-live-'));
const docPaths = writeDocuments(join(dir, 'docs'));
const devPath = join(dir, 'dev.json');
writeDevSet(devPath);
const timings: Record<string, number> = {};
let isReloadExpected = true;

beforeAll(async () => {
  modelDir = await writeTinyModel();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
  // A reload nobody asked for (Vite re-optimizing dependencies) would end a live run silently.
  page.on('load', () => { if (!isReloadExpected) pageErrors.push('the page reloaded by itself'); });
  await page.goto(inject('baseUrl'));
  await page.getByRole('heading', { name: 'INFUSER Lab' }).waitFor();
  isReloadExpected = false;
});
afterAll(async () => {
  console.log('live-run timings (s):', JSON.stringify(timings));
  await browser?.close();
});

const statusLine = () => liveStatusLine(page);
const since = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;

/** The run's stored data as the heatmap table should show it: row per document, '—', 'no score' or a mean. */
function expectedTable(run: StoredRun): Map<string, (string | number)[]> {
  const iterations = [...new Set(run.questions.map((q) => q.iteration))].sort((a, b) => a - b);
  const rows = new Map<string, (string | number)[]>();
  for (const q of run.questions) if (!rows.has(q.doc_id)) rows.set(q.doc_id, []);
  for (const [doc, cells] of rows) {
    for (const it of iterations) {
      const qs = run.questions.filter((q) => q.doc_id === doc && q.iteration === it);
      const scores = qs.flatMap((q) => (q.influence === null ? [] : [q.influence]));
      cells.push(qs.length === 0 ? '—' : scores.length === 0 ? 'no score' : scores.reduce((a, b) => a + b, 0) / scores.length);
    }
  }
  return rows;
}

describe('a live run in the lab page', () => {
  it('takes a dropped Hugging Face folder as both roles\' model and shows its size and memory estimate', async () => {
    await pickModel(page, modelDir, 'tiny-llama');
    const models = page.locator('section', { has: page.getByRole('heading', { name: 'Models' }) });
    const shapes = [...llamaTensorShapes(TINY_LLAMA).values()];
    const parameters = shapes.reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
    const facts = await models.locator('dl.facts').textContent();
    expect(facts).toContain('LlamaForCausalLM');
    expect(facts).toContain(`(${parameters.toLocaleString('en-US')})`);
    const table = page.getByRole('table', { name: 'Training memory estimate' });
    // Default lengths: prompts 1024 tokens, Generator responses 768, Solver responses 512.
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual(['Per role', 'Generator (1792 tokens)', 'Solver (1536 tokens)']);
    // Weights are f32: 4 bytes per parameter, shown in KiB for this model; gradients the same, AdamW twice that.
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    const cells = (row: string) => table.locator('tbody tr', { has: page.getByRole('rowheader', { name: row }) }).locator('td').allTextContents();
    await expect(cells('Weights')).resolves.toEqual([kib(parameters * 4), kib(parameters * 4)]);
    await expect(cells('Gradients')).resolves.toEqual([kib(parameters * 4), kib(parameters * 4)]);
    await expect(cells('AdamW m, v')).resolves.toEqual([kib(parameters * 8), kib(parameters * 8)]);
    await expect.poll(() => models.getByText('These models fit this adapter').count()).toBe(1);
  });

  it('takes a dropped pool, a dev set and tiny settings, runs, and pauses after 2 of 3 iterations', async () => {
    await tinyRunInputs(page, docPaths, devPath, 3);
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    expect(pageErrors).toEqual([]);
    const runsList = page.getByRole('list', { name: 'Runs', exact: true });
    await expect.poll(() => runsList.textContent(), { timeout: 150_000, interval: 500 }).toMatch(/live · \w+ · 1 iterations/);
    timings.firstIteration = since(t0);
    // The loop is inside iteration 2 now; Pause takes effect when it ends (after its checkpoint).
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect.poll(() => statusLine().textContent(), { timeout: 120_000, interval: 500 }).toMatch(/: paused/);
    timings.twoIterations = since(t0);
    await expect(runsList.textContent()).resolves.toMatch(/live · paused · 2 iterations/);
    await lookShot(page, '/tmp/ui-live-paused.png');
  });

  it('draws the heatmap and curves from the run\'s data', async () => {
    await expect.poll(async () => (await storedRunsOf(page))[0]?.metrics.length).toBe(2);
    const [run] = await storedRunsOf(page);
    expect(run.metrics.map((m) => m['train/ans_loop'])).toEqual([0, 1]);
    const total = run.questions.filter((q) => q.iteration === 0).length;
    expect(total).toBe(16); // 8 document slots × 2 questions (no document is too long)
    for (const [k, m] of run.metrics.entries()) {
      const rows = run.questions.filter((q) => q.iteration === k);
      expect(m['gen_question_rollout/frac_valid_questions']).toBeCloseTo(rows.filter((q) => q.valid).length / rows.length, 12);
    }
    await expect(page.getByRole('img', { name: 'Influence heatmap', exact: true }).isVisible()).resolves.toBe(true);
    const table = page.getByRole('table', { name: 'Influence heatmap data' });
    const want = expectedTable(run);
    await expect(table.locator('tbody tr').count()).resolves.toBe(want.size);
    for (const [doc, cells] of want) {
      const got = await table.locator('tbody tr', { has: page.getByRole('rowheader', { name: doc, exact: true }) }).locator('td').allTextContents();
      expect(got.length).toBe(cells.length);
      cells.forEach((cell, c) => {
        if (typeof cell === 'string') expect(got[c]).toBe(cell);
        else expect(Math.abs(Number(got[c]) - cell)).toBeLessThanOrEqual(Math.max(5e-4, Math.abs(cell) * 0.005));
      });
    }
    const curve = async (name: string, key: string) => {
      const img = page.getByRole('img', { name: `${name} curve` });
      expect((await img.locator('path.series').getAttribute('d'))!.match(/L/g)?.length).toBe(1);
      const desc = await page.locator(`#${(await img.getAttribute('aria-describedby'))!}`).textContent();
      const last = run.metrics[1][key];
      const shown = Number(/: (-?[\d.e+-]+) at iteration 1 \(2 points\)/.exec(desc!)![1]);
      expect(Math.abs(shown - last)).toBeLessThanOrEqual(Math.max(5e-4, Math.abs(last) * 0.005));
    };
    await curve('Target accuracy', 'dev_rollout/accuracy_strict');
    await curve('Question validity', 'gen_question_rollout/frac_valid_questions');
  });

  it('exports the Generator\'s weights as a Hugging Face folder zip and as ONNX', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export weights' }).click()]);
    const zipPath = join(dir, 'weights.zip');
    await download.saveAs(zipPath);
    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    expect(config.architectures).toEqual(['LlamaForCausalLM']);
    expect(config.hidden_size).toBe(TINY_LLAMA.hiddenSize);
    const st = files['model.safetensors'];
    const headerBytes = Number(new DataView(st.buffer, st.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + headerBytes)));
    const shapes = llamaTensorShapes(TINY_LLAMA);
    expect(Object.keys(header).filter((k) => k !== '__metadata__').sort()).toEqual([...shapes.keys()].sort());
    for (const [name, shape] of shapes) {
      expect(header[name].shape).toEqual(shape);
      const [begin, end] = header[name].data_offsets as [number, number];
      expect(end - begin).toBe(shape.reduce((a, b) => a * b, 1) * (header[name].dtype === 'F32' ? 4 : 2));
      expect(8 + headerBytes + end).toBeLessThanOrEqual(st.length);
    }
    expect(JSON.parse(new TextDecoder().decode(files['tokenizer.json'])).model.type).toBe('BPE');
    const [onnx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export ONNX' }).click()]);
    expect(onnx.suggestedFilename()).toMatch(/-generator-onnx-model\.onnx$/);
    const onnxPath = join(dir, 'model.onnx');
    await onnx.saveAs(onnxPath);
    const bytes = readFileSync(onnxPath);
    // f32 initializers alone take 4 bytes per parameter; the graph names its input.
    expect(bytes.length).toBeGreaterThan([...shapes.values()].reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0) * 4);
    expect(bytes.includes(Buffer.from('input_ids'))).toBe(true);
  });

  it('keeps the run across a reload and resumes it from its checkpoint to iteration 3', async () => {
    expect(pageErrors).toEqual([]);
    isReloadExpected = true;
    await page.reload();
    isReloadExpected = false;
    const runsList = page.getByRole('list', { name: 'Runs', exact: true });
    await expect.poll(() => runsList.textContent(), { timeout: 30_000 }).toMatch(/live · paused · 2 iterations/);
    await expect(page.getByRole('img', { name: 'Influence heatmap', exact: true }).isVisible()).resolves.toBe(true);
    const resume = page.getByRole('button', { name: 'Resume', exact: true });
    await resume.waitFor({ timeout: 30_000 });
    const t0 = performance.now();
    await resume.click();
    await expect.poll(() => statusLine().textContent(), { timeout: 150_000, interval: 500 }).toMatch(/: finished/);
    timings.resumedIteration = since(t0);
    await expect(runsList.textContent()).resolves.toMatch(/live · finished · 3 iterations/);
    await expect.poll(async () => (await storedRunsOf(page))[0]?.metrics.length).toBe(3);
    const [run] = await storedRunsOf(page);
    expect(run.metrics.map((m) => m['train/ans_loop'])).toEqual([0, 1, 2]);
    expect(run.questions.filter((q) => q.iteration === 2).length).toBe(16);
    const target = page.getByRole('img', { name: 'Target accuracy curve' });
    expect((await target.locator('path.series').getAttribute('d'))!.match(/L/g)?.length).toBe(2);
    await expect(page.getByRole('button', { name: 'Resume', exact: true }).count()).resolves.toBe(0);
    await lookShot(page, '/tmp/ui-live-resumed.png');
    expect(pageErrors).toEqual([]);
  });

  it('stops at once in the middle of an iteration and keeps nothing of it', async () => {
    const runsList = page.getByRole('list', { name: 'Runs', exact: true });
    const before = (await storedRunsOf(page)).length;
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    // a new run starts (the previous one finished); wait until its first stage has made progress
    await expect.poll(() => statusLine().textContent(), { timeout: 60_000, interval: 250 }).toMatch(/: running, iteration 0/);
    await expect.poll(() => page.getByRole('list', { name: 'Stage progress' }).textContent(), { timeout: 60_000, interval: 250 }).toMatch(/[1-9]\d*\/\d+/);
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    // a tiny iteration takes 10 s or more here; the stop must not wait for it (0.1 s measured)
    await expect.poll(() => statusLine().textContent(), { timeout: 4_000, interval: 100 }).toMatch(/: stopped/);
    timings.stop = since(t0);
    await expect.poll(async () => (await storedRunsOf(page)).length).toBe(before + 1);
    const runs = await storedRunsOf(page);
    expect(runs.map((r) => r.metrics.length).sort()).toEqual([0, 3]);
    await expect(runsList.textContent()).resolves.toMatch(/0 iterations/);
    expect(pageErrors).toEqual([]);
  });
});
