/**
 * The visitor's consent id, end to end in Chromium against a real Ombud server: a visitor of a NestIT site
 * accepts all cookies in the Swedish banner, reopens the settings and reads "Ditt samtyckes-id: …" (the id
 * the server answered with when it stored the choice); customer service types that id into the console's
 * cookie consents page (in Swedish, from the browser's language) and finds the choice.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { tickingClock } from '../support/clock.ts';
import { sessionCookie, signIn } from '../support/http.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../support/server.ts';

const NOW = '2026-03-11T10:00:00Z';

/** A page of the group's site: served at the Ombud origin by the browser's route, loading the banner. */
const SITE = `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>NestIT</title></head>
<body><h1>Hitta ett hem som passar</h1><p>Hyr, köp och möblera ditt nästa hem.</p>
<script src="/sdk/consent.js?org=nestit-sverige&lang=sv"></script></body></html>`;

describe('the banner shows the visitor their consent id, and the console finds it', () => {
  let t: TestServer;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestServer({ now: tickingClock(NOW) });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.server.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    t.configure({ publicUrl: base });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test('accept, reopen the settings, read the id; the cookie consents page finds it', async () => {
    const site = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'sv-SE' });
    await site.route(`${base}/butik`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: SITE }),
    );
    const visitor = await site.newPage();
    await visitor.goto(`${base}/butik`);
    const stored = visitor.waitForResponse(
      (r) => r.url() === `${base}/api/v1/cookie-consents` && r.request().method() === 'POST',
    );
    await visitor.getByRole('button', { name: 'Godkänn alla' }).click();
    const answer = await stored;
    expect(answer.status()).toBe(201);
    const { consentId } = (await answer.json()) as { consentId: string };
    expect(consentId).toMatch(/^[0-9a-f-]{36}$/);

    // The banner closed on the choice; the settings, reopened, show the id the server stored it under.
    await visitor.getByRole('button', { name: 'Cookieinställningar' }).click();
    const line = visitor.locator('.ombud-i');
    await expect.poll(() => line.textContent()).toBe(`Ditt samtyckes-id: ${consentId}`);
    expect(await visitor.locator('#ombud-cid').evaluate((e) => getComputedStyle(e).userSelect)).toBe('all');
    // Selectable: a triple-click selects the id as text.
    await visitor.locator('#ombud-cid').click({ clickCount: 3 });
    expect(await visitor.evaluate(() => String(window.getSelection()).trim())).toBe(consentId);
    await visitor.screenshot({ path: `${SCREENSHOTS}/banner-consent-id.png` });
    await site.close();

    // Customer service looks the visitor up by that id, in a Swedish browser.
    const cookie = sessionCookie(await signIn(t.server, TEST_ADMIN));
    const [name, value] = cookie.split('=') as [string, string];
    const console = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    await console.addCookies([{ name, value, url: base }]);
    const page = await console.newPage();
    await page.goto(`${base}/console/cookie-consents`);
    await page.fill('#consent-id', consentId);
    await page.click('form[action="/console/cookie-consents/find"] button');
    await page.waitForLoadState('load');
    expect(await page.locator('#cookie-proof').locator('..').locator('h2').textContent()).toBe(
      `Samtycke ${consentId}`,
    );
    const rows = await page
      .locator('#cookie-proof tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
      );
    expect(rows).toHaveLength(1);
    const [when, company, choice, allowed, gpc, , lang, url] = rows[0]!;
    expect(when).toMatch(/^2026-03-11 10:0\d$/);
    expect([company, choice, allowed, gpc, lang, url]).toEqual([
      'NestIT Sverige AB',
      'Godkände alla',
      'analytics, functional, marketing, necessary',
      'nej',
      'sv',
      `${base}/butik`,
    ]);
    await page.screenshot({ path: `${SCREENSHOTS}/cookie-consents-found-by-banner-id.png`, fullPage: true });
    await console.close();
  }, 90_000);
});
