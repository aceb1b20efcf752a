import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the lab page', () => {
  it('shows the WebGPU adapter and its limits', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(inject('baseUrl'));
    await expect(page.getByRole('heading', { name: 'INFUSER Lab' }).isVisible()).resolves.toBe(true);
    const summary = page.getByTestId('adapter-summary');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.textContent()).toMatch(/swiftshader|software|google/i);
    const limits = page.getByRole('table');
    expect(await limits.textContent()).toContain('maxStorageBufferBindingSize');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('explains itself in a browser without WebGPU', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
    });
    const page = await context.newPage();
    await page.goto(inject('baseUrl'));
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/WebGPU is not available/);
    await context.close();
  });
});
