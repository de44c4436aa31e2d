/**
 * The console's consent desk and cookie consents in Chromium, on a fixed clock (Wednesday 2026-03-11, UTC):
 * consent recorded on a customer's behalf where the register collects it at customer service (and the one
 * message naming what the register allows where it does not), a cookie consent found by its consent id, the
 * banner's figures per site and day and the opt-in/opt-out rates over hand-made rows with hand-counted
 * expectations, and the console's navigation on a 360 px phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CookieConsentProof } from '../../src/core/consent/banner.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { recordCookieConsent } from '../../src/services/consent/recordCookieConsent.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { readRegisterSources } from '../../src/services/register/readRegisterDir.ts';
import { PASSWORD, userWithRoles } from '../security/helpers.ts';
import { sessionCookie, signIn } from '../support/http.ts';
import { launchBrowser, SCREENSHOTS, sectionRows } from '../support/browser.ts';
import { tickingClock } from '../support/clock.ts';
import { TEST_ADMIN, type TestServer } from '../support/server.ts';
import { same, startConsentServer } from './support.ts';

const ORG = 'nestit-sverige';
const SUBSCRIPTION = 'communication-subscription';
/** The app's clock starts here: a Wednesday, so the week (from Monday) began on 2026-03-09. */
const NOW = '2026-03-11T10:00:00Z';

/** The demo register, and the same with customer service as a collection point of the subscription. */
async function registers() {
  const demo = await readRegisterSources(DEMO_REGISTER_DIR);
  const from = 'collectedAt: [checkout, account-creation, preference-center]';
  const withDesk = demo.map((f) =>
    f.text.includes(from)
      ? {
          ...f,
          text: f.text.replace(
            from,
            'collectedAt: [checkout, account-creation, preference-center, customer-service]',
          ),
        }
      : f,
  );
  expect(withDesk.filter((f, i) => f.text !== demo[i]!.text)).toHaveLength(1);
  return { demo, withDesk };
}

const proof = (
  consentId: string,
  org: string,
  action: CookieConsentProof['action'],
  site: string,
  gpc = false,
): CookieConsentProof => ({
  consentId,
  org,
  action,
  categories: {
    necessary: true,
    analytics: action === 'accept-all',
    advertising: action === 'accept-all' && !gpc,
  },
  inventoryVersion: 'v1',
  gpc,
  lang: 'sv',
  url: `${site}/produkter/soffor`,
});

