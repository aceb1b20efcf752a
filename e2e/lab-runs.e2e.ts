// UI journeys on imported runs: the influence heatmap (role img + data table), hovering and selecting
// cells, the layer heatmap, curves comparing two runs, keyboard-only use, untrusted text, reload
// persistence, export/import round trip, replay through the driver, and settings in the URL hash.
// Screenshots go to /tmp/ui-*.png for a human look at the layout.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, lookShot } from './browser.ts';
import { DOC_IDS, makeRunFixture, writeRunFolder, XSS_PROBE, type RunFixture } from './run-fixture.ts';

let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'infuser-runs-'));
const runA = makeRunFixture('run-a', 1);
const runB = makeRunFixture('run-b', 2);
const pathsA = writeRunFolder(dir, runA);
const pathsB = writeRunFolder(dir, runB);
// Projected influence whose check at iteration 2 ranks unlike exact scores (R5).
const runC = makeRunFixture('run-c', 3, { 0: 0.92, 2: 0.55 });
const pathsC = writeRunFolder(dir, runC);

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(inject('baseUrl'));
  await page.getByRole('heading', { name: 'INFUSER Lab' }).waitFor();
});
afterAll(async () => {
  await browser?.close();
});

/** Mean influence of one document's scored questions in one iteration, computed from the fixture rows. */
function expectedCell(run: RunFixture, doc: string, iteration: number): number | null {
  const scores = run.questions.filter((q) => q.doc_id === doc && q.iteration === iteration && q.influence !== null)
    .map((q) => q.influence as number);
  return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
}

const heatmap = () => page.getByRole('img', { name: 'Influence heatmap', exact: true });

