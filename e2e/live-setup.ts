// Page steps shared by the live-training journeys: pick the tiny model for both roles, drop the tiny
// pool and dev set, and set tiny settings (the config's minimums), so a run takes seconds per iteration.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

export async function setSetting(page: Page, label: RegExp, value: string): Promise<void> {
  const input = page.getByLabel(label);
  await input.fill(value);
  await input.press('Enter');
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('false');
}

export async function pickModel(page: Page, modelDir: string, folderName: string): Promise<void> {
  await page.getByLabel('Generator model folder').setInputFiles(modelDir);
  const models = page.locator('section', { has: page.getByRole('heading', { name: 'Models' }) });
  await expect.poll(() => models.getByRole('status').first().textContent(), { timeout: 30_000 }).toBe(`Your folder "${folderName}": ready.`);
}

export async function tinyRunInputs(page: Page, docPaths: string[], devPath: string, iterations: number): Promise<void> {
  await page.getByLabel('Document pool', { exact: true }).setInputFiles(docPaths);
  await expect.poll(() => page.getByText('Your files: 10 documents.').count()).toBe(1);
  await page.getByLabel('Dev set', { exact: true }).setInputFiles(devPath);
  await expect.poll(() => page.getByText(/Your files: 32 questions/).count()).toBe(1);
  await setSetting(page, /^Iterations/, String(iterations));
  await setSetting(page, /^Documents per iteration/, '8');
  await setSetting(page, /^Questions per document/, '2');
  await setSetting(page, /^Answers per question/, '2');
  await setSetting(page, /^Dev questions/, '32');
  await setSetting(page, /^Question length/, '16');
  await setSetting(page, /^Answer length/, '16');
}

export const statusLine = (page: Page) =>
  page.getByRole('toolbar', { name: 'Run controls' }).locator('xpath=following-sibling::p[@role="status"][1]');

export interface StoredRun {
  id: string;
  name: string;
  status: string;
  metrics: Record<string, number>[];
  questions: { iteration: number; doc_id: string; valid: boolean; influence: number | null }[];
}

/** The runs the page persisted in IndexedDB: the data the charts are drawn from. */
export function storedRuns(page: Page): Promise<StoredRun[]> {
  return page.evaluate(() => new Promise<StoredRun[]>((resolve, reject) => {
    const open = indexedDB.open('infuser-lab');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('runs').objectStore('runs').getAll();
      all.onsuccess = () => { resolve(all.result as StoredRun[]); open.result.close(); };
      all.onerror = () => reject(all.error);
    };
  }));
}