describe('console consent desk and cookie consents in Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let base: string;
  let regs: Awaited<ReturnType<typeof registers>>;

  const consent = async (email: string, kind: 'consents' | 'consents/withdrawals', at?: string) => {
    const res = await t.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${ORG}/${kind}`,
      headers: same(t.cookie),
      payload: {
        identity: { email },
        purpose: SUBSCRIPTION,
        channel: 'email',
        wording: 'Yes, send me the NestIT newsletter by e-mail.',
        noticeVersion: 1,
        source: 'checkout',
        ...(at ? { at } : {}),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
  };

  beforeAll(async () => {
    t = await startConsentServer({ now: tickingClock(NOW) });
    regs = await registers();
    // Opt-in and opt-out, by hand: the week of 2026-03-02 two grants and one withdrawal on e-mail; this
    // week Greta's grant (and what the agent records below).
    await consent('anna@example.se', 'consents', '2026-03-03T09:00:00Z');
    await consent('bo@example.se', 'consents', '2026-03-03T09:30:00Z');
    await consent('bo@example.se', 'consents/withdrawals', '2026-03-04T12:00:00Z');
    await consent('greta.desk@example.se', 'consents');
    // Banner choices, by hand. www.nestit.se: yesterday accept, reject (GPC), custom; today c1 again
    // (custom: a re-ask), c2 again (reject with GPC: a re-ask), c4 accept with GPC. provendo.no: one
    // accept on Monday. One accept 20 days ago falls outside the 14 days shown.
    const se = 'https://www.nestit.se';
    const no = 'https://www.provendo.no';
    const db = t.app.db;
    await recordCookieConsent(
      db,
      proof('visitor-c1-0001', ORG, 'accept-all', se),
      new Date('2026-03-10T08:00:00Z'),
    );
    await recordCookieConsent(
      db,
      proof('visitor-c2-0002', ORG, 'reject-all', se, true),
      new Date('2026-03-10T09:00:00Z'),
    );
    await recordCookieConsent(
      db,
      proof('visitor-c3-0003', ORG, 'custom', se),
      new Date('2026-03-10T23:59:00Z'),
    );
    await recordCookieConsent(
      db,
      proof('visitor-c1-0001', ORG, 'custom', se),
      new Date('2026-03-11T00:10:00Z'),
    );
    await recordCookieConsent(
      db,
      proof('visitor-c2-0002', ORG, 'reject-all', se, true),
      new Date('2026-03-11T07:00:00Z'),
    );
    await recordCookieConsent(
      db,
      proof('visitor-c4-0004', ORG, 'accept-all', se, true),
      new Date('2026-03-11T08:00:00Z'),
    );
    await recordCookieConsent(
      db,
      proof('visitor-p1-0001', 'provendo', 'accept-all', no),
      new Date('2026-03-09T12:00:00Z'),
    );
    await recordCookieConsent(
      db,
      proof('visitor-c9-0009', ORG, 'accept-all', se),
      new Date('2026-02-19T12:00:00Z'),
    );
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.server.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /**
   * A page signed in as this person. The session is made by the real sign-in, and handed to the browser as a
   * cookie of the browser session: the app's clock lies in March, so the cookie's own expiry would be past.
   */
  async function signedIn(email: string, password: string, width = 1280): Promise<Page> {
    const cookie = sessionCookie(await signIn(t.server, { email, password }));
    const [name, value] = cookie.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    return page;
  }

  async function openGreta(page: Page) {
    await page.goto(`${base}/console/consent`);
    await page.selectOption('select[name=company]', ORG);
    await page.fill('input[name=value]', 'greta.desk@example.se');
    await page.click('form[action="/console/consent/find"] button');
    await page.waitForURL(/\/console\/consent\/subjects\//);
  }

  const row = (page: Page, label: RegExp) =>
    page.locator('section table.data tr', { hasText: label }).first();

  test("P05 consent is recorded on a customer's behalf where the register allows it, with the notice version and the words; one message where it does not", async () => {
    const page = await signedIn(TEST_ADMIN.email, TEST_ADMIN.password);
    await openGreta(page);
    // The demo register collects the subscription's consent at checkout, account creation and the preference
    // center only: the SMS row says so, with no form that would fail.
    const sms = row(page, /Subscription to communications.*\(text message\)/);
    expect(await sms.locator('p.refusal').textContent()).toBe(
      'The register does not let consent to “Subscription to communications (newsletters and text messages)” be recorded at customer-service: it is collected only at checkout, account-creation, preference-center, on email, sms.',
    );
    expect(await sms.locator('input[name=wording]').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/consent-desk-refusal-row.png`, fullPage: true });

    // With customer service declared as a collection point, the agent records the consent given by phone.
    await applyRegister(t.app.db, SYSTEM_ACTOR, regs.withDesk);
    await page.reload();
    const field = sms.getByLabel('Words the customer agreed to');
    await field.fill('Ja, skicka erbjudanden till mig per sms.');
    await sms.getByRole('button', { name: 'Record consent' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('[role=alert]').count()).toBe(0);
    expect(await sms.locator('td.on').textContent()).toBe('may send');
    const proofRow = page.locator('section table.data tr', {
      hasText: 'Ja, skicka erbjudanden till mig per sms.',
    });
    expect((await proofRow.locator('td').allTextContents()).slice(1).map((s) => s.trim())).toEqual([
      'grant',
      'Subscription to communications (newsletters and text messages) · sms',
      'Ja, skicka erbjudanden till mig per sms.',
      'v1',
      'customer-service',
      expect.stringMatching(/^user:/),
    ]);
    // Every field of the row's forms has a label.
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll('main input:not([type=hidden]), main select')].filter(
          (el) => (el as HTMLInputElement).labels?.length === 0,
        ).length,
    );
    expect(unlabelled).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/consent-desk-recorded.png`, fullPage: true });

    // The e-mail consent withdrawn by phone; then the register changes back before the agent records it again:
    // one message, naming the sources and channels the register allows.
    const email = row(page, /Subscription to communications.*\(e-mail\)/);
    await email.getByRole('button', { name: 'Withdraw consent' }).click();
    await page.waitForLoadState('load');
    await applyRegister(t.app.db, SYSTEM_ACTOR, regs.demo);
    await email.getByLabel('Words the customer agreed to').fill('Yes to the newsletter again');
    await email.getByRole('button', { name: 'Record consent' }).click();
    await page.waitForLoadState('load');
    const alerts = page.locator('[role=alert]');
    expect(await alerts.count()).toBe(1);
    expect(await alerts.textContent()).toBe(
      "The register does not let consent to “Subscription to communications (newsletters and text messages)” be recorded at customer-service: it is collected only at checkout, account-creation, preference-center, on email, sms. Ask the customer to give it there, or add customer-service to the purpose's consent.collectedAt in the register.",
    );
    expect(await email.locator('p.refusal').textContent()).toBe(
      'Not at customer service: see the message above.',
    );
    await page.screenshot({ path: `${SCREENSHOTS}/consent-desk-one-message.png`, fullPage: true });
    await page.close();
  }, 120_000);

  test('opt-in and opt-out per purpose, channel and week, counted by hand', async () => {
    const page = await signedIn(TEST_ADMIN.email, TEST_ADMIN.password);
    await page.goto(`${base}/console/consent`);
    const rows = await page
      .locator('#consent-rates tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
      );
    const name = 'Subscription to communications (newsletters and text messages)';
    // 03-02: anna and bo granted, bo withdrew. 03-09: greta granted (API), the agent withdrew her e-mail
    // consent; the agent granted SMS (the refused grant left nothing).
    expect(rows).toEqual([
      [`${name} · email`, '2026-03-02', '2', '1', '67%', '33%'],
      [`${name} · email`, '2026-03-09', '1', '1', '50%', '50%'],
      [`${name} · sms`, '2026-03-09', '1', '0', '100%', '0%'],
    ]);
    expect(await page.locator('svg[aria-label^="Opt-in and opt-out per week"]').count()).toBe(2);
    await page.screenshot({ path: `${SCREENSHOTS}/consent-desk-rates.png`, fullPage: true });
    await page.close();
  }, 60_000);

  test('a cookie consent is found by its consent id; the figures per site and day are counted by hand', async () => {
    const page = await signedIn(TEST_ADMIN.email, TEST_ADMIN.password);
    await page.click('header.top nav a[href="/console/cookie-consents"]');
    await page.waitForURL(`${base}/console/cookie-consents`);
    const table = (site: string) =>
      page
        .locator(`section[data-site="${site}"] table.data tbody tr`)
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
        );
    // Day, accept all, reject all, custom, with GPC, re-asks.
    expect(await table('https://www.nestit.se · NestIT Sverige AB')).toEqual([
      ['2026-03-10', '1', '1', '1', '1 of 3 (33%)', '0'],
      ['2026-03-11', '1', '1', '1', '2 of 3 (67%)', '2'],
    ]);
    const provendo = await page
      .locator('section[data-site^="https://www.provendo.no"] table.data tbody tr td')
      .allTextContents();
    expect(provendo).toEqual(['2026-03-09', '1', '0', '0', '0 of 1 (0%)', '0']);
    expect(await page.locator('section[data-site] svg[role=img]').count()).toBe(4);
    await page.screenshot({ path: `${SCREENSHOTS}/cookie-consents-figures.png`, fullPage: true });

    await page.fill('#consent-id', 'visitor-c1-0001');
    await page.click('form[action="/console/cookie-consents/find"] button');
    await page.waitForLoadState('load');
    const proofs = await page
      .locator('#cookie-proof tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
      );
    expect(proofs).toEqual([
      [
        '2026-03-10 08:00',
        'NestIT Sverige AB',
        'Accepted all',
        'advertising, analytics, necessary',
        'no',
        'v1',
        'sv',
        'https://www.nestit.se/produkter/soffor',
      ],
      [
        '2026-03-11 00:10',
        'NestIT Sverige AB',
        'Custom choice',
        'necessary',
        'no',
        'v1',
        'sv',
        'https://www.nestit.se/produkter/soffor',
      ],
    ]);
    await page.screenshot({ path: `${SCREENSHOTS}/cookie-consent-found.png`, fullPage: true });

    // Another company's visitor is not found by an agent of NestIT Sverige only.
    await userWithRoles(t.app, t.server, 'cookie-cs', [{ orgId: ORG, role: 'cs-agent' }]);
    const agent = await signedIn('cookie-cs@staff.example', PASSWORD);
    await agent.goto(`${base}/console/cookie-consents`);
    expect(await agent.locator('section[data-site^="https://www.provendo.no"]').count()).toBe(0);
    await agent.fill('#consent-id', 'visitor-p1-0001');
    await agent.click('form[action="/console/cookie-consents/find"] button');
    await agent.waitForLoadState('load');
    expect(await agent.locator('[role=status]').textContent()).toBe(
      'No cookie choice is stored under that consent id at the companies you can see.',
    );
    await agent.close();
    await page.close();
  }, 60_000);

  test('on a 360 px phone the sections hide behind Menu and are all reachable; at 1280 px they stand in one row', async () => {
    await userWithRoles(t.app, t.server, 'phone-cs', [{ orgId: 'provendo', role: 'cs-agent' }]);
    const page = await signedIn('phone-cs@staff.example', PASSWORD, 360);
    await page.setViewportSize({ width: 360, height: 740 });
    const nav = page.locator('header.top nav');
    const menu = page.locator('label.menu-toggle');
    expect(await nav.isVisible()).toBe(false);
    expect(await menu.isVisible()).toBe(true);
    const header = await page.locator('header.top').boundingBox();
    expect(header!.height).toBeLessThan(120);
    await page.screenshot({ path: `${SCREENSHOTS}/console-phone-closed.png` });
    await menu.click();
    expect(await nav.isVisible()).toBe(true);
    const labels = await nav.locator('a').allTextContents();
    // What a customer-service agent may open, written by hand (as in test/web/console-nav.test.ts).
    expect(labels).toEqual([
      'Register',
      'Data flow',
      'Notices',
      'Requests',
      'Consent',
      'Cookies',
      'Audiences',
      'Account',
    ]);
    for (const a of await nav.locator('a').all()) expect(await a.isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/console-phone-open.png` });
    await nav.locator('a', { hasText: 'Cookies' }).click();
    await page.waitForURL(`${base}/console/cookie-consents`);
    expect(await nav.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await menu.isVisible()).toBe(false);
    expect(await nav.isVisible()).toBe(true);
    expect(await sectionRows(page)).toEqual({ rows: 1, belowBrand: true });
    await page.screenshot({ path: `${SCREENSHOTS}/console-1280.png` });
    await page.close();
  }, 60_000);
});
