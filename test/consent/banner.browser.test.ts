/**
 * The cookie banner in a real browser (Debian chromium via playwright-core), against a tiny node:http server that
 * serves a test site, the config + bundle as `GET /sdk/consent.js` does, and records the proof POSTs (standing in
 * for the Ombud API).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BannerConfig, defaultTexts } from '../../src/core/consent/banner.ts';
import { buildConsentBundle } from '../../src/web/sdk/consent/build.ts';
import { launchBrowser } from '../support/browser.ts';

type Proof = Record<string, unknown> & { categories: Record<string, boolean> };

let server: Server;
let origin: string;
let browser: Browser;
let js: string;
const proofs: Proof[] = [];

const config = (inventoryVersion: string, endpoint: string): BannerConfig => ({
  org: 'nestit',
  endpoint,
  inventoryVersion,
  reaskAfterDays: 182,
  lang: 'en',
  policyUrl: `${origin}/privacy#cookies`,
  texts: defaultTexts.en,
  categories: [
    {
      id: 'necessary',
      essential: true,
      advertising: false,
      label: 'Necessary',
      description: 'Keep the site secure and remember your cookie choice. The site cannot work without them.',
      consentMode: [],
      cookies: [
        {
          name: 'ombud_consent',
          provider: 'Nestit',
          lifetime: '6 months',
          purpose: 'Stores your cookie choice.',
        },
        { name: 'session', provider: 'Nestit', lifetime: 'Session', purpose: 'Keeps you signed in.' },
      ],
    },
    {
      id: 'analytics',
      essential: false,
      advertising: false,
      label: 'Statistics',
      description: 'Help us understand how the site is used, so we can improve it. Data is aggregated.',
      consentMode: ['analytics_storage'],
      cookies: [
        { name: '_test_analytics', provider: 'Nestit', lifetime: '1 year', purpose: 'Counts visits.' },
        {
          name: '_ga',
          provider: 'Google Ireland Ltd',
          lifetime: '13 months',
          purpose: 'Distinguishes visitors.',
        },
        {
          name: '_ga_*',
          provider: 'Google Ireland Ltd',
          lifetime: '13 months',
          purpose: 'Keeps the session state.',
        },
      ],
    },
    {
      id: 'marketing',
      essential: false,
      advertising: true,
      label: 'Marketing',
      description:
        'Measure our ads and show you relevant offers on other sites, including sending a hashed e-mail address to Google.',
      consentMode: ['ad_storage', 'ad_user_data', 'ad_personalization'],
      cookies: [
        {
          name: '_gcl_au',
          provider: 'Google Ireland Ltd',
          lifetime: '3 months',
          purpose: 'Measures ad conversions.',
        },
      ],
    },
  ],
});

const page = (search: URLSearchParams) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nestit – homes made simple</title>
<script src="/sdk/consent.js?org=nestit&lang=en&${search}"></script>
<style>
  body { margin: 0; font: 16px/1.6 Georgia, serif; color: #222; background: #faf7f2; }
  header, main, footer { padding: 1.5rem 3rem; } header { background: #2f4f3e; color: #fff; font: 600 1.3rem system-ui; }
  main { max-width: 50rem; min-height: 70vh; } h1 { font-size: 2.2rem; margin: 1rem 0; }
  footer { border-top: 1px solid #ddd; font: 14px system-ui; } footer a { color: #2f4f3e; margin-right: 1.5rem; }
</style></head>
<body>
<header>Nestit</header>
<main><h1>Find a home that fits</h1>
<p>Nestit helps you rent, buy and furnish your next home across the Nordics. Browse thousands of listings, book
viewings and sign contracts online.</p>
<p>Our agents in Stockholm, Oslo and Gothenburg are here to help, every day of the week.</p>
<iframe id="video" title="video" data-ombud-category="marketing" data-src="/embed.html" width="320" height="90"></iframe>
</main>
<footer><a href="/privacy">Privacy notice</a><a href="#" id="customize" data-ombud-cookie-settings>Customize cookies</a></footer>
<script type="text/plain" data-ombud-category="analytics">document.cookie = '_test_analytics=1; path=/; max-age=3600';</script>
<script type="text/plain" data-ombud-category="marketing" src="/marketing.js"></script>
<script type="text/plain" data-ombud-category="necessary">window.__essentialRan = true;</script>
</body></html>`;

beforeAll(async () => {
  js = (await buildConsentBundle()).js;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/api/v1/cookie-consents') {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        proofs.push(JSON.parse(body));
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
      return;
    }
    const send = (type: string, body: string) => res.writeHead(200, { 'content-type': type }).end(body);
    if (url.pathname === '/sdk/consent.js') {
      const endpoint = url.searchParams.get('endpoint') ?? origin;
      const cfg = config(url.searchParams.get('inv') ?? 'inv-1', endpoint);
      return send('text/javascript; charset=utf-8', `window.OmbudConsentConfig=${JSON.stringify(cfg)};${js}`);
    }
    if (url.pathname === '/marketing.js') return send('text/javascript', 'window.__marketingRan = true;');
    if (url.pathname === '/embed.html') return send('text/html', '<p>embedded video</p>');
    if (url.pathname === '/') return send('text/html; charset=utf-8', page(url.searchParams));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  mkdirSync('test-results', { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  proofs.length = 0;
});

async function open(opts: { gpc?: boolean; query?: string; context?: BrowserContext } = {}) {
  const context =
    opts.context ??
    (await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' }));
  const p = await context.newPage();
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  if (opts.gpc) {
    await p.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {
        get: () => true,
        configurable: true,
      }),
    );
  }
  await p.goto(`${origin}/?${opts.query ?? ''}`);
  return { context, page: p, errors };
}

const banner = (p: Page) => p.getByRole('dialog');
const cookieNames = async (context: BrowserContext) => (await context.cookies()).map((c) => c.name).sort();
/** window.dataLayer with the gtag Arguments objects as arrays. */
const dataLayer = (p: Page) =>
  p.evaluate(() =>
    ((window as unknown as { dataLayer: ArrayLike<unknown>[] }).dataLayer ?? []).map((a) => Array.from(a)),
  ) as Promise<[string, string, Record<string, unknown>][]>;
