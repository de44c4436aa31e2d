/**
 * Retention enforcement on the real servers: the demo web shop (PostgreSQL, or MariaDB) and customer
 * service (MariaDB), seeded deterministically, swept with an injected day. What each rule should leave
 * is computed here row by row with the pure retention arithmetic and compared with what the sweep left.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { addDays } from '../../src/core/deadlines/iso-date.ts';
import {
  norwegianBookkeepingEnd,
  retentionWindow,
  swedishBookkeepingEnd,
} from '../../src/core/retention/retention.ts';
import { searchAudit } from '../../src/services/audit/auditLog.ts';
import { Engine, ensureMarkerTable } from '../../src/services/fulfilment/engine.ts';
import { runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import {
  CHANGE_ACTIONS,
  type RetentionDeps,
  runRetention,
} from '../../src/services/retention/runRetention.ts';
import type { RetentionOutcome } from '../../src/services/retention/sweep.ts';
import type { Db } from '../../src/storage/db.ts';
import type { SystemDb } from '../support/systems.ts';
import { type RetentionSystems, retentionDeps, retentionSystems, snapshot } from './support.ts';

const TODAY = '2026-11-25';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(
  opts: { webshop?: 'postgres' | 'mysql'; customers?: number } = {},
): Promise<{ s: RetentionSystems; deps: RetentionDeps & { db: Db } }> {
  const s = await retentionSystems({ customers: opts.customers ?? 80, webshop: opts.webshop });
  const deps = await retentionDeps(s);
  cleanup.push(s.close, () => deps.db.close());
  return { s, deps };
}

type R = Record<string, unknown>;
const rows = (d: SystemDb, sql: string) => d.connector.query<R>(sql);
const day = (v: unknown) => String(v).slice(0, 10);
const ended = (trigger: unknown, duration: string, today: string) =>
  trigger !== null && retentionWindow({ trigger: day(trigger), duration }).erasableFrom <= today;
const ids = (rs: R[]) => rs.map((r) => Number(r.id)).sort((a, b) => a - b);

const sortOutcomes = (os: RetentionOutcome[]) =>
  [...os].sort((a, b) =>
    `${a.dataset}.${a.collection}.${a.rule}.${a.action}.${a.detail}`.localeCompare(
      `${b.dataset}.${b.collection}.${b.rule}.${b.action}.${b.detail}`,
    ),
  );
const rowsOf = (
  os: RetentionOutcome[],
  collection: string,
  action: RetentionOutcome['action'],
  rule?: string,
) =>
  os
    .filter((o) => o.collection === collection && o.action === action && (!rule || o.rule === rule))
    .reduce((n, o) => n + o.rows, 0);
const changes = (os: RetentionOutcome[]) =>
  os.filter((o) => (CHANGE_ACTIONS as readonly string[]).includes(o.action));

describe('retention run on the real servers', () => {
  test('P10 P12 P14 P20 each rule ends on its day: former customers are deleted, their invoices kept under bookkeeping with the day they may be erased, closed cases go after 24 months, everything else stays', async () => {
    const { s, deps } = await setup();
    const w = s.webshop;
    const customers = await rows(w, 'SELECT id, customer_number, email, last_activity_at FROM customers');
    const expiredCustomers = new Set(
      customers.filter((c) => ended(c.last_activity_at, 'P3Y', TODAY)).map((c) => Number(c.id)),
    );
    const expiredNumbers = new Set(
      customers.filter((c) => expiredCustomers.has(Number(c.id))).map((c) => String(c.customer_number)),
    );
    const orders = await rows(w, 'SELECT id, customer_id FROM orders');
    const lines = await rows(w, 'SELECT id, order_id FROM order_lines');
    const accounts = await rows(w, 'SELECT id, customer_id FROM accounts');
    const reviews = await rows(w, 'SELECT id, customer_id, published_at FROM reviews');
    const invoices = await rows(w, 'SELECT id, customer_number, seller_org, invoice_date FROM invoices');
    const cases = await rows(s.service, 'SELECT id, closed_at FROM cases');
    const messages = await rows(s.service, 'SELECT id, case_id FROM messages');
    const signups = await rows(w, 'SELECT id, email, signed_up_at FROM newsletter_signups');

    const liveOrders = orders.filter((o) => !expiredCustomers.has(Number(o.customer_id)));
    const liveOrderIds = new Set(liveOrders.map((o) => Number(o.id)));
    const endOfBookkeeping = (i: R) =>
      i.seller_org === 'provendo'
        ? norwegianBookkeepingEnd(`${day(i.invoice_date).slice(0, 4)}-12-31`).erasableFrom
        : swedishBookkeepingEnd(`${day(i.invoice_date).slice(0, 4)}-12-31`).erasableFrom;
    const formerInvoices = invoices.filter((i) => expiredNumbers.has(String(i.customer_number)));
    const keptInvoices = formerInvoices.filter((i) => endOfBookkeeping(i) > TODAY);
    const goneInvoices = formerInvoices.filter((i) => endOfBookkeeping(i) <= TODAY);
    const closedCases = cases.filter((c) => ended(c.closed_at, 'P24M', TODAY));
    const goneCaseIds = new Set(closedCases.map((c) => Number(c.id)));
    // The seed has something of every kind.
    expect(expiredCustomers.size).toBeGreaterThan(5);
    expect(customers.length - expiredCustomers.size).toBeGreaterThan(5);
    expect(keptInvoices.some((i) => i.seller_org === 'nestit-sverige')).toBe(true);
    expect(keptInvoices.some((i) => i.seller_org === 'provendo')).toBe(true);
    expect(goneInvoices.length).toBeGreaterThan(0);
    expect(cases.some((c) => c.closed_at === null)).toBe(true);

    const res = await runRetention(deps, { today: TODAY });
    expect(res.status).toBe('done');

    expect(ids(await rows(w, 'SELECT id FROM customers'))).toEqual(
      ids(customers.filter((c) => !expiredCustomers.has(Number(c.id)))),
    );
    expect(ids(await rows(w, 'SELECT id FROM orders'))).toEqual(ids(liveOrders));
    expect(ids(await rows(w, 'SELECT id FROM order_lines'))).toEqual(
      ids(lines.filter((l) => liveOrderIds.has(Number(l.order_id)))),
    );
    expect(ids(await rows(w, 'SELECT id FROM accounts'))).toEqual(
      ids(accounts.filter((a) => !expiredCustomers.has(Number(a.customer_id)))),
    );
    expect(ids(await rows(w, 'SELECT id FROM reviews'))).toEqual(
      ids(reviews.filter((r) => !ended(r.published_at, 'P3Y', TODAY))),
    );
    // Invoices: a former customer's are kept while bookkeeping runs, restricted, with the first day they
    // may be erased; those whose bookkeeping has ended are gone; a current customer's are untouched.
    const after = await rows(w, 'SELECT id, customer_number, restricted, erase_on FROM invoices');
    expect(ids(after)).toEqual(ids(invoices.filter((i) => !goneInvoices.includes(i))));
    for (const i of after) {
      const k = keptInvoices.find((x) => Number(x.id) === Number(i.id));
      if (k)
        expect({ restricted: Boolean(i.restricted), erase_on: day(i.erase_on) }).toEqual({
          restricted: true,
          erase_on: endOfBookkeeping(k),
        });
      else
        expect({ restricted: Boolean(i.restricted), erase_on: i.erase_on }).toEqual({
          restricted: false,
          erase_on: null,
        });
    }
    expect(ids(await rows(s.service, 'SELECT id FROM cases'))).toEqual(
      ids(cases.filter((c) => !goneCaseIds.has(Number(c.id)))),
    );
    expect(ids(await rows(s.service, 'SELECT id FROM messages'))).toEqual(
      ids(messages.filter((m) => !goneCaseIds.has(Number(m.case_id)))),
    );
    // P12 P38 sign-ups end 24 months after the subscriber's last activity: the customer's, found by the
    // e-mail address, or the sign-up date when no customer has the address (no withdrawals recorded here).
    const activityOf = (sg: R) => {
      const c = customers.find((x) => String(x.email).toLowerCase() === String(sg.email).toLowerCase());
      return c?.last_activity_at ?? sg.signed_up_at;
    };
    const goneSignups = signups.filter((sg) => ended(activityOf(sg), 'P24M', TODAY));
    expect(goneSignups.length).toBeGreaterThan(0);
    // (The seed has no subscriber active within 24 months of this day; withdrawal.test.ts keeps some.)
    expect(ids(await rows(w, 'SELECT id FROM newsletter_signups'))).toEqual(
      ids(signups.filter((sg) => !goneSignups.includes(sg))),
    );

    // The recorded counts are the rows that went.
    const o = res.outcomes;
    expect(rowsOf(o, 'customers', 'delete', 'order-data')).toBe(expiredCustomers.size);
    expect(rowsOf(o, 'orders', 'delete')).toBe(orders.length - liveOrders.length);
    expect(
      rowsOf(o, 'invoices', 'keep', 'bookkeeping-se') + rowsOf(o, 'invoices', 'keep', 'bookkeeping-no'),
    ).toBe(keptInvoices.length);
    expect(rowsOf(o, 'invoices', 'delete', 'order-data')).toBe(goneInvoices.length);
    expect(rowsOf(o, 'cases', 'delete', 'customer-service-cases')).toBe(closedCases.length);
    expect(rowsOf(o, 'newsletter_signups', 'delete', 'marketing-profile')).toBe(goneSignups.length);

    // Stored as the run's outcomes and in the audit log, with counts and rule ids only.
    const all = await searchAudit(deps.db, { action: 'retention.' });
    // The systems outside the SQL databases (none has an HTTP connector here) get their manual tasks:
    // crm under 8 rules, messaging under 3, shipping, survey-provider, analytics, customer-service-provider
    // and case-management under 1 each (test/retention/outside.test.ts looks at them).
    expect(all.filter((a) => a.action === 'retention.task.opened').length).toBe(8 + 3 + 5);
    const audit = all.filter((a) => a.action !== 'retention.task.opened');
    expect(audit.map((a) => a.action).sort()).toEqual([
      'retention.run',
      'retention.sweep',
      'retention.sweep',
    ]);
    const run = audit.find((a) => a.action === 'retention.run')!;
    expect(run.target).toBe(`retention-run:${res.runId}`);
    expect(run.details).toMatchObject({ today: TODAY, status: 'done' });
    const stored = JSON.stringify([audit, res.outcomes]);
    for (const c of customers) expect(stored).not.toContain(String(c.customer_number));
    expect(stored).not.toMatch(/@example\.test/);
  }, 120_000);

  test('P13 P23 survey answers and analysis data past their rule are anonymised: no identifier of anyone is left, only the statistics', async () => {
    const { s, deps } = await setup();
    const w = s.webshop;
    const people = await rows(
      w,
      'SELECT customer_number, email, phone, first_name, last_name FROM customers',
    );
    const surveys = await rows(w, 'SELECT * FROM survey_answers');
    // The seeded answers end early in 2025: sweep the day when about 60% of them have reached 12 months.
    const answered = surveys.map((r) => day(r.answered_at)).sort();
    const TODAY = retentionWindow({
      trigger: answered[Math.floor(answered.length * 0.6)]!,
      duration: 'P12M',
    }).erasableFrom;
    const analytics = await rows(w, 'SELECT * FROM order_analytics');
    const oldSurveys = surveys.filter((r) => ended(r.answered_at, 'P12M', TODAY));
    const oldAnalytics = analytics.filter((r) => ended(r.collected_at, 'P36M', TODAY));
    expect(oldSurveys.length).toBeGreaterThan(3);
    expect(oldSurveys.some((r) => r.comment !== null)).toBe(true);
    expect(surveys.length - oldSurveys.length).toBeGreaterThan(0);
    expect(analytics.length - oldAnalytics.length).toBeGreaterThan(0);

    const res = await runRetention(deps, { today: TODAY });
    expect(rowsOf(res.outcomes, 'survey_answers', 'anonymise', 'survey-answers')).toBe(oldSurveys.length);
    expect(rowsOf(res.outcomes, 'order_analytics', 'anonymise', 'customer-analysis')).toBe(
      oldAnalytics.length,
    );

    const surveysAfter = new Map(
      (await rows(w, 'SELECT * FROM survey_answers')).map((r) => [Number(r.id), r]),
    );
    const analyticsAfter = new Map(
      (await rows(w, 'SELECT * FROM order_analytics')).map((r) => [Number(r.id), r]),
    );
    // Nothing is deleted: the statistics stay.
    expect(surveysAfter.size).toBe(surveys.length);
    expect(analyticsAfter.size).toBe(analytics.length);
    const month = (v: unknown) => `${day(v).slice(0, 7)}-01`;
    for (const before of oldSurveys) {
      const a = surveysAfter.get(Number(before.id))!;
      expect(a).toMatchObject({ customer_number: null, email: null, order_number: null, comment: null });
      expect({ score: a.score, survey: a.survey }).toEqual({ score: before.score, survey: before.survey });
      expect(day(a.answered_at)).toBe(month(before.answered_at));
    }
    for (const before of oldAnalytics) {
      const a = analyticsAfter.get(Number(before.id))!;
      expect(a.customer_number).toBeNull();
      expect({ ...a, customer_number: before.customer_number, collected_at: 0 }).toEqual({
        ...before,
        collected_at: 0,
      });
      expect(day(a.collected_at)).toBe(month(before.collected_at));
    }
    // Rows within their rule are untouched.
    for (const before of surveys.filter((r) => !oldSurveys.includes(r)))
      expect(surveysAfter.get(Number(before.id))).toEqual(before);
    // Not one value of an anonymised row names, reaches or numbers a person.
    const identifiers = people.flatMap((p) => [
      String(p.customer_number),
      String(p.email),
      String(p.phone),
      `${p.first_name} ${p.last_name}`,
    ]);
    const anonymised = [
      ...oldSurveys.map((r) => surveysAfter.get(Number(r.id))!),
      ...oldAnalytics.map((r) => analyticsAfter.get(Number(r.id))!),
    ];
    for (const r of anonymised)
      for (const v of Object.values(r))
        if (typeof v === 'string')
          for (const x of identifiers) expect(v.includes(x), `${v} ~ ${x}`).toBe(false);
    // And an access request no longer finds them: they are no one's data.
    const who = people.find((p) => oldSurveys.some((r) => r.customer_number === p.customer_number));
    if (who) {
      const found = await new Engine(s.datasets, s.connectors).locate({
        customer_number: String(who.customer_number),
      });
      const mine = found.get('nestit_webshop.survey_answers') ?? [];
      expect(mine.every((r) => !oldSurveys.some((o) => Number(o.id) === Number(r.id)))).toBe(true);
    }
  }, 120_000);

  test('P12 a second run the same day changes nothing, and the daily run is done once per day', async () => {
    const { s, deps } = await setup({ customers: 50 });
    const first = await runRetention(deps, { today: TODAY, runKey: `daily:${TODAY}` });
    expect(changes(first.outcomes).length).toBeGreaterThan(0);
    const shop = await snapshot(s.webshop);
    const service = await snapshot(s.service);
    const again = await runRetention(deps, { today: TODAY, runKey: `daily:${TODAY}` });
    expect(again).toMatchObject({ runId: first.runId, alreadyDone: true, status: 'done' });
    const manual = await runRetention(deps, { today: TODAY });
    expect(manual.runId).not.toBe(first.runId);
    expect(manual.status).toBe('done');
    expect(changes(manual.outcomes)).toEqual([]);
    expect(await snapshot(s.webshop)).toEqual(shop);
    expect(await snapshot(s.service)).toEqual(service);
  }, 120_000);

  test.each(['postgres', 'mysql'] as const)(
    'P10 P12 a dry run (web shop on %s) changes nothing and predicts exactly what the run then does, also on the day kept invoices fall due',
    async (webshop) => {
      const { s, deps } = await setup({ webshop, customers: 70 });
      for (const today of [TODAY, '2027-01-01']) {
        const shop = await snapshot(s.webshop);
        const service = await snapshot(s.service);
        const dry = await runRetention(deps, { today, dryRun: true });
        expect(dry.status).toBe('done');
        expect(await snapshot(s.webshop)).toEqual(shop);
        expect(await snapshot(s.service)).toEqual(service);
        const real = await runRetention(deps, { today });
        expect(sortOutcomes(real.outcomes)).toEqual(sortOutcomes(dry.outcomes));
        expect(changes(real.outcomes).length).toBeGreaterThan(0);
      }
      // The second day erased invoices kept since the first (their day had come) and kept new ones.
      const runs = await deps.db.query<{ id: string }>(
        "SELECT id FROM retention_runs WHERE dry_run = false AND today = '2027-01-01'",
      );
      const { storedOutcomes } = await import('../../src/services/retention/runRetention.ts');
      const second = await storedOutcomes(deps.db, runs[0]!.id);
      expect(rowsOf(second, 'invoices', 'erase-due')).toBeGreaterThan(0);
    },
    180_000,
  );
});

describe('kept rows and their day', () => {
  test('P14 P20 invoices kept by an erasure request stay restricted until their bookkeeping date and are erased on the day after it, not before', async () => {
    const { s, deps } = await setup({ customers: 60 });
    const w = s.webshop;
    // An active customer with Swedish invoices asks for erasure.
    const [who] = await w.connector.query<{ customer_number: string }>(
      `SELECT c.customer_number FROM customers c WHERE c.last_activity_at >= '2024-01-01'
          AND EXISTS (SELECT 1 FROM invoices i WHERE i.customer_number = c.customer_number AND i.seller_org = 'nestit-sverige')
        ORDER BY c.id LIMIT 1`,
    );
    const erased = await runFulfilment(
      { ...deps, now: () => new Date(`${TODAY}T10:00:00Z`) },
      {
        requestId: 'req-erase-ret-1',
        orgId: 'nestit-sverige',
        type: 'erasure',
        identities: { customerNumber: who!.customer_number },
      },
    );
    expect(erased.status).toBe('done');
    const kept = await w.connector.query<{ id: number; erase_on: string }>(
      'SELECT id, erase_on FROM invoices WHERE customer_number = $1 ORDER BY erase_on, id',
      [who!.customer_number],
    );
    expect(kept.length).toBeGreaterThan(0);
    const first = day(kept[0]!.erase_on);
    const dueFirst = kept.filter((k) => day(k.erase_on) === first).map((k) => k.id);

    // The day before: still there, still restricted.
    const before = await runRetention(deps, { today: addDays(first, -1) });
    expect(before.status).toBe('done');
    expect(rowsOf(before.outcomes, 'invoices', 'erase-due')).toBe(0);
    expect(
      ids(await rows(w, `SELECT id FROM invoices WHERE customer_number = '${who!.customer_number}'`)),
    ).toEqual(ids(kept as unknown as R[]));
    // The day itself: erased, and so are their markers.
    const on = await runRetention(deps, { today: first });
    expect(rowsOf(on.outcomes, 'invoices', 'erase-due', 'bookkeeping-se')).toBeGreaterThanOrEqual(
      dueFirst.length,
    );
    const left = ids(
      await rows(w, `SELECT id FROM invoices WHERE customer_number = '${who!.customer_number}'`),
    );
    expect(left).toEqual(
      kept
        .filter((k) => !dueFirst.includes(k.id))
        .map((k) => k.id)
        .sort((a, b) => a - b),
    );
    const markers = await w.connector.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM ombud_restrictions WHERE collection_name = 'invoices' AND row_key = ANY($1::text[])`,
      [dueFirst.map(String)],
    );
    expect(markers[0]!.n).toBe(0);
  }, 120_000);

  test("P14 Art. 18: a restricted customer's rows are held when the purpose rule ends; the other former customers go", async () => {
    const { s, deps } = await setup({ customers: 60 });
    const w = s.webshop;
    const former = await w.connector.query<{ id: number; customer_number: string }>(
      `SELECT id, customer_number FROM customers WHERE last_activity_at < '2023-01-01'
         AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id) ORDER BY id`,
    );
    expect(former.length).toBeGreaterThan(2);
    const restricted = former[0]!;
    const res18 = await runFulfilment(deps, {
      requestId: 'req-restrict-ret-1',
      orgId: 'nestit-sverige',
      type: 'restriction',
      identities: { customerNumber: restricted.customer_number },
    });
    expect(res18.status).toBe('done');
    const orders = await rows(w, `SELECT id FROM orders WHERE customer_id = ${restricted.id}`);

    const res = await runRetention(deps, { today: TODAY });
    expect(res.status).toBe('done');
    const left = ids(await rows(w, 'SELECT id FROM customers'));
    expect(left).toContain(restricted.id);
    for (const f of former.slice(1)) expect(left).not.toContain(f.id);
    expect(ids(await rows(w, `SELECT id FROM orders WHERE customer_id = ${restricted.id}`))).toEqual(
      ids(orders),
    );
    expect(rowsOf(res.outcomes, 'customers', 'held', 'order-data')).toBeGreaterThanOrEqual(1);
    expect(res.outcomes.find((o) => o.collection === 'customers' && o.action === 'held')?.detail).toBe(
      'art-18',
    );
  }, 120_000);

  test('P14 a legal hold (a retention marker without a day) keeps a closed case past its rule until it is resolved', async () => {
    const { s, deps } = await setup({ customers: 50 });
    const c = s.service.connector;
    const [old] = await c.query<{ id: number }>(
      "SELECT id FROM cases WHERE closed_at IS NOT NULL AND closed_at < '2023-01-01' ORDER BY id LIMIT 1",
    );
    await ensureMarkerTable(c);
    await c.execute(
      "INSERT INTO ombud_restrictions (collection_name, row_key, request_id, reason, rule_id, erase_on) VALUES ('cases', ?, 'dispute-17', 'retention', 'legal-hold', NULL)",
      [String(old!.id)],
    );
    const messages = (await rows(s.service, `SELECT id FROM messages WHERE case_id = ${old!.id}`)).length;
    expect(messages).toBeGreaterThan(0);
    const res = await runRetention(deps, { today: TODAY });
    expect(res.outcomes).toContainEqual(
      expect.objectContaining({ collection: 'cases', action: 'held', detail: 'retention', rows: 1 }),
    );
    // The case stays; its messages were not put on hold, so they go with their rule (a hold covers the rows
    // it marks, as a restriction request marks every row it finds).
    expect((await rows(s.service, `SELECT id FROM cases WHERE id = ${old!.id}`)).length).toBe(1);
    expect((await rows(s.service, `SELECT id FROM messages WHERE case_id = ${old!.id}`)).length).toBe(0);
    expect(rowsOf(res.outcomes, 'cases', 'delete')).toBeGreaterThan(0);
    // Resolved: the hold gets its day (30 days, rule legal-hold); on that day the case goes.
    await c.execute("UPDATE ombud_restrictions SET erase_on = '2026-12-25' WHERE request_id = 'dispute-17'");
    const due = await runRetention(deps, { today: '2026-12-25' });
    expect(due.outcomes).toContainEqual(
      expect.objectContaining({ collection: 'cases', action: 'erase-due', rule: 'legal-hold', rows: 1 }),
    );
    expect((await rows(s.service, `SELECT id FROM cases WHERE id = ${old!.id}`)).length).toBe(0);
  }, 120_000);

  test('P12 a former customer whose review still runs waits for it, then goes with it (the dry run says so first)', async () => {
    const { s, deps } = await setup({ customers: 80 });
    const w = s.webshop;
    const [c] = await w.connector.query<{ id: number }>(
      `SELECT c.id FROM customers c WHERE c.last_activity_at < '2023-01-01'
         AND EXISTS (SELECT 1 FROM reviews r WHERE r.customer_id = c.id) ORDER BY c.id LIMIT 1`,
    );
    await w.connector.execute(
      `UPDATE reviews SET published_at = '2025-06-01 10:00:00' WHERE customer_id = $1`,
      [c!.id],
    );
    const n = (await rows(w, `SELECT id FROM reviews WHERE customer_id = ${c!.id}`)).length;

    const dry = await runRetention(deps, { today: TODAY, dryRun: true });
    expect(dry.outcomes).toContainEqual(
      expect.objectContaining({ collection: 'customers', action: 'blocked', detail: 'referenced', rows: 1 }),
    );
    const res = await runRetention(deps, { today: TODAY });
    expect(sortOutcomes(res.outcomes)).toEqual(sortOutcomes(dry.outcomes));
    expect(ids(await rows(w, `SELECT id FROM customers WHERE id = ${c!.id}`))).toEqual([c!.id]);
    expect((await rows(w, `SELECT id FROM reviews WHERE customer_id = ${c!.id}`)).length).toBe(n);
    expect((await rows(w, `SELECT id FROM orders WHERE customer_id = ${c!.id}`)).length).toBe(0);

    // Published 2025-06-01 + 3 years: erasable from 2028-06-02; review and customer go that day.
    const later = await runRetention(deps, { today: '2028-06-02' });
    expect(later.status).toBe('done');
    expect((await rows(w, `SELECT id FROM customers WHERE id = ${c!.id}`)).length).toBe(0);
    expect((await rows(w, `SELECT id FROM reviews WHERE customer_id = ${c!.id}`)).length).toBe(0);
  }, 120_000);
});
