/**
 * Issue 16's "done means" for group work, in Debian chromium against a real server: a group erasure for a
 * customer of the demo web shop, known at all four companies, is approved once on the group request's page
 * (four company requests approved), and the manual tasks the erasures leave are ticked off on the task list
 * with one note per system; every company request then completes. Screenshots in test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customerEmail } from '../../src/demo/systems/seed.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { launchBrowser } from '../support/browser.ts';
import { FOUR, groupOfFour } from './groupSupport.ts';
import { type DeskServer, startDesk } from './support.ts';

describe('a group erasure in one approval and one tick-off per system, in a browser', () => {
  let s: DeskServer;
  let d: DeskApi;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded', fulfilmentOptions: { recipients: {} } });
    await s.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(s.server.server.address() as AddressInfo).port}`;
    d = await deskApi(s);
    browser = await launchBrowser();
    mkdirSync('test-results', { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const openTasks = async () =>
    s.app.db.query<{ system_id: string; n: string | number }>(
      `SELECT system_id, count(*) AS n FROM fulfilment_recipient_tasks WHERE status IN ('open', 'sent', 'unanswered') GROUP BY system_id ORDER BY system_id`,
    );

  test('one approval for four companies, one bulk tick-off per system, every company request completed', async () => {
    const email = customerEmail(4);
    const { parent, children } = await groupOfFour(d, email);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const [name, value] = s.cookie.split('=') as [string, string];
    await ctx.addCookies([{ name, value, url: base }]);
    const p = await ctx.newPage();

    await p.goto(`${base}/console/requests/${parent}`);
    await p.getByRole('heading', { name: 'Decide for every company' }).waitFor();
    await p.screenshot({ path: 'test-results/group-decide.png', fullPage: true });
    await Promise.all([p.waitForURL(`${base}/console/requests/${parent}`), p.click('text=Approve all 4')]);
    for (const org of FOUR)
      expect((await d.request(children[org]!)).timeline.map((e: { kind: string }) => e.kind)).toContain(
        'approved',
      );

    // The erasures run; the systems without an interface get manual tasks.
    const end = Date.now() + 60_000;
    let runs: string[] = [];
    while (Date.now() < end) {
      runs = await Promise.all(FOUR.map(async (o) => (await d.fulfilment(children[o]!))?.status ?? 'none'));
      if (runs.every((r) => r === 'waiting' || r === 'completed')) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(runs.some((r) => r === 'waiting')).toBe(true);
    const systems = await openTasks();
    expect(systems.length).toBeGreaterThan(0);

    await p.goto(`${base}/console/fulfilment/tasks`);
    await p.screenshot({ path: 'test-results/group-tasks.png', fullPage: true });
    expect(await p.content()).not.toContain(email);
    for (const { system_id: system, n } of systems) {
      await p.goto(`${base}/console/fulfilment/tasks?system=${system}`);
      await p.fill(`#bulk-${system}-note`, `Erased in ${system} by hand, ticket 4711`);
      await Promise.all([
        p.waitForURL(`${base}/console/fulfilment/tasks`),
        p.click(`#bulk-${system} button[type=submit]`),
      ]);
      expect(await p.content()).not.toContain(`<h2>${system} · `);
      expect(Number(n)).toBeGreaterThan(0);
    }
    await p.screenshot({ path: 'test-results/group-tasks-done.png', fullPage: true });
    expect(await openTasks()).toEqual([]);
    for (const org of FOUR) await d.waitForState(children[org]!, 'completed', 60_000);
    await p.goto(`${base}/console/requests/${parent}`);
    await p.screenshot({ path: 'test-results/group-completed.png', fullPage: true });
    expect(await p.locator('#group-children td.state').allTextContents()).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    await ctx.close();
  }, 180_000);
});
