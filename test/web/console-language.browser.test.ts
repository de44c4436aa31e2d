/**
 * The console's language in Chromium (issue #16 item 6): a person whose browser asks for Swedish signs in
 * and sees the Swedish console, switches to Norsk bokmål on the account page and sees Norwegian; and the
 * Swedish menu on a 360 px wide phone. Screenshots in test-results/screenshots (console-language-*.png).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../support/server.ts';

let ts: TestServer;
let browser: Browser;
let base = '';

beforeAll(async () => {
  ts = await startTestServer();
  await ts.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(ts.server.server.address() as { port: number }).port}`;
  browser = await launchBrowser();
  console.log(`console-language screenshots: ${SCREENSHOTS}/console-language-*.png`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

const navLabels = (page: import('playwright-core').Page) =>
  page.$$eval('header.top nav a', (as) => as.map((a) => a.textContent));

test('signed in with a Swedish browser, the console is Swedish; choosing Norsk bokmål makes it Norwegian', async () => {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/console/login`);
  await expect(page.textContent('h1')).resolves.toBe('Logga in i Ombud');
  await page.fill('input[name=email]', TEST_ADMIN.email);
  await page.fill('input[name=password]', TEST_ADMIN.password);
  await page.click('form[action="/console/login"] button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/console/login'));
  await page.goto(`${base}/console`);
  await expect(page.getAttribute('html', 'lang')).resolves.toBe('sv');
  const sv = await navLabels(page);
  expect(sv.slice(0, 4)).toEqual(['Register', 'Dataflöden', 'Integritetspolicyer', 'Begäranden']);
  expect(sv).toContain('Granskningslogg');
  await expect(page.textContent('header.top button')).resolves.toBe('Logga ut');
  await page.screenshot({ path: `${SCREENSHOTS}/console-language-sv.png`, fullPage: false });

  await page.click('header.top nav a[href="/console/account"]');
  await expect(page.textContent('#console-language h2')).resolves.toBe('Konsolens språk');
  await page.check('input[name=language][value=nb]');
  await page.click('#console-language button[type=submit]');
  await page.waitForSelector('text=Språk i konsollen');
  await expect(page.getAttribute('html', 'lang')).resolves.toBe('nb');
  await expect(page.textContent('h1')).resolves.toBe('Kontoen din');
  await expect(page.isChecked('input[name=language][value=nb]')).resolves.toBe(true);
  await page.screenshot({ path: `${SCREENSHOTS}/console-language-nb-account.png`, fullPage: true });

  await page.goto(`${base}/console`);
  const nb = await navLabels(page);
  expect(nb.slice(0, 4)).toEqual(['Register', 'Dataflyt', 'Personvernerklæringer', 'Henvendelser']);
  await expect(page.textContent('header.top button')).resolves.toBe('Logg ut');
  await page.screenshot({ path: `${SCREENSHOTS}/console-language-nb.png`, fullPage: false });

  // Back to the browser's language, so the phone below starts from Swedish again.
  await page.click('header.top nav a[href="/console/account"]');
  await page.check('input[name=language][value=browser]');
  await page.click('#console-language button[type=submit]');
  await page.waitForSelector('text=Konsolens språk');
  await context.close();
}, 120_000);

test('the Swedish menu on a 360 px wide phone', async () => {
  const context = await browser.newContext({
    locale: 'sv-SE',
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto(`${base}/console/login`);
  await page.fill('input[name=email]', TEST_ADMIN.email);
  await page.fill('input[name=password]', TEST_ADMIN.password);
  await page.click('form[action="/console/login"] button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/console/login'));
  await page.goto(`${base}/console`);
  await expect(page.isVisible('header.top nav')).resolves.toBe(false);
  await expect(page.textContent('label.menu-toggle')).resolves.toBe('Meny');
  await page.screenshot({ path: `${SCREENSHOTS}/console-language-sv-phone-closed.png` });
  await page.click('label.menu-toggle');
  await expect(page.isVisible('header.top nav')).resolves.toBe(true);
  await expect(page.isVisible('header.top nav a:has-text("Begäranden")')).resolves.toBe(true);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  await page.screenshot({ path: `${SCREENSHOTS}/console-language-sv-phone-menu.png` });
  await context.close();
}, 120_000);