const ran = (p: Page) =>
  p.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return {
      marketing: w.__marketingRan === true,
      essential: w.__essentialRan === true,
      analyticsCookie: document.cookie.includes('_test_analytics=1'),
      iframe: document.querySelector('#video')?.getAttribute('src') ?? null,
    };
  });

describe('cookie banner in a browser', () => {
  it('shows the first layer, runs nothing non-essential before consent, and screenshots look right', async () => {
    const { context, page: p, errors } = await open();
    const dialog = banner(p);
    await expect(dialog.getAttribute('aria-modal')).resolves.toBe('false');
    expect(await dialog.getAttribute('aria-labelledby')).toBe('ombud-t');
    expect(await p.locator('#ombud-t').textContent()).toBe('We use cookies');
    expect(await p.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('dialog');
    const link = dialog.getByRole('link', { name: 'How we use cookies' });
    expect(await link.getAttribute('href')).toBe(`${origin}/privacy#cookies`);
    // Accept all and Reject all are equally prominent: same class, same computed style, same size.
    const accept = dialog.getByRole('button', { name: 'Accept all' });
    const reject = dialog.getByRole('button', { name: 'Reject all' });
    const customize = dialog.getByRole('button', { name: 'Customize' });
    const style = (l: typeof accept) =>
      l.evaluate((b) => {
        const s = getComputedStyle(b);
        const r = b.getBoundingClientRect();
        return [
          b.className,
          s.backgroundColor,
          s.color,
          s.borderColor,
          s.fontSize,
          s.fontWeight,
          Math.round(r.width),
          Math.round(r.height),
        ];
      });
    expect(await style(reject)).toEqual(await style(accept));
    expect(await style(customize)).toEqual(await style(accept));
    expect(await ran(p)).toEqual({ marketing: false, essential: true, analyticsCookie: false, iframe: null });
    expect(await cookieNames(context)).toEqual([]);
    expect(await p.locator('style').count()).toBe(2); // the page's own and exactly one from the banner
    expect(await p.locator('body > .ombud').count()).toBe(1);
    await p.screenshot({ path: 'test-results/consent-first-layer.png' });
    await customize.click();
    await dialog.getByText('Cookies (3)').click();
    await p.screenshot({ path: 'test-results/consent-second-layer.png' });
    // Escape before any choice goes back to the first layer: no way around the choice, no choice made for you.
    await p.keyboard.press('Escape');
    await expect(dialog.getByRole('button', { name: 'Customize' }).isVisible()).resolves.toBe(true);
    expect(proofs).toEqual([]);
    // Also look at it narrow and dark.
    await p.setViewportSize({ width: 390, height: 780 });
    await p.emulateMedia({ colorScheme: 'dark' });
    await p.screenshot({ path: 'test-results/consent-first-layer-mobile-dark.png' });
    await dialog.getByRole('button', { name: 'Customize' }).click();
    await p.screenshot({ path: 'test-results/consent-second-layer-mobile-dark.png' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Consent Mode v2 default is pushed before anything and an update on the choice', async () => {
    const { context, page: p } = await open();
    const before = await dataLayer(p);
    expect(before).toHaveLength(1);
    expect(before[0]).toEqual([
      'consent',
      'default',
      {
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        analytics_storage: 'denied',
        personalization_storage: 'denied',
        functionality_storage: 'granted',
        security_storage: 'granted',
        wait_for_update: 500,
      },
    ]);
    await banner(p).getByRole('button', { name: 'Customize' }).click();
    await banner(p).getByRole('switch', { name: 'Statistics' }).check();
    await banner(p).getByRole('button', { name: 'Save choices' }).click();
    const after = await dataLayer(p);
    expect(after.slice(1)).toEqual([
      [
        'consent',
        'update',
        {
          analytics_storage: 'granted',
          ad_storage: 'denied',
          ad_user_data: 'denied',
          ad_personalization: 'denied',
        },
      ],
    ]);
    expect(await ran(p)).toMatchObject({ marketing: false, analyticsCookie: true, iframe: null });
    await expect.poll(() => proofs.length).toBe(1);
    expect(proofs[0]).toMatchObject({
      action: 'custom',
      categories: { necessary: true, analytics: true, marketing: false },
    });
    await context.close();
  });

  it('P45 the advertising category stays off until consent', async () => {
    const { context, page: p } = await open();
    const [[, kind, signals]] = await dataLayer(p);
    expect(kind).toBe('default');
    expect(signals).toMatchObject({
      ad_storage: 'denied',
      ad_user_data: 'denied',
      ad_personalization: 'denied',
    });
    expect(await ran(p)).toMatchObject({ marketing: false, iframe: null });
    await banner(p).getByRole('button', { name: 'Customize' }).click();
    expect(await banner(p).getByRole('switch', { name: 'Marketing' }).isChecked()).toBe(false);
    expect(await banner(p).getByRole('switch', { name: 'Statistics' }).isChecked()).toBe(false);
    expect(await cookieNames(context)).toEqual([]);
    await context.close();
  });

  it('reject all: no tagged script runs and no non-essential cookie is set', async () => {
    const { context, page: p, errors } = await open();
    await banner(p).getByRole('button', { name: 'Reject all' }).click();
    await expect(banner(p).count()).resolves.toBe(0);
    expect(await ran(p)).toEqual({ marketing: false, essential: true, analyticsCookie: false, iframe: null });
    expect(await cookieNames(context)).toEqual(['ombud_consent']);
    const [cookie] = await context.cookies();
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.expires - Date.now() / 1000).toBeGreaterThan(181 * 86400);
    expect(cookie.expires - Date.now() / 1000).toBeLessThanOrEqual(182 * 86400 + 5);
    await expect.poll(() => proofs.length).toBe(1);
    expect(proofs[0]).toEqual({
      consentId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      // One id per proof: a retry of the same proof (1, 2, 4, 8 s) carries it again and is stored once.
      proofId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      org: 'nestit',
      action: 'reject-all',
      categories: { necessary: true, analytics: false, marketing: false },
      inventoryVersion: 'inv-1',
      gpc: false,
      lang: 'en',
      url: `${origin}/`,
    });
    const [id, v, , c] = decodeURIComponent(cookie.value).split('|');
    expect([id, v, c]).toEqual([proofs[0].consentId, 'inv-1', 'necessary']);
    expect((await dataLayer(p)).at(-1)?.[2]).toMatchObject({
      analytics_storage: 'denied',
      ad_storage: 'denied',
    });
    expect(
      await p.evaluate(() => (window as unknown as { Ombud: { getConsent(): unknown } }).Ombud.getConsent()),
    ).toMatchObject({ consentId: proofs[0].consentId, categories: { analytics: false, marketing: false } });
    // Reload: the choice holds, nothing runs, nothing is asked.
    await p.reload();
    expect(await banner(p).count()).toBe(0);
    expect(await ran(p)).toMatchObject({ marketing: false, analyticsCookie: false });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('accept all: the tagged scripts and iframes run, the event fires, and the choice survives a reload', async () => {
    const { context, page: p } = await open();
    await p.evaluate(() => {
      window.addEventListener('ombud:consent', (e) => {
        (window as unknown as Record<string, unknown>).__event = (e as CustomEvent).detail;
      });
    });
    await banner(p).getByRole('button', { name: 'Accept all' }).click();
    await p.waitForFunction(() => (window as unknown as Record<string, unknown>).__marketingRan === true);
    expect(await ran(p)).toEqual({
      marketing: true,
      essential: true,
      analyticsCookie: true,
      iframe: '/embed.html',
    });
    expect(await p.evaluate(() => (window as unknown as Record<string, unknown>).__event)).toMatchObject({
      action: 'accept-all',
      categories: { necessary: true, analytics: true, marketing: true },
      gpc: false,
    });
    await expect.poll(() => proofs.length).toBe(1);
    expect(proofs[0]).toMatchObject({ action: 'accept-all', gpc: false });
    expect(proofs[0].categories).toEqual({ necessary: true, analytics: true, marketing: true });
    expect((await dataLayer(p)).at(-1)).toEqual([
      'consent',
      'update',
      {
        analytics_storage: 'granted',
        ad_storage: 'granted',
        ad_user_data: 'granted',
        ad_personalization: 'granted',
      },
    ]);
    await p.reload();
    expect(await banner(p).count()).toBe(0);
    await p.waitForFunction(() => (window as unknown as Record<string, unknown>).__marketingRan === true);
    const layer = await dataLayer(p);
    expect(layer.map((a) => a[1])).toEqual(['default', 'update']);
    expect(proofs).toHaveLength(1); // a stored choice is not posted again
    await context.close();
  });

  it('GPC on: advertising is off and locked with the reason shown, and the proof says gpc true', async () => {
    const { context, page: p } = await open({ gpc: true });
    await banner(p).getByRole('button', { name: 'Customize' }).click();
    const marketing = banner(p).getByRole('switch', { name: 'Marketing' });
    expect(await marketing.isChecked()).toBe(false);
    expect(await marketing.isDisabled()).toBe(true);
    expect(await banner(p).getByText(defaultTexts.en.gpc).isVisible()).toBe(true);
    expect(await marketing.evaluate((i) => i.getAttribute('aria-describedby'))).toBe('ombud-2d');
    expect(await p.locator('#ombud-2d').textContent()).toContain('Global Privacy Control');
    await p.screenshot({ path: 'test-results/consent-second-layer-gpc.png' });
    await banner(p).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => proofs.length).toBe(1);
    expect(proofs[0]).toMatchObject({
      action: 'accept-all',
      gpc: true,
      categories: { necessary: true, analytics: true, marketing: false },
    });
    expect(await ran(p)).toMatchObject({ marketing: false, analyticsCookie: true, iframe: null });
    expect((await dataLayer(p)).at(-1)?.[2]).toMatchObject({ ad_storage: 'denied', ad_user_data: 'denied' });
    expect(await cookieNames(context)).toEqual(['_test_analytics', 'ombud_consent']);
    await context.close();
  });

  it('P09 the Customize cookies link reopens the choices', async () => {
    const { context, page: p } = await open();
    await banner(p).getByRole('button', { name: 'Accept all' }).click();
    await p.waitForFunction(() => document.cookie.includes('_test_analytics=1'));
    expect(await banner(p).count()).toBe(0);
    // Focus is not lost to <body> after the first choice: it is on the page's "Customize cookies" link.
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('customize');
    const fab = p.getByRole('button', { name: 'Cookie settings' });
    expect(await fab.isVisible()).toBe(true);
    await p.screenshot({ path: 'test-results/consent-closed.png' });
    // The footer link reopens the second layer with the current choice, focused.
    await p.getByRole('link', { name: 'Customize cookies' }).click();
    expect(await p.locator('#ombud-t').textContent()).toBe('Cookie settings');
    expect(await p.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('dialog');
    expect(await fab.isVisible()).toBe(false);
    expect(await banner(p).getByRole('switch', { name: 'Statistics' }).isChecked()).toBe(true);
    expect(await banner(p).getByRole('switch', { name: 'Necessary' }).isDisabled()).toBe(true);
    expect(await banner(p).getByText('Always on').isVisible()).toBe(true);
    // Escape closes the second layer and gives focus back to the link.
    await p.keyboard.press('Escape');
    expect(await banner(p).count()).toBe(0);
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('customize');
    // Withdrawing is as easy as giving: reopen from the floating button, turn statistics off, save.
    await fab.click();
    await banner(p).getByRole('switch', { name: 'Statistics' }).uncheck();
    await banner(p).getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(() => proofs.length).toBe(2);
    expect(proofs[1]).toMatchObject({
      action: 'custom',
      consentId: proofs[0].consentId,
      categories: { necessary: true, analytics: false, marketing: true },
    });
    expect(await cookieNames(context)).toEqual(['ombud_consent']); // the withdrawn category's cookie is gone
    expect((await dataLayer(p)).at(-1)?.[2]).toMatchObject({
      analytics_storage: 'denied',
      ad_storage: 'granted',
    });
    // The JS API and keyboard reach the same place.
    await p.evaluate(() =>
      (window as unknown as { Ombud: { showPreferences(): void } }).Ombud.showPreferences(),
    );
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Close');
    await p.keyboard.press('Enter');
    expect(await banner(p).count()).toBe(0);
    await p.evaluate(() => (window as unknown as { Ombud: { rejectAll(): void } }).Ombud.rejectAll());
    await expect.poll(() => proofs.length).toBe(3);
    expect(proofs[2]).toMatchObject({ action: 'reject-all', categories: { marketing: false } });
    await context.close();
  });

  it('P02 the second layer lists each cookie with provider, lifetime and purpose', async () => {
    const { context, page: p } = await open();
    await banner(p).getByRole('button', { name: 'Customize' }).click();
    const cfg = config('inv-1', origin);
    const groups = banner(p).locator('details');
    expect(await groups.count()).toBe(cfg.categories.length);
    for (const [i, category] of cfg.categories.entries()) {
      const group = groups.nth(i);
      expect(await group.locator('summary').textContent()).toBe(`Cookies (${category.cookies.length})`);
      await group.locator('summary').click();
      const items = group.locator('li');
      expect(await items.count()).toBe(category.cookies.length);
      for (const [j, cookie] of category.cookies.entries()) {
        const item = items.nth(j);
        expect(await item.isVisible()).toBe(true);
        expect(await item.locator('code').textContent()).toBe(cookie.name);
        const text = await item.textContent();
        for (const part of [cookie.provider, cookie.lifetime, cookie.purpose]) expect(text).toContain(part);
      }
    }
    await context.close();
  });

  it('asks again when inventoryVersion changes or the choice is older than reaskAfterDays', async () => {
    const { context, page: p } = await open({ query: 'inv=v1' });
    await banner(p).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => proofs.length).toBe(1);
    await p.goto(`${origin}/?inv=v1`);
    expect(await banner(p).count()).toBe(0);
    // The inventory changed materially: ask again, and nothing runs until then.
    await p.goto(`${origin}/?inv=v2`);
    expect(await banner(p).isVisible()).toBe(true);
    expect(await ran(p)).toMatchObject({ marketing: false, iframe: null });
    expect((await dataLayer(p)).map((a) => a[1])).toEqual(['default']);
    await banner(p).getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(() => proofs.length).toBe(2);
    expect(proofs[1]).toMatchObject({ inventoryVersion: 'v2', consentId: proofs[0].consentId });
    // A choice older than reaskAfterDays (182) is asked again.
    const old = Math.floor(Date.now() / 1000) - 183 * 86400;
    await context.addCookies([{ name: 'ombud_consent', value: `x|v2|${old}|necessary`, url: origin }]);
    await p.goto(`${origin}/?inv=v2`);
    expect(await banner(p).isVisible()).toBe(true);
    await context.close();
  });

  it('a failing proof POST does not break the page', async () => {
    const { context, page: p, errors } = await open({ query: 'endpoint=http://127.0.0.1:9' });
    await banner(p).getByRole('button', { name: 'Accept all' }).click();
    await p.waitForFunction(() => (window as unknown as Record<string, unknown>).__marketingRan === true);
    expect(await banner(p).count()).toBe(0);
    expect(await cookieNames(context)).toContain('ombud_consent');
    expect(errors).toEqual([]);
    await context.close();
  });
});
