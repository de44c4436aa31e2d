/**
 * The preference center in a real browser (Debian chromium) against the real server, and the
 * RFC 8058 one-click unsubscribe with a plain POST.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestServer } from '../support/server.ts';
import { same, startConsentServer } from './support.ts';
import { launchBrowser } from '../support/browser.ts';

const ORG = 'nestit-group';
let t: TestServer;
let base: string;
let browser: Browser;

const api = async (method: 'POST' | 'GET', url: string, payload?: object) =>
  (await t.server.inject({ method, url, payload, headers: same(t.cookie) })).json();
const allowed = async (email: string, purpose: string, channel = 'email', org = ORG) =>
  (
    await api('POST', `/api/v1/organizations/${org}/contact-checks`, {
      identity: { email },
      purpose,
      channel,
    })
  ).allowed;

beforeAll(async () => {
  t = await startConsentServer();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
  t.configure({ publicUrl: base });
  browser = await launchBrowser();
  mkdirSync('test-results', { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('preference center', () => {
  test('P07 P08 the settings link opens the settings directly; categories show their basis and each can be changed', async () => {
    const email = 'Maja.Berg@Example.se';
    await api('POST', `/api/v1/organizations/${ORG}/consents`, {
      identity: { email },
      purpose: 'communication-subscription',
      channel: 'email',
      wording: 'Yes, send me newsletters.',
      source: 'checkout',
    });
    const link = await api('POST', `/api/v1/organizations/${ORG}/preference-links`, {
      identity: { email },
      purpose: 'communication-subscription',
    });
    // Opaque: neither the address nor the subject id can be read from the URL.
    expect(link.preferencesUrl).toMatch(/\/privacy\/preferences\/[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(link.preferencesUrl.toLowerCase()).not.toContain('maja');
    expect(link.preferencesUrl).not.toContain(link.subjectId);
    expect(link.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');

    const page = await browser.newPage();
    await page.goto(`${link.preferencesUrl}?lang=sv`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Dina kommunikationsinställningar');
    await page.goto(link.preferencesUrl);
    const box = (purpose: string, channel: string) =>
      page.locator(`input[value="${ORG}|${purpose}|${channel}"]`);
    expect(await box('communication-subscription', 'email').isChecked()).toBe(true);
    expect(await box('communication-subscription', 'sms').isChecked()).toBe(false);
    expect(await box('surveys', 'email').isChecked()).toBe(true);
    const surveyRow = page.locator('li', { has: box('surveys', 'email') });
    await expect(surveyRow.textContent()).resolves.toContain('legitimate interest');
    const newsRow = page.locator('li', { has: box('communication-subscription', 'email') });
    await expect(newsRow.textContent()).resolves.toContain('consent');
    await page.screenshot({ path: 'test-results/preferences.png', fullPage: true });

    // Change each: newsletters by e-mail off, surveys off (an objection), SMS newsletters on.
    await box('communication-subscription', 'email').uncheck();
    await box('surveys', 'email').uncheck();
    await box('communication-subscription', 'sms').check();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.waitForURL(/saved=1/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('saved');
    expect(await allowed(email, 'communication-subscription')).toBe(false);
    expect(await allowed(email, 'surveys')).toBe(false);
    // SMS needs a phone number to send to, but the choice itself is recorded with the exact wording.
    const history = await api('POST', `/api/v1/organizations/${ORG}/subjects/consent-history`, {
      identity: { email },
    });
    const kinds = history.events.map(
      (e: { kind: string; source: string; channel: string }) => `${e.kind}:${e.channel}:${e.source}`,
    );
    expect(kinds[0]).toBe('grant:email:checkout');
    expect([...kinds].sort()).toEqual(
      [
        'grant:email:checkout',
        'withdraw:email:preference-center',
        'grant:sms:preference-center',
        'object:email:preference-center',
      ].sort(),
    );

    // Leave all in one click: as easy as giving.
    await page.getByRole('button', { name: 'Unsubscribe from everything' }).click();
    await page.waitForURL(/saved=1/);
    expect(await page.locator('input[type=checkbox]:checked').count()).toBe(0);
    await page.close();
  }, 60_000);

  test('P44 ad matching is in the preference center: objecting there stops it, and "unsubscribe from everything" stops it too', async () => {
    const box = (page: import('playwright-core').Page, purpose: string, channel: string) =>
      page.locator(`input[value="${ORG}|${purpose}|${channel}"]`);
    for (const [email, how] of [
      ['ad.objector@example.se', 'its own box'],
      ['leave.all@example.se', 'unsubscribe from everything'],
    ] as const) {
      await api('POST', `/api/v1/organizations/${ORG}/consents`, {
        identity: { email },
        purpose: 'communication-subscription',
        channel: 'email',
        wording: 'Yes, send me newsletters.',
        source: 'checkout',
      });
      // Legitimate interest: allowed until the person objects.
      expect(await allowed(email, 'ad-matching')).toBe(true);
      const link = await api('POST', `/api/v1/organizations/${ORG}/preference-links`, {
        identity: { email },
      });
      const page = await browser.newPage();
      await page.goto(`${link.preferencesUrl}?lang=sv`);
      // One setting for the purpose (it sends nothing: it matches the hashed address), named as the notice names it.
      const ad = box(page, 'ad-matching', '*');
      expect(await ad.isChecked()).toBe(true);
      await expect(page.locator('li', { has: ad }).textContent()).resolves.toContain(
        'Anpassad digital annonsering och matchning',
      );
      if (how === 'its own box') {
        await ad.uncheck();
        await page.getByRole('button', { name: 'Spara mina val' }).click();
      } else await page.getByRole('button', { name: 'Avregistrera mig från allt' }).click();
      await page.waitForURL(/saved=1/);
      expect(await box(page, 'ad-matching', '*').isChecked()).toBe(false);
      await page.close();
      // Written by hand: ad matching stops on every address; the newsletter only when leaving everything.
      expect(await allowed(email, 'ad-matching')).toBe(false);
      expect(await allowed(email, 'communication-subscription')).toBe(how === 'its own box');
    }
  }, 60_000);

  test('P07 RFC 8058 one-click unsubscribe works with a plain POST; a GET never unsubscribes', async () => {
    const email = 'olle@example.se';
    await api('POST', `/api/v1/organizations/${ORG}/consents`, {
      identity: { email },
      purpose: 'communication-subscription',
      channel: 'email',
      wording: 'Yes, send me newsletters.',
      source: 'checkout',
    });
    const link = await api('POST', `/api/v1/organizations/${ORG}/preference-links`, {
      identity: { email },
      purpose: 'communication-subscription',
    });
    const url = link.headers['List-Unsubscribe'].slice(1, -1);
    const get = await fetch(url, { redirect: 'manual' });
    expect(get.status).toBe(303);
    expect(await allowed(email, 'communication-subscription')).toBe(true);

    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await allowed(email, 'communication-subscription')).toBe(false);
    // Only the mail's own purpose: surveys are untouched.
    expect(await allowed(email, 'surveys')).toBe(true);

    // multipart/form-data is allowed by RFC 8058 too.
    await api('POST', `/api/v1/organizations/${ORG}/consents`, {
      identity: { email },
      purpose: 'communication-subscription',
      channel: 'email',
      wording: 'Yes, again.',
      source: 'checkout',
    });
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const multi = await fetch(url, { method: 'POST', body: form });
    expect(multi.status).toBe(200);
    expect(await allowed(email, 'communication-subscription')).toBe(false);
  });

  test('a forged or expired link is refused without revealing anything', async () => {
    const bad = await fetch(`${base}/privacy/preferences/${'x'.repeat(40)}`);
    expect(bad.status).toBe(404);
    const link = await api('POST', `/api/v1/organizations/${ORG}/preference-links`, {
      identity: { email: 'short@example.se' },
      days: 1,
    });
    const real = t.app.now;
    t.setApp({ now: () => new Date(Date.now() + 3 * 86_400_000) });
    try {
      const res = await fetch(link.preferencesUrl);
      expect(res.status).toBe(410);
      expect(await res.text()).toContain('expired');
    } finally {
      t.setApp({ now: real });
    }
  });
});
