/** Debian's Chromium driven by playwright-core: never a downloaded browser. */
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'test-results/screenshots';

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * How many rows the console's section links take, and whether they stand below the brand (the two-row
 * header: brand, privacy center, API and sign-out above; the sections in a row of their own).
 */
export async function sectionRows(page: Page): Promise<{ rows: number; belowBrand: boolean }> {
  return page.evaluate(() => {
    const tops = [...document.querySelectorAll('header.top nav a')].map((a) =>
      Math.round(a.getBoundingClientRect().top),
    );
    const brand = document.querySelector('header.top .brand')!.getBoundingClientRect();
    return { rows: new Set(tops).size, belowBrand: tops.every((t) => t >= brand.bottom) };
  });
}
