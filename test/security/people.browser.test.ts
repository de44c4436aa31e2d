/**
 * An invitation in Chromium (issue 16, item 3): the DPO invites a person from the people page in Swedish,
 * the mail arrives at a real SMTP server on loopback, the person follows its link in the browser, sets a
 * password and signs in; the DPO then sees them active, with their history on their page. Screenshots
 * in test-results/screenshots (people-*.png).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type DeskServer, startDesk } from '../requests/support.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';

let ts: DeskServer;
let browser: Browser;
let base = '';

beforeAll(async () => {
  ts = await startDesk();
  await ts.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(ts.server.server.address() as { port: number }).port}`;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

test('an invitation arrives by mail and is accepted in the browser (screenshots)', async () => {
  const [name, value] = ts.cookie.split(';')[0]!.split('=') as [string, string];
  const dpo = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
  await dpo.addCookies([{ name, value, url: base }]);
  const page = await dpo.newPage();
  await page.goto(`${base}/console/users`);
  await page.fill('#email', 'sara.lind@staff.example');
  await page.fill('#name', 'Sara Lind');
  await page.selectOption('#orgId', 'bokhylla');
  await page.selectOption('#role', 'auditor');
  await page.selectOption('#lang', 'sv');
  await page.click('form[action="/console/users/invite"] button[type=submit]');
  await page.waitForSelector('text=Invitation mailed');
  const row = page.locator('tr', { hasText: 'Sara Lind' });
  await expect(row.textContent()).resolves.toContain('invited, not yet accepted');
  await expect(row.textContent()).resolves.toContain('Auditor (read-only) at Bokhyllan Nordic AB');
  await page.screenshot({ path: `${SCREENSHOTS}/people-invited.png`, fullPage: true });

  const mail = await ts.smtp.waitFor((m) => m.to.includes('sara.lind@staff.example'));
  expect(mail.subject).toBe('Du är inbjuden till Ombud hos Bokhyllan Nordic AB');
  const link = new URL(mail.text.match(/https?:\/\/\S+\/console\/reset\?token=[A-Za-z0-9_-]{43}/)![0]);

  // The invitee: a browser of their own, following the mailed link.
  const invitee = await browser.newContext({ viewport: { width: 390, height: 800 } });
  const p2 = await invitee.newPage();
  await p2.goto(`${base}${link.pathname}${link.search}`);
  await p2.screenshot({ path: `${SCREENSHOTS}/people-set-password.png`, fullPage: true });
  await p2.fill('#password', 'sara has a long passphrase');
  await p2.click('button[type=submit]');
  await p2.waitForURL(/\/console\/login/);
  await p2.fill('input[name=email]', 'sara.lind@staff.example');
  await p2.fill('input[name=password]', 'sara has a long passphrase');
  await p2.click('form[action="/console/login"] button[type=submit]');
  await p2.waitForURL((u) => !u.pathname.startsWith('/console/login'));
  await p2.screenshot({ path: `${SCREENSHOTS}/people-signed-in.png`, fullPage: true });
  expect(p2.url()).toContain('/console');

  // The link a second time: its own page.
  await p2.goto(`${base}${link.pathname}${link.search}`);
  await expect(p2.textContent('h1')).resolves.toBe('This link cannot be used');

  await page.goto(`${base}/console/users`);
  await expect(page.locator('tr', { hasText: 'Sara Lind' }).textContent()).resolves.not.toContain('invited');
  await page.click('a:has-text("Sara Lind")');
  await page.waitForSelector('text=Invitation accepted, password set');
  await page.screenshot({ path: `${SCREENSHOTS}/people-person.png`, fullPage: true });
  await invitee.close();
  await dpo.close();
}, 120_000);