describe('runs in the lab page', () => {
  it('imports a run folder and shows the influence heatmap with its data table', async () => {
    await page.getByLabel('Folder of a run').setInputFiles(dirname(pathsA[0]));
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported' }).textContent()).toContain('run-a');
    await expect(heatmap().isVisible()).resolves.toBe(true);
    const table = page.getByRole('table', { name: 'Influence heatmap data' });
    const docsSeen = new Set(runA.questions.map((q) => q.doc_id));
    await expect(table.locator('tbody tr').count()).resolves.toBe(docsSeen.size);
    // doc-b appears in iteration 0 (slot 1); its cell shows the fixture's mean.
    const want = expectedCell(runA, 'doc-b', 0);
    const cellText = await table.locator('tbody tr', { has: page.getByRole('rowheader', { name: 'doc-b', exact: true }) }).locator('td').first().textContent();
    if (want === null) expect(cellText).toBe('no score');
    // The table prints 3 decimals, or 3 significant digits below 0.01.
    else expect(Math.abs(Number(cellText) - want)).toBeLessThanOrEqual(Math.max(5e-4 + 1e-12, Math.abs(want) * 0.005));
    await lookShot(page, '/tmp/ui-heatmap.png');
  });

  it('hovering a cell shows its questions, selecting fills the layer heatmap', async () => {
    await heatmap().scrollIntoViewIfNeeded();
    const box = await heatmap().boundingBox();
    const rows = await page.getByRole('table', { name: 'Influence heatmap data' }).locator('tbody th').allTextContents();
    const r = rows.indexOf('doc-b');
    const columns = runA.metrics.length;
    const cellW = box!.width / columns;
    const cellH = box!.height / rows.length;
    await page.mouse.move(box!.x + cellW * 0.5, box!.y + cellH * (r + 0.5));
    const region = page.getByRole('region', { name: 'Questions of the cell' });
    await expect.poll(() => region.textContent()).toContain('Document doc-b, iteration 0 (hovered)');
    await lookShot(page, '/tmp/ui-hover.png');
    await page.mouse.click(box!.x + cellW * 0.5, box!.y + cellH * (r + 0.5));
    await page.mouse.move(0, 0);
    await expect.poll(() => region.textContent()).toContain('Document doc-b, iteration 0');
    const probeRow = runA.questions.find((q) => q.question === XSS_PROBE)!;
    expect(probeRow.doc_id).toBe('doc-b');
    const hasLayers = runA.questions.some((q) => q.doc_id === 'doc-b' && q.iteration === 0 && q.layer_scores !== null);
    if (hasLayers) await expect(page.getByRole('img', { name: 'Layer heatmap' }).isVisible()).resolves.toBe(true);
  });

  it('renders model output as literal text, never as HTML', async () => {
    await expect(page.getByText(XSS_PROBE, { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(page.locator('img[src="x"]').count()).resolves.toBe(0);
    await expect(page.locator('.response b').count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('draws the curves and compares two runs on the same axes', async () => {
    const target = page.getByRole('img', { name: 'Target accuracy curve' });
    await expect(target.locator('path.series').count()).resolves.toBe(1);
    expect((await target.locator('path.series').getAttribute('d'))!.match(/L/g)?.length).toBe(runA.metrics.length - 1);
    await page.getByLabel('Run folder', { exact: true }).setInputFiles(pathsB);
    await expect.poll(() => page.getByRole('list', { name: 'Runs', exact: true }).locator('li').count()).toBe(2);
    await page.getByRole('checkbox', { name: 'Compare run-a', exact: true }).check();
    await expect.poll(() => target.locator('path.series').count()).toBe(2);
    await lookShot(target, '/tmp/ui-compare.png');
  });

  it('works from the keyboard: tab to the heatmap, move with arrows, select with Enter', async () => {
    await page.getByRole('radio', { name: 'run-a', exact: true }).check();
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 200 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Influence heatmap');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const rows = await page.getByRole('table', { name: 'Influence heatmap data' }).locator('tbody th').allTextContents();
    const region = page.getByRole('region', { name: 'Questions of the cell' });
    await expect.poll(() => region.textContent()).toMatch(new RegExp(`Document ${rows[Math.min(1, rows.length - 1)]}, iteration 1`));
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByText('No cell selected.').count()).toBe(1);
  });

  it('keeps imported runs across a reload', async () => {
    await page.reload();
    const runs = page.getByRole('list', { name: 'Runs', exact: true });
    await expect.poll(() => runs.locator('.run-name').allTextContents()).toEqual(['run-a', 'imported run']);
    await expect(heatmap().isVisible()).resolves.toBe(true);
  });

  it('exports a run as a zip that imports back to the same charts', async () => {
    await page.getByRole('radio', { name: 'run-a', exact: true }).check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export run' }).click()]);
    const zipPath = join(dir, 'exported.zip');
    await download.saveAs(zipPath);
    expect(readFileSync(zipPath).subarray(0, 2).toString()).toBe('PK');
    await page.getByLabel('Run folder', { exact: true }).setInputFiles(zipPath);
    await expect.poll(() => page.getByRole('list', { name: 'Runs', exact: true }).locator('.run-name').allTextContents())
      .toEqual(['run-a', 'imported run', 'run-a 2']);
    const table = page.getByRole('table', { name: 'Influence heatmap data' });
    await page.getByRole('radio', { name: 'run-a 2', exact: true }).check();
    const exported = await table.textContent();
    await page.getByRole('radio', { name: 'run-a', exact: true }).check();
    expect(await table.textContent()).toBe(exported);
  });

  it('replays a run through the driver: Step, then Run to the end', async () => {
    await page.getByLabel('Replay speed').selectOption('fast');
    await page.getByRole('button', { name: 'Replay run-a', exact: true }).click();
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await page.waitForTimeout(150);
    await lookShot(page.locator('section', { has: page.getByRole('toolbar', { name: 'Run controls' }) }), '/tmp/ui-progress.png');
    const status = page.getByRole('status').filter({ hasText: 'run-a (replay)' });
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/paused, iteration 0/);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/finished/);
    const target = page.getByRole('img', { name: 'Target accuracy curve' });
    expect((await target.locator('path.series').first().getAttribute('d'))!.match(/L/g)?.length).toBe(2);
    await expect(page.getByRole('button', { name: 'Export weights' }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Export weights' }).click();
    await expect.poll(() => page.getByText('A replayed run has no weights').count()).toBe(1);
    await lookShot(page, '/tmp/ui-replay.png');
  });

  it('puts changed settings in the URL hash and reads them back', async () => {
    const seed = page.getByLabel(/^Seed/);
    await seed.fill('7');
    await seed.press('Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#training.seed=7');
    await page.reload();
    await expect.poll(() => page.getByLabel(/^Seed/).inputValue()).toBe('7');
    expect(pageErrors).toEqual([]);
    expect(DOC_IDS.length).toBe(10);
  });

  it('warns when projected influence ranks unlike exact influence (influence.projection.spearman_warn)', async () => {
    const note = page.getByTestId('projection-fidelity');
    // run-b scores exactly, so there is nothing to check.
    await expect(note.count()).resolves.toBe(0);
    await page.getByLabel('Run folder', { exact: true }).setInputFiles(pathsC);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported' }).textContent()).toContain('imported run');
    await expect.poll(() => note.textContent()).toMatch(/Spearman 0\.55 at iteration 2,\s*under influence\.projection\.spearman_warn = 0\.8/);
    await expect(page.getByRole('alert').filter({ hasText: 'Projected influence' }).isVisible()).resolves.toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
