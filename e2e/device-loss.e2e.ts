// A lost GPU device in the middle of a live run: the run stops cleanly with a message, every completed
// iteration stays, and Resume continues from the last checkpoint with no iteration lost or repeated.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { writeDevSet, writeDocuments, writeTinyModel } from './live-fixture.ts';
import { pickModel, statusLine, storedRuns, tinyRunInputs } from './live-setup.ts';

let browser: Browser;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'infuser-loss-'));
const docPaths = writeDocuments(join(dir, 'docs'));
const devPath = join(dir, 'dev.json');
writeDevSet(devPath);

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(inject('baseUrl'));
  await page.getByRole('heading', { name: 'INFUSER Lab' }).waitFor();
});
afterAll(async () => {
  await browser?.close();
});

describe('a GPU device lost during a live run', () => {
  it('stops the run cleanly, keeps the completed iterations, and resumes to the end', async () => {
    const modelDir = await writeTinyModel('tiny-llama-loss');
    await pickModel(page, modelDir, 'tiny-llama-loss');
    await tinyRunInputs(page, docPaths, devPath, 3);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const runsList = page.getByRole('list', { name: 'Runs', exact: true });
    await expect.poll(() => runsList.textContent(), { timeout: 150_000, interval: 500 }).toMatch(/live · \w+ · 1 iterations/);
    // The Solver worker's device goes away, as when a driver resets or the GPU is reclaimed.
    const workers = page.workers();
    expect(workers.length).toBe(2);
    await workers[1].evaluate(() => {
      (self as unknown as { infuserRoleHost: { engine: { device: GPUDevice } } }).infuserRoleHost.engine.device.destroy();
    });
    await expect.poll(() => statusLine(page).textContent(), { timeout: 150_000, interval: 500 }).toMatch(/failed/);
    expect(await statusLine(page).textContent()).toMatch(/GPU device lost.*completed so far are kept/s);
    const kept = (await storedRuns(page))[0].metrics.map((m) => m['train/ans_loop']);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept).toEqual(kept.map((_, i) => i));
    const resume = page.getByRole('button', { name: 'Resume', exact: true });
    await resume.waitFor({ timeout: 30_000 });
    await resume.click();
    await expect.poll(() => statusLine(page).textContent(), { timeout: 240_000, interval: 500 }).toMatch(/: finished/);
    await expect.poll(async () => (await storedRuns(page))[0]?.metrics.length).toBe(3);
    const run = (await storedRuns(page))[0];
    expect(run.metrics.map((m) => m['train/ans_loop'])).toEqual([0, 1, 2]);
    for (const k of [0, 1, 2]) expect(run.questions.filter((q) => q.iteration === k).length).toBe(16);
  });
});
