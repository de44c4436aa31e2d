/**
 * Legal holds over HTTP on a real server with the demo systems (embedded): the API's answers (201, 400 and
 * 422 with field paths, the list, the lift) and the console page (holds due for review highlighted, the
 * place and lift forms). The app runs on an injected clock; review days are derived from it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/services/audit/auditLog.ts';
import type { RetentionWorker } from '../../src/services/retention/worker.ts';
import type { IsoDate } from '../../src/core/deadlines/iso-date.ts';
import { mailHoldsDueForReview } from '../../src/services/holds/holdDigest.ts';
import { tickingClock } from '../support/clock.ts';
import { postForm } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN, userWithRoles } from '../security/helpers.ts';

const START = '2026-11-25T09:00:00Z';
let ts: TestServer;
const day = (offset: number) =>
  new Date(ts.app.now().getTime() + offset * 86_400_000).toISOString().slice(0, 10);
const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  ts.server.inject({
    method,
    url,
    headers: { cookie: ts.cookie, ...SAME_ORIGIN, accept: 'application/json' },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const count = async (sql: string) => Number((await ts.app.db.query<{ n: number }>(sql))[0]!.n);

beforeAll(async () => {
  ts = await startTestServer({ fulfilment: 'embedded', now: tickingClock(START) });
  const systems = ts.workers.subjectSystems!;
  ts.workers.retention = {
    systems,
    deps: async (actor: Actor) => ({
      db: ts.app.db,
      actor,
      index: (await ts.app.registers.get())!.index,
      datasets: systems.datasets,
      connectors: systems.connectors,
      secret: ts.app.config.secret!,
      now: ts.app.now,
    }),
    stop: async () => {},
  } as unknown as RetentionWorker;
}, 120_000);
afterAll(async () => {
  await ts?.close();
});

describe('legal holds over HTTP', () => {
  test('P14 P46 a bad hold is a 422 naming each field; a malformed one a 400 with its path; nothing is stored', async () => {
    const bad = await call('POST', '/api/v1/organizations/nestit-sverige/holds', {
      reasonKind: 'legal-rule',
      ruleId: 'no-such-rule',
      reason: 'Decision 2026-1',
      scope: { kind: 'collection', dataset: 'nestit_customer_service', collection: 'no_such_table' },
      reviewOn: day(-1),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'ruleId',
      'scope.collection',
      'reviewOn',
    ]);
    const subject = await call('POST', '/api/v1/organizations/nestit-sverige/holds', {
      reasonKind: 'dispute',
      reason: 'Dispute 2026-2',
      scope: { kind: 'subject' },
      reviewOn: day(30),
    });
    expect(subject.statusCode).toBe(422);
    expect(subject.json().errors.map((e: { path: string }) => e.path)).toEqual(['scope.email']);
    const malformed = await call('POST', '/api/v1/organizations/nestit-sverige/holds', {
      reasonKind: 'whim',
      reason: '',
      scope: { kind: 'subject', email: 'not an address' },
      reviewOn: 'soon',
    });
    expect(malformed.statusCode).toBe(400);
    const paths = malformed.json().errors.map((e: { path: string }) => e.path);
    for (const p of ['body.reasonKind', 'body.reason', 'body.scope.email', 'body.reviewOn'])
      expect(paths).toContain(p);
    expect(malformed.body).not.toContain('not an address');
    expect(await count('SELECT count(*)::int AS n FROM legal_holds')).toBe(0);
  });

  test('P14 P46 a hold on a collection marks its rows, is listed, shows as due for review on the console near its day, and is lifted by form', async () => {
    const cases = await count('SELECT count(*)::int AS n FROM demo_customer_service.cases');
    expect(cases).toBeGreaterThan(0);
    const reviewOn = day(10);
    const placed = await call('POST', '/api/v1/organizations/nestit-sverige/holds', {
      reasonKind: 'authority-decision',
      reason: 'IMY decision DI-2026-1234: keep the case files',
      scope: { kind: 'collection', dataset: 'nestit_customer_service', collection: 'cases' },
      reviewOn,
    });
    expect(placed.statusCode).toBe(201);
    const hold = placed.json();
    expect(hold).toMatchObject({
      orgId: 'nestit-sverige',
      reasonKind: 'authority-decision',
      ruleId: null,
      scope: { kind: 'collection', dataset: 'nestit_customer_service', collection: 'cases' },
      reviewOn,
      review: 'later',
      rowsHeld: cases,
      liftedAt: null,
    });
    expect(
      await count(
        `SELECT count(*)::int AS n FROM demo_customer_service.ombud_restrictions WHERE request_id = 'hold:${hold.id}'`,
      ),
    ).toBe(cases);

    const list = await call('GET', '/api/v1/organizations/nestit-sverige/holds?standing=true');
    expect(list.statusCode).toBe(200);
    expect(list.json().holds.map((h: { id: string }) => h.id)).toEqual([hold.id]);
    expect((await call('GET', '/api/v1/organizations/provendo/holds')).json().holds).toEqual([]);

    const page = () =>
      ts.server.inject({
        method: 'GET',
        url: '/console/holds',
        headers: { cookie: ts.cookie, accept: 'text/html' },
      });
    // Its review day is ten days on: listed as due soon (within a week) five days on; highlighted when due.
    const first = await page();
    expect(first.statusCode).toBe(200);
    expect(first.body).not.toContain('id="holds-due"');
    expect(first.body).toContain(`<tr id="hold-${hold.id}">`);
    const soon = await call('POST', '/api/v1/organizations/nestit-sverige/holds', {
      reasonKind: 'dispute',
      reason: 'Claim 2026-12, review in five days',
      scope: { kind: 'subject', email: 'nobody.held@example.test' },
      reviewOn: day(5),
    });
    expect(soon.json()).toMatchObject({ review: 'due-soon', rowsHeld: 0 });
    const html = (await page()).body;
    expect(html).toContain('id="holds-due"');
    expect(html).toContain(`<tr id="hold-${soon.json().id}" class="due">`);
    expect(html).toContain(`<tr id="hold-${hold.id}">`);
    expect(html).toContain('review soon');
    expect(html).toContain('action="/console/holds"');
    expect(html).toContain(`action="/console/holds/${hold.id}/lift"`);
    expect((await call('GET', '/api/v1/organizations/nestit-sverige/holds')).json().holds[0].review).toBe(
      'due-soon',
    );

    // A second hold placed through the console's form, on the same collection; then both lifted.
    const form = await postForm(
      ts.server,
      '/console/holds',
      {
        orgId: 'nestit-sverige',
        reasonKind: 'legal-rule',
        ruleId: 'legal-hold',
        reason: 'Claim 2026-77 under negotiation',
        scopeKind: 'collection',
        dataset: 'nestit_customer_service',
        collection: 'cases',
        reviewOn: day(60),
      },
      { cookie: ts.cookie, ...SAME_ORIGIN },
    );
    expect(form.statusCode).toBe(303);
    const [second] = await ts.app.db.query<{ id: string }>(
      "SELECT id FROM legal_holds WHERE rule_id = 'legal-hold'",
    );
    // The first hold's lift leaves every row under the second.
    const lifted = await call('POST', `/api/v1/holds/${hold.id}/lift`, {
      reason: 'Decision appealed and reversed',
    });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json()).toMatchObject({ markersRemoved: 0, markersRestored: 0, review: 'lifted' });
    expect(
      await count(
        `SELECT count(*)::int AS n FROM demo_customer_service.ombud_restrictions WHERE request_id = 'hold:${second!.id}'`,
      ),
    ).toBe(cases);
    const byForm = await postForm(
      ts.server,
      `/console/holds/${second!.id}/lift`,
      { reason: 'Claim settled' },
      { cookie: ts.cookie, ...SAME_ORIGIN },
    );
    expect(byForm.statusCode).toBe(303);
    expect(
      await count(
        "SELECT count(*)::int AS n FROM demo_customer_service.ombud_restrictions WHERE request_id LIKE 'hold:%'",
      ),
    ).toBe(0);
    const again = await call('POST', `/api/v1/holds/${hold.id}/lift`, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect(
      (
        await ts.app.db.query<{ action: string }>(
          "SELECT action FROM audit_log WHERE action LIKE 'hold.%' ORDER BY seq",
        )
      ).map((a) => a.action),
    ).toEqual(['hold.place', 'hold.place', 'hold.place', 'hold.lift', 'hold.lift']);
  }, 180_000);

  test('P14 P46 a company keeps only its own rows: a hold on a shared system needs holds:write in every company whose rows it holds; the company DPO is refused, nothing marked, and does not see the group-wide hold', async () => {
    // Hand-written: every purpose of the web shop is the four companies' (examples/nestit/register/purposes).
    const everyCompany = ['nestit-sverige', 'bokhylla', 'nestit-group', 'provendo'];
    const dpo = await userWithRoles(ts.app, ts.server, 'hold-dpo-sverige', [
      { orgId: 'nestit-sverige', role: 'dpo' },
    ]);
    const as = (cookie: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      ts.server.inject({
        method,
        url,
        headers: { cookie, ...SAME_ORIGIN, accept: 'application/json' },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const body = {
      reasonKind: 'dispute',
      reason: 'Claim 2026-31 about the shop',
      scope: { kind: 'system', system: 'webshop' },
      reviewOn: day(40),
    };
    const holdsBefore = await count('SELECT count(*)::int AS n FROM legal_holds');
    const refused = await as(dpo.cookie, 'POST', '/api/v1/organizations/nestit-sverige/holds', body);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    for (const o of everyCompany) expect(refused.json().detail).toContain(o);
    expect(await count('SELECT count(*)::int AS n FROM legal_holds')).toBe(holdsBefore);
    // Nothing marked in the shop (its marker table is made by the first marker).
    const shopMarkers = async () =>
      (await count(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'demo_webshop' AND tablename = 'ombud_restrictions'",
      ))
        ? count(
            "SELECT count(*)::int AS n FROM demo_webshop.ombud_restrictions WHERE request_id LIKE 'hold:%'",
          )
        : 0;
    expect(await shopMarkers()).toBe(0);
    // The same hold on a data subject is the company's own: allowed, and it speaks for that company only.
    const own = await as(dpo.cookie, 'POST', '/api/v1/organizations/nestit-sverige/holds', {
      ...body,
      scope: { kind: 'subject', email: 'nobody.shared@example.test' },
    });
    expect(own.statusCode).toBe(201);
    expect(own.json().companies).toEqual(['nestit-sverige']);

    // The group owner may: the hold speaks for every company, placing one first.
    const group = await call('POST', '/api/v1/organizations/nestit-sverige/holds', body);
    expect(group.statusCode).toBe(201);
    expect(group.json().companies).toEqual(['nestit-sverige', 'bokhylla', 'nestit-group', 'provendo']);
    const customers = await count('SELECT count(*)::int AS n FROM demo_webshop.customers');
    expect(
      await count(
        `SELECT count(*)::int AS n FROM demo_webshop.ombud_restrictions WHERE request_id = 'hold:${group.json().id}' AND collection_name = 'customers'`,
      ),
    ).toBe(customers);
    // The company DPO sees only the hold it may act on, and cannot lift the other (not found).
    const seen = (await as(dpo.cookie, 'GET', '/api/v1/organizations/nestit-sverige/holds')).json().holds;
    const ids = seen.map((h: { id: string }) => h.id);
    expect(ids).toContain(own.json().id);
    expect(ids).not.toContain(group.json().id);
    const lift = await as(dpo.cookie, 'POST', `/api/v1/holds/${group.json().id}/lift`, { reason: 'mine?' });
    expect(lift.statusCode).toBe(404);
    for (const h of [group.json().id, own.json().id])
      expect((await call('POST', `/api/v1/holds/${h}/lift`, { reason: 'Claim withdrawn' })).statusCode).toBe(
        200,
      );
    expect(await shopMarkers()).toBe(0);
  }, 180_000);

  test('P14 P46 the daily digest mails the privacy team the holds whose review day has come or is within a week, without the subject', async () => {
    const placed = await call('POST', '/api/v1/organizations/provendo/holds', {
      reasonKind: 'dispute',
      reason: 'Claim NO-2026-3 about a delivery',
      scope: { kind: 'subject', email: 'digest.subject@example.test' },
      reviewOn: day(3),
    });
    expect(placed.statusCode).toBe(201);
    const later = await call('POST', '/api/v1/organizations/provendo/holds', {
      reasonKind: 'dispute',
      reason: 'Claim NO-2026-4, reviewed in a month',
      scope: { kind: 'subject', email: 'later.subject@example.test' },
      reviewOn: day(30),
    });
    expect(later.statusCode).toBe(201);
    const res = await mailHoldsDueForReview(ts.app.db, {
      to: 'dpo@nestit.example',
      today: day(0) as IsoDate,
      publicUrl: 'https://ombud.example',
      now: ts.app.now(),
    });
    const [mail] = await ts.app.db.query<{ subject: string; body: string }>(
      "SELECT subject, body FROM mail_outbox WHERE template = 'digest' AND to_address = 'dpo@nestit.example' ORDER BY created_at DESC LIMIT 1",
    );
    expect(mail!.body).toContain(`review soon ${day(3)}  provendo  dispute  a data subject, in every system`);
    expect(mail!.body).not.toContain(day(30));
    expect(mail!.body).not.toContain('digest.subject@example.test');
    expect(mail!.body).toContain('https://ombud.example/console/holds');
    // Every standing hold due within the week is listed: one line each.
    const lines = mail!.body.split('\n').filter((l) => l.includes('/console/holds'));
    expect(lines.length).toBe(res.holds);
    expect(mail!.subject).toMatch(/^Ombud: \d+ legal holds? to review$/);
    expect(res.mails).toBe(1);
  });
});
