/**
 * Breaches over HTTP on a real server with the embedded demo systems, on an injected clock: record, scope,
 * assess and draft through the API (problems for bad input), the drafts' PDF and JSON, and the console
 * page in Chromium (clock, scope, chart, timeline), with a screenshot, and its forms (the risk decided,
 * the authorities marked notified), with a screenshot; the people affected told by the queued job (pressed
 * from the page and the API, one job, each person once). Expected counts come from a
 * hand-written query over the embedded web shop's seeded rows.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, SCREENSHOTS, sectionRows } from '../support/browser.ts';
import { sessionCookie, signIn } from '../support/http.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';
import { BreachTellQueue } from '../../src/services/breaches/tellJob.ts';
import { groupOf } from '../../src/services/register/group.ts';
import { startSmtp, type SmtpCatcher } from '../requests/support.ts';

// The injected clock stands still unless the test moves it.
let clock = new Date('2026-11-25T09:00:00Z');
let ts: TestServer;
let browser: Browser;
let base: string;
let cookie = '';
let smtp: SmtpCatcher;
const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  ts.server.inject({
    method,
    url,
    headers: { cookie, ...SAME_ORIGIN, accept: 'application/json' },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

beforeAll(async () => {
  ts = await startTestServer({ fulfilment: 'embedded', now: () => clock });
  await ts.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = ts.server.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
  cookie = ts.cookie;
  smtp = await startSmtp();
  ts.configure({ smtpUrl: smtp.url, mailFrom: 'NestIT privacy <privacy@nestit.example>' });
  // The telling job's queue and its worker, as `ombud start` runs them over the demo systems.
  const app = ts.app;
  await BreachTellQueue.start(
    app,
    ts.workers,
    async () => ({
      deps: {
        db: app.db,
        now: app.now,
        index: (await app.registers.get())!.index,
        systems: ts.workers.subjectSystems!,
        secret: app.config.secret!,
        smtp: { url: app.config.smtpUrl, from: app.config.mailFrom },
      },
      group: await groupOf(app.registers),
    }),
    { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 },
  );
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await ts?.close();
  await smtp?.close();
});

describe('breaches over HTTP and in the console', () => {
  let id = '';
  test('bad input is a 400 or 422 naming the fields; nothing is stored', async () => {
    const malformed = await call('POST', '/api/v1/breaches', { title: 'x', affected: [] });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    const now = ts.app.now().toISOString();
    const res = await call('POST', '/api/v1/breaches', {
      title: 'Wrong order',
      description: 'Aware before detected',
      detectedAt: now,
      awareAt: new Date(ts.app.now().getTime() - 3_600_000).toISOString(),
      affected: [{ dataset: 'nestit_webshop', collection: 'orders' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['awareAt']);
    const created = await call('POST', '/api/v1/breaches', {
      title: 'Unknown table',
      description: 'Scope fails',
      detectedAt: now,
      awareAt: now,
      affected: [{ dataset: 'nestit_webshop', collection: 'no_such_table' }],
    });
    expect(created.statusCode).toBe(201);
    const scoped = await call('POST', `/api/v1/breaches/${created.json().id}/scope`);
    expect(scoped.statusCode).toBe(422);
    expect(scoped.json().errors.map((e: { path: string }) => e.path)).toEqual(['affected.0.collection']);
  });

  test('recorded, scoped, assessed and drafted over the API; the clock overdue after 72 h', async () => {
    const aware = new Date(ts.app.now().getTime() - 30 * 3_600_000);
    const res = await call('POST', '/api/v1/breaches', {
      title: 'Customer list exported to a shared drive',
      description: 'A customer list of the web shop was exported to a drive shared with a supplier.',
      detectedAt: new Date(aware.getTime() - 7_200_000).toISOString(),
      awareAt: aware.toISOString(),
      affected: [{ dataset: 'nestit_webshop', collection: 'customers' }],
      containment: 'The file was deleted and the share closed.',
      consequences: 'Your name and contact details may have been seen by the supplier’s staff.',
      measures: 'The supplier confirmed the deletion in writing.',
    });
    expect(res.statusCode).toBe(201);
    id = res.json().id;
    expect(res.json().clock).toMatchObject({ state: 'running', words: '42 h 0 min left' });
    const scoped = await call('POST', `/api/v1/breaches/${id}/scope`);
    expect(scoped.statusCode).toBe(200);
    // Hand-written: the embedded web shop's customers per country.
    const rows = await ts.app.db.query<{ country: string; n: string }>(
      'SELECT country, count(*) AS n FROM demo_webshop.customers GROUP BY country ORDER BY country',
    );
    const byCountry = Object.fromEntries(rows.map((r) => [r.country, Number(r.n)]));
    const expected = [
      ...(byCountry.SE ? [{ orgId: 'nestit-sverige', authorityId: 'se-imy', subjects: byCountry.SE }] : []),
      ...(byCountry.NO
        ? [{ orgId: 'provendo', authorityId: 'no-datatilsynet', subjects: byCountry.NO }]
        : []),
    ];
    expect(
      scoped.json().scope.controllers.map((c: { orgId: string; authorityId: string; subjects: number }) => ({
        orgId: c.orgId,
        authorityId: c.authorityId,
        subjects: c.subjects,
      })),
    ).toEqual(expected);
    const assessed = await call('POST', `/api/v1/breaches/${id}/assessment`, {
      level: 'risk',
      reason: 'Contact details seen by a known supplier under contract; no special categories.',
    });
    expect(assessed.statusCode).toBe(200);
    expect(assessed.json().decision).toBe('notify');
    const drafted = await call('POST', `/api/v1/breaches/${id}/notifications`, {});
    expect(drafted.statusCode).toBe(201);
    const first = drafted.json().notifications[0];
    const json = await call('GET', `/api/v1/breaches/${id}/notifications/${first.id}`);
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ breach: res.json().reference, phase: 1, kind: 'initial' });
    const pdf = await call('GET', `/api/v1/breaches/${id}/notifications/${first.id}?format=pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    // 43 hours later: past the 72 hours.
    clock = new Date(clock.getTime() + 43 * 3_600_000);
    // The session has ended by then: sign in again.
    cookie = sessionCookie(await signIn(ts.server, TEST_ADMIN));
    const late = await call('GET', `/api/v1/breaches/${id}`);
    expect(late.json().clock).toMatchObject({ state: 'overdue', late: true });
    const list = await call('GET', '/api/v1/breaches');
    expect(list.json().breaches.find((b: { id: string }) => b.id === id).clock.state).toBe('overdue');
  }, 120_000);

  test('the console page: clock, scope with the chart per company and category, timeline (screenshot)', async () => {
    const [name, value] = cookie.split(';')[0]!.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/console/breaches`);
    expect(await page.locator('h1').textContent()).toBe('Personal data breaches');
    // The owner's every section, Breaches among them, still stands on one row at 1280 px.
    expect(await sectionRows(page)).toEqual({ rows: 1, belowBrand: true });
    expect(await page.locator('tr.due').count()).toBeGreaterThan(0);
    await page.click(`a[href="/console/breaches/${id}"]`);
    expect(await page.locator('#clock').textContent()).toContain('OVERDUE');
    expect(await page.locator('#breach-scope svg title').textContent()).toBe(
      'People affected per company and category',
    );
    expect(await page.locator('#breach-timeline tbody tr').count()).toBe(4);
    await page.screenshot({ path: `${SCREENSHOTS}/console-breach.png`, fullPage: true });
    await context.close();
  });

  test('the console forms: the risk decided and the authorities marked notified from the page (screenshot)', async () => {
    const [name, value] = cookie.split(';')[0]!.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/console/breaches/${id}`);
    // Decided as a risk over the API: no telling form yet.
    expect(await page.locator('form[action$="/tell"]').count()).toBe(0);
    await page.selectOption('#risk-level', 'high-risk');
    await page.check('input[name="vulnerableSubjects"]');
    await page.fill('#risk-reason', 'Children’s accounts among the customers: tell them.');
    await Promise.all([
      page.waitForURL(`${base}/console/breaches/${id}`),
      page.click('text=Record the decision'),
    ]);
    const risk = await page.locator('#breach-risk').textContent();
    expect(risk).toContain('high-risk by');
    expect(risk).toContain('Children’s accounts among the customers: tell them.');
    expect(await page.locator('#breach-timeline tbody tr').count()).toBe(5);
    expect(await page.locator('#breach-timeline tbody tr').last().textContent()).toContain(
      'Risk decided: high-risk',
    );
    // Stored as the API reads it, with the box ticked.
    const read = await call('GET', `/api/v1/breaches/${id}`);
    expect(read.json().risk).toMatchObject({ level: 'high-risk', factors: { vulnerableSubjects: true } });
    // High risk: the form to tell the people affected appears.
    expect(await page.locator('form[action$="/tell"]').count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}/console-breach-actions.png`, fullPage: true });
    await Promise.all([
      page.waitForURL(`${base}/console/breaches/${id}`),
      page.click('text=Mark the authorities notified now'),
    ]);
    expect(await page.locator('#clock').textContent()).toContain('notified');
    expect(await page.locator('form[action$="/notified"]').count()).toBe(0);
    await context.close();
  });

  test('the people affected told by the queued job: tell pressed twice, one job, the page shows the counts (Art. 34)', async () => {
    // Hand-written: the embedded web shop's customers with an address, per country (the breach is of the
    // whole customers table: Swedes told by NestIT Sverige, Norwegians by Provendo).
    const [{ n }] = (await ts.app.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM demo_webshop.customers WHERE email IS NOT NULL AND country IN ('SE', 'NO')",
    )) as [{ n: string }];
    const people = Number(n);
    expect(people).toBeGreaterThan(0);
    const [name, value] = cookie.split(';')[0]!.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/console/breaches/${id}`);
    await Promise.all([
      page.waitForURL(`${base}/console/breaches/${id}`),
      page.click('text=Tell the people affected'),
    ]);
    // The API's press right after: answered at once with the progress so far, no second job.
    const api = await call('POST', `/api/v1/breaches/${id}/tell`, {});
    expect(api.statusCode).toBe(202);
    expect(Object.keys(api.json()).sort()).toEqual(['failed', 'listed', 'queued', 'sent']);
    // Once the job has run: every person told, once; the page shows the counts.
    const deadline = Date.now() + 60_000;
    while (!((await call('GET', `/api/v1/breaches/${id}`)).json().tell.sent === people)) {
      if (Date.now() > deadline) throw new Error('the telling job did not finish');
      await new Promise((r) => setTimeout(r, 250));
    }
    const jobs = await ts.app.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'ombud-breach-tell'",
    );
    expect(jobs[0]!.n).toBe(1);
    expect(smtp.mails.length).toBe(people);
    expect(new Set(smtp.mails.map((m) => m.to[0])).size).toBe(people);
    await page.goto(`${base}/console/breaches/${id}`);
    // The job's "told" line follows the "queued" one on the timeline (wait for it: written after the counts).
    const end = Date.now() + 30_000;
    while (await page.locator('#tell-running').count()) {
      if (Date.now() > end) throw new Error('the telling is still shown as running');
      await new Promise((r) => setTimeout(r, 250));
      await page.reload();
    }
    expect(await page.locator('#breach-tell p').first().textContent()).toBe(
      `${people} of ${people} told; 0 listed, 0 waiting in the outbox, 0 failed.`,
    );
    const lines = await page.locator('#breach-timeline tbody tr').allTextContents();
    expect(lines.filter((l) => l.includes('Telling queued')).length).toBe(1);
    // The job ran as the person who pressed: the same "Who" on both lines.
    const who = (l: string) => l.match(/user:[0-9a-f-]{36}/)?.[0];
    const queuedBy = who(lines.find((l) => l.includes('Telling queued'))!);
    expect(queuedBy).toBeDefined();
    expect(who(lines.find((l) => l.includes('People told'))!)).toBe(queuedBy);
    expect(lines.some((l) => l.includes(`People told (Art. 34): ${people} sent, 0 waiting, 0 failed`))).toBe(
      true,
    );
    await page.screenshot({ path: `${SCREENSHOTS}/console-breach-told.png`, fullPage: true });
    await context.close();
  }, 120_000);
});
