/**
 * P44 the console's audience page in Chromium, on a real server (Ombud's database and the web shop on the
 * PostgreSQL server, the injected clock): per company the segments with purpose, basis, recipient, rule
 * and schedule; "run export now" (a form post from the page, same-origin as every console form) records
 * an export whose counts and files the page shows; a removal at once shows beside it. It fits 1280 px and
 * 360 px. Screenshots in test-results/screenshots/audiences-*.png. Hashes are computed here by hand.
 */
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { removeSubjectAtOnce } from '../../src/services/audience/exportSegment.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { type NestitSystems, nestitSystems } from '../support/nestit-systems.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NOW = new Date('2026-11-25T10:00:00Z');
const clock = { now: NOW };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const sqlTime = (daysAgo: number) =>
  new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');

let ts: TestServer;
let s: NestitSystems;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ts = await startTestServer({ kind: 'postgres', now: () => clock.now });
  s = await nestitSystems({ customers: 0, webshop: 'postgres' });
  ts.workers.subjectSystems = { datasets: s.datasets, connectors: s.connectors };
  // Three Swedish account holders with a recent order, and a guest (no account: never in the segment).
  const rows = [
    { id: 1, email: 'anna@example.se', account: true },
    { id: 2, email: 'Bo.Ek@gmail.com', account: true },
    { id: 3, email: 'filip@example.se', account: true },
    { id: 4, email: 'guest@example.se', account: false },
  ];
  for (const c of rows) {
    await s.webshop.connector.execute(
      `INSERT INTO customers (id, customer_number, email, country, created_at) VALUES (${c.id}, 'C${c.id}', '${c.email}', 'SE', '${sqlTime(400)}')`,
    );
    if (c.account)
      await s.webshop.connector.execute(
        `INSERT INTO accounts (id, customer_id, username, password_hash) VALUES (${c.id}, ${c.id}, 'u${c.id}', 'x')`,
      );
    await s.webshop.connector.execute(
      `INSERT INTO orders (id, customer_id, order_number, placed_at, total_cents) VALUES (${c.id}, ${c.id}, 'O${c.id}', '${sqlTime(20)}', 100)`,
    );
  }
  await ts.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(ts.server.server.address() as { port: number }).port}`;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await ts?.close();
  await s?.close();
});

test('P44 the audience page lists each company\'s segments; "run export now" records an export whose counts and files it shows; a removal at once beside it; it fits 1280 and 360 px', async () => {
  const [name, value] = ts.cookie.split(';')[0]!.split('=') as [string, string];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name, value, url: base }]);
  const page = await context.newPage();
  await page.goto(`${base}/console/audiences`);
  expect(await page.locator('h1').textContent()).toBe('Audience segments');
  expect(await page.locator('header nav a[aria-current="page"]').textContent()).toBe('Audiences');
  // The demo register's segments (examples/nestit/register/audiences.yaml), per company.
  const google = page.locator('#segment-nestit-sverige-recent-buyers-se-google');
  expect(await page.locator('#company-nestit-sverige h2').textContent()).toBe('NestIT Sverige AB');
  expect(await page.locator('#audiences-nestit-sverige tbody tr').count()).toBe(2);
  expect(await page.locator('#audiences-provendo tbody tr').count()).toBe(1);
  const cells = await google.locator('td').allTextContents();
  expect(cells[1]).toBe('ad-matchinglegitimate-interests');
  expect(cells[2]).toBe('google-adsgoogle-ads: email');
  expect(cells[3]).toBe('0 4 * * 1UTC');
  expect(cells[5]).toBe('Not exported yet.');

  // Run the export from the page.
  clock.now = new Date(NOW.getTime() + 60_000);
  await google.getByRole('button', { name: 'Run export now' }).click();
  await page.waitForURL(/\/console\/audiences\?ran=/);
  expect(await page.locator('#export-ran').textContent()).toBe(
    'exported recent-buyers-se-google: 3 members, 3 added, 0 removed, 0 skipped.',
  );
  const after = await google.locator('td').allTextContents();
  expect(after[4]).toBe('3');
  expect(after[5]).toMatch(/^2026-11-25 10:01manual by user:[\w-]+, rule google-ads@2$/);
  expect(after[6]).toBe('+3 / −0skipped 0');
  expect(after[7]).toBe('0');
  expect(after[8]).toBe('add 3 rowsmembers 3 rowsremove 0 rows');
  // The add file, downloaded through its link: Google's rule (gmail dots dropped), hashes only.
  const href = await google.getByRole('link', { name: 'add', exact: true }).getAttribute('href');
  const add = await context.request.get(`${base}${href}`);
  expect(add.status()).toBe(200);
  expect(await add.text()).toBe(
    `Email\n${['anna@example.se', 'boek@gmail.com', 'filip@example.se'].map(sha).sort().join('\n')}\n`,
  );

  // Filip objects to ad matching; the removal at once shows beside the last export.
  clock.now = new Date(NOW.getTime() + 120_000);
  const index = (await ts.app.registers.get())!.index;
  const keys = await consentKeys(ts.app.db, ts.app.config.secret, ts.app.config.secretKeys);
  await recordConsentEvent(
    ts.app.db,
    SYSTEM_ACTOR,
    keys,
    index,
    {
      orgId: 'nestit-sverige',
      identity: { email: 'filip@example.se' },
      purposeId: 'ad-matching',
      channel: '*',
      kind: 'object',
      source: 'preference-center',
      at: clock.now,
    },
    clock.now,
  );
  await removeSubjectAtOnce({ db: ts.app.db, keys, index, now: () => clock.now }, SYSTEM_ACTOR, {
    orgId: 'nestit-sverige',
    purposeIds: ['ad-matching'],
    identities: [{ kind: 'email', value: 'filip@example.se' }],
  });
  await page.goto(`${base}/console/audiences`);
  expect(await google.locator('.removal').textContent()).toBe(
    'removed at once 2026-11-25 10:02: 1 remove 1 rows',
  );
  // Meta's segment was never exported, so nothing was sent to remove.
  expect(await page.locator('#segment-nestit-sverige-recent-buyers-se-meta .removal').count()).toBe(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  await page.screenshot({ path: `${SCREENSHOTS}/audiences-1280.png`, fullPage: true });

  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto(`${base}/console/audiences`);
  // Nothing wider than the window (the tables scroll inside their cards).
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.screenshot({ path: `${SCREENSHOTS}/audiences-360.png`, fullPage: true });
  await context.close();
}, 120_000);
