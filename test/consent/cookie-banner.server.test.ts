/**
 * The cookie banner served by the REAL Ombud server (config from the demo register's cookie
 * inventory) on a group site on another loopback origin, with proofs stored server-side; and the
 * "Customize cookies" link on Ombud's own /privacy pages. Debian chromium via playwright-core.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOmbudClient, OmbudApiError } from '../../src/client/index.ts';
import { inventoryVersion } from '../../src/core/consent/banner-config.ts';
import { buildConsentBundle } from '../../src/web/sdk/consent/build.ts';
import type { TestServer } from '../support/server.ts';
import { startConsentServer } from './support.ts';
import { launchBrowser } from '../support/browser.ts';

let t: TestServer;
let ombud: string;
let site: Server;
let siteOrigin: string;
let browser: Browser;

const sitePage = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NestIT shop</title>
<script src="${ombud}/sdk/consent.js?org=nestit-group&lang=en"></script></head>
<body><h1>NestIT</h1><p>Shop for your home.</p>
<footer><a href="#" data-ombud-cookie-settings>Customize cookies</a></footer>
<script type="text/plain" data-ombud-category="analytics">window.__analyticsRan = true; document.cookie = '_ga=GA1.1.1; path=/; max-age=3600';</script>
<script type="text/plain" data-ombud-category="marketing" src="/conversion.js"></script>
</body></html>`;

beforeAll(async () => {
  t = await startConsentServer();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  ombud = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
  t.configure({ publicUrl: ombud });
  site = createServer((req, res) => {
    if (req.url === '/conversion.js')
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.__conversionRan = true;');
    if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(sitePage());
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  // Loopback ports differ, so the site is a different origin from Ombud: the group lists it.
  t.configure({ cookieOrigins: [siteOrigin.replace('127.0.0.1', 'localhost'), siteOrigin] });
  browser = await launchBrowser();
  mkdirSync('test-results', { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  site?.close();
  await t?.close();
});

type Stored = {
  consent_id: string;
  action: string;
  categories: Record<string, boolean>;
  gpc: boolean;
  inventory_version: string;
};
const stored = () => t.app.db.query<Stored>('SELECT * FROM cookie_consents ORDER BY seq');
const waitStored = async (n: number) => {
  await expect.poll(async () => (await stored()).length, { timeout: 10_000 }).toBe(n);
  return (await stored()).at(-1)!;
};
const ran = (p: Page) =>
  p.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return { analytics: w.__analyticsRan === true, conversion: w.__conversionRan === true };
  });
const cookieNames = async (c: BrowserContext) => (await c.cookies()).map((k) => k.name).sort();

async function visit(opts: { gpc?: boolean } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (opts.gpc)
    await page.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {
        get: () => true,
        configurable: true,
      }),
    );
  await page.goto(`${siteOrigin}/`);
  return { context, page, errors };
}

describe('cookie banner from the real server', () => {
  test('the script is the register inventory config plus the bundle', async () => {
    const res = await fetch(`${ombud}/sdk/consent.js?org=nestit-group&lang=sv`);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    const js = await res.text();
    const bundle = (await buildConsentBundle()).js;
    expect(js.endsWith(`;${bundle}`)).toBe(true);
    const cfg = JSON.parse(js.slice('window.OmbudConsentConfig='.length, js.length - bundle.length - 1));
    const index = (await t.app.registers.get())!.index;
    expect(cfg.inventoryVersion).toBe(inventoryVersion(index));
    expect(cfg.lang).toBe('sv');
    expect(cfg.reaskAfterDays).toBe(182);
    expect(cfg.categories.map((c: { id: string }) => c.id)).toEqual(
      index.register.cookieCategories.map((c) => c.id),
    );
    const marketing = cfg.categories.find((c: { id: string }) => c.id === 'marketing');
    expect(marketing.advertising).toBe(true);
    expect(marketing.cookies.map((c: { name: string }) => c.name)).toContain('_gcl_au');
    expect(
      cfg.categories
        .find((c: { id: string }) => c.id === 'analytics')
        .cookies.map((c: { name: string }) => c.name),
    ).toContain('_ga_*');
    expect(cfg.texts.acceptAll).toBe('Godkänn alla');
    const bad = await fetch(`${ombud}/sdk/consent.js?org=nope`);
    expect(bad.status).toBe(404);
  });

  test('P09 reject all: no tagged script runs, no non-essential cookie; the proof is stored server-side', async () => {
    const { context, page, errors } = await visit();
    expect(await ran(page)).toEqual({ analytics: false, conversion: false });
    await page.getByRole('dialog').getByRole('button', { name: 'Reject all' }).click();
    const proof = await waitStored(1);
    expect(proof).toMatchObject({
      action: 'reject-all',
      gpc: false,
      categories: { necessary: true, analytics: false, marketing: false },
    });
    expect(await ran(page)).toEqual({ analytics: false, conversion: false });
    await page.reload();
    expect(await ran(page)).toEqual({ analytics: false, conversion: false });
    expect(await cookieNames(context)).toEqual(['ombud_consent']);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('P45 accept all: the tags run; withdrawing marketing through "Customize cookies" stops the conversion tag', async () => {
    const { context, page } = await visit();
    await page.getByRole('dialog').getByRole('button', { name: 'Accept all' }).click();
    const proof = await waitStored(2);
    expect(proof).toMatchObject({ action: 'accept-all', categories: { analytics: true, marketing: true } });
    await expect.poll(() => ran(page)).toEqual({ analytics: true, conversion: true });
    // Reopen from the footer link and withdraw marketing.
    await page.getByRole('link', { name: 'Customize cookies' }).click();
    await page.getByRole('dialog').getByRole('switch', { name: 'Marketing cookies' }).uncheck();
    await page.getByRole('dialog').getByRole('button', { name: 'Save choices' }).click();
    const after = await waitStored(3);
    expect(after.consent_id).toBe(proof.consent_id);
    expect(after).toMatchObject({ action: 'custom', categories: { analytics: true, marketing: false } });
    await page.reload();
    expect(await ran(page)).toEqual({ analytics: true, conversion: false });
    // The proof can be read back by the anonymous id.
    const history = await t.server.inject({
      method: 'GET',
      url: `/api/v1/cookie-consents/${proof.consent_id}`,
      headers: { cookie: t.cookie },
    });
    expect(history.json().map((r: { action: string }) => r.action)).toEqual(['accept-all', 'custom']);
    await context.close();
  });

  test('P45 GPC on: advertising stays off even on "Accept all", and the signal is recorded', async () => {
    const { context, page } = await visit({ gpc: true });
    await page.getByRole('dialog').getByRole('button', { name: 'Accept all' }).click();
    const proof = await waitStored(4);
    expect(proof).toMatchObject({ gpc: true, categories: { analytics: true, marketing: false } });
    expect(await ran(page)).toEqual({ analytics: true, conversion: false });
    await context.close();
  });

  test('proofs from a site outside the group are refused', async () => {
    // Through the typed client (a public route: no API key), as the banner's own POST would be sent.
    const refused = await createOmbudClient({ baseUrl: ombud })
      .POST('/api/v1/cookie-consents', {
        headers: { origin: 'https://evil.example' },
        body: {
          consentId: '00000000-0000-4000-8000-000000000000',
          org: 'nestit-group',
          action: 'accept-all',
          categories: { marketing: true },
          inventoryVersion: 'x',
          gpc: false,
          lang: 'en',
          url: 'https://evil.example/',
        },
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OmbudApiError);
    expect((refused as OmbudApiError).status).toBe(403);
  });

  test('P09 the privacy pages carry the banner and a "Customize cookies" link that reopens it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${ombud}/privacy/nestit-group?lang=sv`);
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Avvisa alla' }).click();
    await expect.poll(async () => dialog.count()).toBe(0);
    await page.getByRole('link', { name: 'Anpassa cookies' }).click();
    await expect.poll(async () => dialog.count()).toBe(1);
    await page.screenshot({ path: 'test-results/privacy-customize-cookies.png' });
    await page.goto(`${ombud}/privacy`);
    await page.getByRole('link', { name: 'Customize cookies' }).click();
    await expect.poll(async () => dialog.count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('P45 GPC on the server: a Sec-GPC: 1 header on the proof POST is recorded and keeps advertising off; gpc.json says so', async () => {
    const before = (await stored()).length;
    const consentId = 'gpc-header-0001';
    const res = await fetch(`${ombud}/api/v1/cookie-consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-gpc': '1', origin: siteOrigin },
      // A banner (or an older script) that did not read navigator.globalPrivacyControl and asks for all.
      body: JSON.stringify({
        consentId,
        org: 'nestit-group',
        action: 'accept-all',
        categories: { necessary: true, analytics: true, marketing: true },
        inventoryVersion: 'v-test',
        gpc: false,
        lang: 'sv',
        url: `${siteOrigin}/`,
      }),
    });
    expect(res.status).toBe(201);
    const proof = await waitStored(before + 1);
    expect(proof).toMatchObject({
      consent_id: consentId,
      gpc: true,
      categories: { necessary: true, analytics: true, marketing: false },
    });
    // Without the header (and gpc false) the same choice is stored as asked.
    const plain = await fetch(`${ombud}/api/v1/cookie-consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: siteOrigin },
      body: JSON.stringify({
        consentId: 'gpc-header-0002',
        org: 'nestit-group',
        action: 'accept-all',
        categories: { necessary: true, analytics: true, marketing: true },
        inventoryVersion: 'v-test',
        gpc: false,
        lang: 'sv',
        url: `${siteOrigin}/`,
      }),
    });
    expect(plain.status).toBe(201);
    expect(await waitStored(before + 2)).toMatchObject({ gpc: false, categories: { marketing: true } });
    const support = await fetch(`${ombud}/.well-known/gpc.json`);
    expect(support.status).toBe(200);
    expect(support.headers.get('content-type')).toMatch(/application\/json/);
    expect(await support.json()).toEqual({ gpc: true });
  });
});
