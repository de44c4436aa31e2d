/**
 * Every public page on a phone, in every language (issue 15 items 4 and 5): at 360×740 in Chromium nothing
 * scrolls sideways (`scrollWidth <= innerWidth`), and axe-core (injected, WCAG 2.2 A/AA rules) finds no
 * serious or critical violation. The landing page, each company's notice with its cookie tables, the
 * request form, the code page, the confirmation, the settings-link answer, the preference center, an error
 * page and the cookie banner's two layers. Screenshots: test-results/screenshots/phone/<page>-<lang>.png
 * (look at them: docs/screenshots.md).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeIn, type DeskServer, startDesk } from '../requests/support.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const LANGS = ['en', 'sv', 'nb'] as const;
const ORGS = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];

let t: DeskServer;
let base: string;
let browser: Browser;

beforeAll(async () => {
  t = await startDesk();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
  t.configure({ publicUrl: base });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

type Finding = { page: string; overflow?: number; violations?: string[] };

/** The page's sideways overflow (px) and its serious or critical axe violations (rule id and an element). */
async function check(page: Page, name: string, opts: { scrolled?: string } = {}): Promise<Finding> {
  await page.screenshot({ path: `${SCREENSHOTS}/phone/${name}.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const scrolled = opts.scrolled;
  const violations = await page.evaluate(async (scrolled) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            o: object,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      // A scrolling layer with sticky buttons: axe judges target size at one scroll position, where
      // controls below the fold sit under the buttons; `scrolled` checks them one by one in view instead.
      ...(scrolled ? { rules: { 'target-size': { enabled: false } } } : {}),
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) =>
        `${v.id} ${v.nodes[0]?.target.join(' ')} ${(v.nodes[0] as { failureSummary?: string })?.failureSummary ?? ''}`.slice(
          0,
          400,
        ),
      );
  }, scrolled);
  // Each control of a scrolling layer, brought into view: at least 24×24 px, and what a tap at its centre hits.
  if (scrolled)
    violations.push(
      ...(await page.evaluate((selector) => {
        const out: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>(selector)) {
          el.scrollIntoView({ block: 'center' });
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          if (r.width < 24 || r.height < 24) out.push(`target-size #${el.id} ${r.width}x${r.height}`);
          else if (hit !== el) out.push(`target-size #${el.id} obscured in view`);
        }
        return out;
      }, scrolled)),
    );
  return { page: name, ...(overflow > 0 ? { overflow } : {}), ...(violations.length ? { violations } : {}) };
}

async function phone(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 1,
    // axe is injected as a script; the pages' CSP would refuse it (the pages themselves are unchanged).
    bypassCSP: true,
  });
  return context.newPage();
}

/** Dismiss the cookie banner (its own layers are checked apart). */
async function noBanner(page: Page) {
  await page.context().addCookies([
    {
      name: 'ombud_consent',
      value: 'x',
      url: base,
    },
  ]);
  await page.evaluate(() => document.querySelector('.ombud[role=dialog]')?.remove());
}

describe('public pages on a 360 px phone, in en, sv and nb', () => {
  for (const lang of LANGS)
    test(`P25 every public page fits the screen and has no serious accessibility violation (${lang})`, async () => {
      const page = await phone();
      const findings: Finding[] = [];
      const visit = async (name: string, path: string) => {
        await page.goto(`${base}${path}`);
        await noBanner(page);
        findings.push(await check(page, `${name}-${lang}`));
      };
      await visit('landing', `/privacy?lang=${lang}`);
      for (const org of ORGS) await visit(`notice-${org}`, `/privacy/${org}?lang=${lang}`);
      await visit('request-form', `/privacy/requests/new?lang=${lang}`);
      await visit('error', `/privacy/preferences/abc?lang=${lang}`);

      // The request: form → code page → confirmation, as a customer goes through it.
      const email = `phone.${lang}@example.se`;
      await page.goto(`${base}/privacy/requests/new?lang=${lang}&company=bokhylla`);
      await noBanner(page);
      await page.locator('#email, input[name=email]').first().fill(email);
      await page
        .locator('input[name=type][value=access], select[name=type]')
        .first()
        .evaluate((el) => {
          if (el instanceof HTMLSelectElement) el.value = 'access';
          else (el as HTMLInputElement).checked = true;
        });
      await page.locator('form[action="/privacy/requests"] button[type=submit]').click();
      await page.waitForURL(/\/privacy\/requests\/verify/);
      await noBanner(page);
      findings.push(await check(page, `code-${lang}`));
      const mail = await t.smtp.waitFor((m) => m.to.includes(email));
      await page.locator('input[name=code]').fill(codeIn(mail)!);
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
      await noBanner(page);
      findings.push(await check(page, `confirmation-${lang}`));

      // The settings link: the answer page, and the preference center it leads to.
      await page.goto(`${base}/privacy?lang=${lang}`);
      await noBanner(page);
      await page.locator('#settings-email').fill(email);
      await page.locator('form[action="/privacy/settings-link"] button').click();
      await page.waitForLoadState();
      findings.push(await check(page, `settings-link-sent-${lang}`));
      const consent = await t.server.inject({
        method: 'POST',
        url: '/api/v1/organizations/nestit-group/consents',
        headers: t.origin,
        payload: {
          identity: { email },
          purpose: 'communication-subscription',
          channel: 'email',
          wording: 'Yes.',
          source: 'checkout',
        },
      });
      expect(consent.statusCode).toBe(201);
      const link = (
        await t.server.inject({
          method: 'POST',
          url: '/api/v1/organizations/nestit-group/preference-links',
          headers: t.origin,
          payload: { identity: { email } },
        })
      ).json();
      await visit('preferences', `${new URL(link.preferencesUrl).pathname}?lang=${lang}`);

      // The cookie banner's two layers, on a fresh visit.
      const fresh = await phone();
      await fresh.goto(`${base}/privacy/nestit-group?lang=${lang}`);
      await fresh.locator('.ombud[role=dialog]').waitFor();
      findings.push(await check(fresh, `banner-${lang}`));
      await fresh.locator('.ombud [data-a=prefs]').click();
      findings.push(
        await check(fresh, `banner-settings-${lang}`, { scrolled: '.ombud input, .ombud button' }),
      );
      await fresh.context().close();
      await page.context().close();

      // Written by hand: nothing overflows and nothing serious is found, on any page.
      expect(findings.filter((f) => f.overflow || f.violations)).toEqual([]);
      expect(findings.length).toBe(13);
    }, 180_000);
});
