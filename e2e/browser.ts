// Headless Debian Chromium through playwright-core (no browser download), with WebGPU on SwiftShader.
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A screenshot for a human look at the layout (/tmp/ui-*.png), never what a journey asserts: viewport-sized
 * (a full-page capture resizes the viewport and stalled once for 30 s on CI's software compositor, leaving the
 * page unstable for the next test), bounded, and a failure is printed instead of failing the journey.
 */
export async function lookShot(target: Page | Locator, path: string): Promise<void> {
  try {
    await target.screenshot({ path, timeout: 10_000, animations: 'disabled' });
  } catch (e) {
    console.warn(`screenshot ${path} skipped: ${(e as Error).message.split('\n')[0]}`);
  }
}
