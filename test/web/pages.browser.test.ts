import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { userWithRoles } from '../security/helpers.ts';
import { launchBrowser, SCREENSHOTS, sectionRows } from '../support/browser.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../support/server.ts';

describe('web pages in Chromium', () => {
  let ts: TestServer;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    ts = await startTestServer();
    await ts.server.listen({ port: 0, host: '127.0.0.1' });
    const addr = ts.server.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ts?.close();
  });

  test('P03 P34 P35 the public notice page shows every purpose, the contact and the change history', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${base}/privacy/nestit-group?lang=en`);
    await expect(page.locator('h1').first().textContent()).resolves.toContain('NestIT Group AB');
    const purposes = await page.locator('#purposes h3').allTextContents();
    expect(purposes.length).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#purposes dt').first().textContent()).toBe('Personal data processed');
    expect(await page.locator('#contact').textContent()).toContain('info@nestitgroup.com');
    expect(await page.locator('#history').textContent()).toMatch(
      /Version 1, effective from \d{4}-\d{2}-\d{2}/,
    );
    expect(await page.locator('#rights').textContent()).toContain('IMY');
    await page.screenshot({ path: `${SCREENSHOTS}/notice-en.png`, fullPage: false });
    await page.goto(`${base}/privacy/provendo?lang=nb`);
    expect(await page.locator('html').getAttribute('lang')).toBe('nb');
    expect(await page.locator('#rights').textContent()).toContain('Datatilsynet');
    await page.screenshot({ path: `${SCREENSHOTS}/notice-provendo-nb.png` });
    await page.close();
  });

  test('the console requires sign-in, then shows the register and the data-flow diagram', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${base}/console`);
    expect(page.url()).toContain('/console/login');
    await page.fill('#email', TEST_ADMIN.email);
    await page.fill('#password', 'wrong password entirely');
    await page.click('button[type=submit]');
    expect(await page.locator('.error').textContent()).toContain('wrong');
    await page.fill('#email', TEST_ADMIN.email);
    await page.fill('#password', TEST_ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/console`);
    expect(await page.locator('h1').textContent()).toContain('NestIT Group');
    expect(await page.locator('#purpose-product-reviews').count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}/console-register.png`, fullPage: false });
    // A group owner has every section; at 1280 px they stand on one row of their own, under the brand.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${SCREENSHOTS}/console-owner-1280.png` });
    expect(await sectionRows(page)).toEqual({ rows: 1, belowBrand: true });
    await page.goto(`${base}/console/data-flow`);
    const svg = page.locator('svg[role=img]');
    expect(await svg.count()).toBe(1);
    expect(await page.locator('svg [data-node]').count()).toBeGreaterThan(15);
    expect(await page.locator('svg text', { hasText: 'outside EU/EEA' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SCREENSHOTS}/console-data-flow.png`, fullPage: true });
    const csv = await page.request.get(`${base}/api/v1/organizations/nestit-group/ropa?format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-disposition']).toContain('ropa-nestit-group');
    await page.close();
  });
  test('P21 a customer-service agent sees only its sections, and a forbidden page is a page with a way back (360 and 1280 px)', async () => {
    const cs = await userWithRoles(ts.app, ts.server, 'browser-cs', [
      { orgId: 'provendo', role: 'cs-agent' },
    ]);
    const [name, value] = cs.cookie.split('=') as [string, string];
    for (const width of [360, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      await page.goto(`${base}/console`);
      expect(await page.locator('header nav a').allTextContents()).toEqual([
        'Register',
        'Data flow',
        'Notices',
        'Requests',
        'Consent',
        'Cookies',
        'Audiences',
        'Account',
      ]);
      await page.screenshot({ path: `${SCREENSHOTS}/console-cs-agent-${width}.png` });
      // Nothing wider than the window at either width (wide tables scroll inside their card).
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // As if followed from the notices page: the error page offers the way back there.
      const res = await page.goto(`${base}/console/retention`, { referer: `${base}/console/notices` });
      expect(res?.status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('You do not have access to this page');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${SCREENSHOTS}/console-403-${width}.png`, fullPage: true });
      await page.getByRole('link', { name: 'Back to the previous page' }).click();
      await page.waitForURL(`${base}/console/notices`);
      // The privacy center's missing page, in the visitor's language.
      const missing = await page.goto(`${base}/privacy/no-such-company?lang=sv`);
      expect(missing?.status()).toBe(404);
      expect(await page.locator('h1').textContent()).toBe('Sidan finns inte');
      await page.screenshot({ path: `${SCREENSHOTS}/privacy-404-sv-${width}.png` });
      await context.close();
    }
  });
});
