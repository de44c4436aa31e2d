/**
 * An auditor pages through 1,000,000 audit entries in Chromium and finds one person's by name (issue 16,
 * item 2), on the PostgreSQL server. A few real entries are made through the app (Ada's sign-in and
 * searches, written to the keyed chain); the million are inserted with one set-based statement on the
 * server (generate_series), because a million appends through the chain would take far longer than the
 * test is about: paging and searching at volume, by key and index. Those rows do not chain (the chain
 * check is tested in audit-auditor.test.ts). Screenshots in test-results/screenshots (audit-*.png).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { userWithRoles } from './helpers.ts';

let ts: TestServer;
let browser: Browser;
let base = '';
let ada: { userId: string; cookie: string };

beforeAll(async () => {
  ts = await startTestServer({ kind: 'postgres' });
  await ts.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(ts.server.server.address() as { port: number }).port}`;
  ada = await userWithRoles(ts.app, ts.server, 'ada', [{ orgId: 'provendo', role: 'auditor' }]);
  await ts.app.db.query(`UPDATE users SET name = 'Ada Auditor' WHERE id = $1`, [ada.userId]);
  // Ada's own entries, through the app: her searches of the log.
  for (const q of ['action=subject.', 'org=provendo'])
    await ts.server.inject({ method: 'GET', url: `/console/audit?${q}`, headers: { cookie: ada.cookie } });
  const [owner] = await ts.app.db.query<{ id: string }>('SELECT id FROM users WHERE is_owner LIMIT 1');
  await ts.app.db.query(
    `INSERT INTO audit_log (at, actor, org_id, action, target, details, prev_hash, hash)
     SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '10 seconds',
            CASE g % 3 WHEN 0 THEN 'system:ombud' ELSE $1 END,
            (ARRAY['provendo', 'bokhylla', 'nestit-sverige'])[1 + g % 3],
            (ARRAY['subject.read', 'request.verify', 'consent.record', 'retention.run'])[1 + g % 4],
            'subject:' || g, '{}'::jsonb, repeat('0', 64), md5(g::text) || md5(g::text)
       FROM generate_series(1, 1000000) AS g`,
    [`user:${owner!.id}`],
  );
  browser = await launchBrowser();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

test('an auditor pages through 1,000,000 entries and finds one by actor name (screenshots)', async () => {
  const [{ n }] = (await ts.app.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')) as [
    { n: string },
  ];
  expect(Number(n)).toBeGreaterThan(1_000_000);
  const [name, value] = ts.cookie.split(';')[0]!.split('=') as [string, string];
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await ctx.addCookies([{ name, value, url: base }]);
  const page = await ctx.newPage();
  await page.goto(`${base}/console/audit`);
  const rows = () => page.locator('tbody tr').count();
  expect(await rows()).toBe(50);
  const span = async () =>
    (await page.textContent('.card p.muted'))!
      .match(/entries (\d+)–(\d+)/)!
      .slice(1)
      .map(Number);
  const [low1, high1] = await span();
  expect(high1! - low1!).toBe(49);
  // Three pages older, one back.
  for (let i = 0; i < 3; i++)
    await Promise.all([page.waitForNavigation(), page.click('a[rel=next] >> nth=0')]);
  const [low4, high4] = await span();
  expect(high4).toBe(low1! - 101);
  expect(low4).toBe(low1! - 150);
  await Promise.all([page.waitForNavigation(), page.click('a[rel=prev] >> nth=0')]);
  const [low3] = await span();
  expect(low3).toBe(low1! - 100);
  expect(await rows()).toBe(50);
  await page.screenshot({ path: `${SCREENSHOTS}/audit-paging.png`, fullPage: true });

  // Ada by name, through the POST form: her few entries among the million.
  await page.fill('#who', 'ada');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/audit/actor"] button')]);
  expect(page.url()).toContain(`actor=user%3A${ada.userId}`);
  await expect(page.textContent('form[role=search]')).resolves.toContain('Actor: Ada Auditor');
  const actors = await page.locator('tbody tr td:nth-child(3)').allTextContents();
  // Her sign-in and her two searches.
  expect(actors).toEqual(['Ada Auditor', 'Ada Auditor', 'Ada Auditor']);
  const actions = await page.locator('tbody tr td:nth-child(5)').allTextContents();
  expect(actions).toEqual(['audit.search', 'audit.search', 'auth.login']);
  await page.screenshot({ path: `${SCREENSHOTS}/audit-found.png`, fullPage: true });
  await ctx.close();
}, 300_000);
