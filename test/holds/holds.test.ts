/**
 * Legal holds on the real servers (P14, P46): the demo web shop (PostgreSQL, or MariaDB) and customer
 * service (MariaDB). A hold on a customer keeps their rows through an erasure request and a retention run,
 * and both say which hold kept them; lifting it lets the next run erase them. Expected counts are read
 * from the databases with plain SQL here, never from the code under test.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../src/core/policies/permissions.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { liftHold } from '../../src/services/holds/liftHold.ts';
import { holdsDueForReview, listHolds } from '../../src/services/holds/listHolds.ts';
import { placeHold } from '../../src/services/holds/placeHold.ts';
import { runRetention } from '../../src/services/retention/runRetention.ts';
import { fulfilmentSetup, richCustomer } from '../support/nestit-systems.ts';
import type { SystemDb } from '../support/systems.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const caller = { principal: SYSTEM_PRINCIPAL, actor: SYSTEM_ACTOR };
const count = async (d: SystemDb, q: string, params: unknown[] = []) =>
  Number(((await d.connector.query<{ n: unknown }>(q, params))[0] as { n: unknown }).n);

describe.each(['postgres', 'mysql'] as const)('legal holds, web shop on %s', (webshop) => {
  test('P14 P46 a hold on a customer keeps their rows through erasure and a retention run, each naming the hold; lifted, the next run erases them', async () => {
    const { s, db, deps: f } = await fulfilmentSetup(cleanup, webshop);
    // The clock: 2026-11-25 (fulfilmentDeps); the review 90 days on.
    const deps = { ...f, now: f.now! };
    const group = { orgIds: s.index.register.organizations.map((o) => o.id) };
    const who = await richCustomer(s);
    const p = (n: number) => s.webshop.connector.param(n);
    const q = (n: number) => s.service.connector.param(n);
    const mine = {
      customers: 1,
      orders: await count(s.webshop, `SELECT COUNT(*) AS n FROM orders WHERE customer_id = ${p(1)}`, [
        who.id,
      ]),
      invoices: await count(s.webshop, `SELECT COUNT(*) AS n FROM invoices WHERE customer_number = ${p(1)}`, [
        who.customerNumber,
      ]),
      cases: await count(s.service, `SELECT COUNT(*) AS n FROM cases WHERE customer_number = ${q(1)}`, [
        who.customerNumber,
      ]),
    };
    // Cases end 24 months after they close: an open case stays whatever the day.
    const closedCases = await count(
      s.service,
      `SELECT COUNT(*) AS n FROM cases WHERE customer_number = ${q(1)} AND closed_at IS NOT NULL`,
      [who.customerNumber],
    );
    const openCases = await count(s.service, 'SELECT COUNT(*) AS n FROM cases WHERE closed_at IS NULL');
    expect(mine.orders).toBeGreaterThan(0);
    expect(mine.cases).toBeGreaterThan(0);

    const hold = await placeHold(deps, caller, group, 'nestit-sverige', {
      reasonKind: 'dispute',
      reason: 'Disputed delivery, case 2026-17 at the district court',
      scope: { kind: 'subject', email: who.email, customerNumber: who.customerNumber },
      reviewOn: '2027-02-23',
    });
    expect(hold).toMatchObject({
      orgId: 'nestit-sverige',
      reasonKind: 'dispute',
      scope: { kind: 'subject', identifiedBy: ['email', 'customerNumber'] },
      reviewOn: '2027-02-23',
      liftedAt: null,
    });
    const marker = `hold:${hold.id}`;
    const markers = async (d: SystemDb, collection: string) =>
      count(
        d,
        `SELECT COUNT(*) AS n FROM ombud_restrictions WHERE request_id = ${d.connector.param(1)} AND collection_name = ${d.connector.param(2)} AND reason = 'retention' AND rule_id = 'legal-hold' AND erase_on IS NULL`,
        [marker, collection],
      );
    expect(await markers(s.webshop, 'customers')).toBe(1);
    expect(await markers(s.webshop, 'orders')).toBe(mine.orders);
    expect(await markers(s.webshop, 'invoices')).toBe(mine.invoices);
    expect(await markers(s.service, 'cases')).toBe(mine.cases);

    // Ombud's own record: keyed hashes, never the e-mail address or the customer number.
    const stored = JSON.stringify([
      await db.query('SELECT * FROM legal_holds'),
      await db.query("SELECT * FROM audit_log WHERE action LIKE 'hold.%'"),
    ]);
    for (const needle of [who.email, who.customerNumber]) expect(stored).not.toContain(needle);

    // 1. An erasure request: the held rows stay, and the result names the hold.
    const erasure = await runFulfilment(deps, {
      requestId: 'req-erase-held',
      orgId: 'nestit-sverige',
      type: 'erasure',
      identities: { email: who.email, customerNumber: who.customerNumber, phone: who.phone },
    });
    expect(erasure.status).toBe('done');
    const outcome = (c: string) => erasure.outcomes.find((o) => o.collection === c)!;
    expect(outcome('customers')).toMatchObject({
      erased: 0,
      kept: 1,
      keptUnder: [{ rule: 'legal-hold', hold: hold.id, rows: 1 }],
    });
    expect(outcome('cases')).toMatchObject({
      erased: 0,
      kept: mine.cases,
      keptUnder: [{ rule: 'legal-hold', hold: hold.id, rows: mine.cases }],
    });
    expect(await count(s.webshop, `SELECT COUNT(*) AS n FROM customers WHERE id = ${p(1)}`, [who.id])).toBe(
      1,
    );
    expect(
      await count(s.service, `SELECT COUNT(*) AS n FROM cases WHERE customer_number = ${q(1)}`, [
        who.customerNumber,
      ]),
    ).toBe(mine.cases);

    // 2. A retention run on a day long after every purpose rule and bookkeeping period has ended.
    const run = await runRetention({ ...deps, actor: SYSTEM_ACTOR }, { today: '2040-01-02' });
    expect(run.status).toBe('done');
    expect(run.outcomes).toContainEqual(
      expect.objectContaining({ collection: 'customers', action: 'held', detail: marker, rows: 1 }),
    );
    expect(run.outcomes).toContainEqual(
      expect.objectContaining({ collection: 'customers', action: 'held', detail: marker, rows: 1 }),
    );
    if (closedCases)
      expect(run.outcomes).toContainEqual(
        expect.objectContaining({ collection: 'cases', action: 'held', detail: marker, rows: closedCases }),
      );
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBe(1);
    expect(
      await count(s.webshop, `SELECT COUNT(*) AS n FROM orders WHERE customer_id = ${p(1)}`, [who.id]),
    ).toBe(mine.orders);
    expect(
      await count(s.service, `SELECT COUNT(*) AS n FROM cases WHERE customer_number = ${q(1)}`, [
        who.customerNumber,
      ]),
    ).toBe(mine.cases);

    // The digest's list: due for review within a week of 2027-02-20, not of 2026-11-25.
    expect(await holdsDueForReview(db, '2026-11-25')).toEqual([]);
    expect((await holdsDueForReview(db, '2027-02-20')).map((h) => h.id)).toEqual([hold.id]);

    // 3. Lifted: the markers go, and the next run erases the rows.
    const lifted = await liftHold(deps, caller, group, hold.id, 'Settled out of court on 2026-12-01');
    expect(lifted).toMatchObject({
      liftReason: 'Settled out of court on 2026-12-01',
      markersRemoved: hold.rowsHeld,
    });
    expect(lifted.liftedAt).toEqual(new Date('2026-11-25T10:00:00Z'));
    expect(await markers(s.webshop, 'customers')).toBe(0);
    expect(await markers(s.service, 'cases')).toBe(0);
    expect((await listHolds(db, caller, { standing: true })).length).toBe(0);
    const after = await runRetention({ ...deps, actor: SYSTEM_ACTOR }, { today: '2040-01-03' });
    expect(after.status).toBe('done');
    expect(after.outcomes.filter((o) => o.detail === marker)).toEqual([]);
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBe(0);
    expect(
      await count(
        s.service,
        `SELECT COUNT(*) AS n FROM cases WHERE customer_number = ${q(1)} AND closed_at IS NOT NULL`,
        [who.customerNumber],
      ),
    ).toBe(0);
    expect(await count(s.service, 'SELECT COUNT(*) AS n FROM cases')).toBe(openCases);
    const audit = await db.query<{ action: string; target: string }>(
      "SELECT action, target FROM audit_log WHERE action LIKE 'hold.%' ORDER BY seq",
    );
    expect(audit).toEqual([
      { action: 'hold.place', target: marker },
      { action: 'hold.lift', target: marker },
    ]);
  }, 180_000);
  test("P14 P46 a company's hold on a data subject marks only that company's rows: Provendo's none of a Swedish customer's, NestIT Sverige's not the joint sign-ups, the contact point's the sign-ups", async () => {
    const { s, deps: f } = await fulfilmentSetup(cleanup, webshop);
    const deps = { ...f, now: f.now! };
    const group = { orgIds: s.index.register.organizations.map((o) => o.id) };
    const who = await richCustomer(s, 'nestit-sverige');
    const p = (n: number) => s.webshop.connector.param(n);
    const q = (n: number) => s.service.connector.param(n);
    // Hand-written from the rows, with plain SQL: the customer's rows of each company.
    const orders = await count(s.webshop, `SELECT COUNT(*) AS n FROM orders WHERE customer_id = ${p(1)}`, [
      who.id,
    ]);
    const sverigeInvoices = await count(
      s.webshop,
      `SELECT COUNT(*) AS n FROM invoices WHERE customer_number = ${p(1)} AND seller_org = 'nestit-sverige'`,
      [who.customerNumber],
    );
    const cases = await count(s.service, `SELECT COUNT(*) AS n FROM cases WHERE customer_number = ${q(1)}`, [
      who.customerNumber,
    ]);
    const signups = await count(
      s.webshop,
      `SELECT COUNT(*) AS n FROM newsletter_signups WHERE email = ${p(1)}`,
      [who.email],
    );
    expect(
      await count(s.webshop, `SELECT COUNT(*) AS n FROM customers WHERE id = ${p(1)} AND country = 'SE'`, [
        who.id,
      ]),
    ).toBe(1);
    expect([orders, sverigeInvoices, cases, signups].every((n) => n > 0)).toBe(true);

    const place = (orgId: string) =>
      placeHold(deps, caller, group, orgId, {
        reasonKind: 'dispute',
        reason: `Claim of ${orgId}`,
        scope: { kind: 'subject', email: who.email, customerNumber: who.customerNumber },
        reviewOn: '2027-03-01',
      });
    const marked = async (d: SystemDb, holdId: string, collection: string) =>
      count(
        d,
        `SELECT COUNT(*) AS n FROM ombud_restrictions WHERE request_id = ${d.connector.param(1)} AND collection_name = ${d.connector.param(2)}`,
        [`hold:${holdId}`, collection],
      );
    const table = async (holdId: string) => ({
      customers: await marked(s.webshop, holdId, 'customers'),
      orders: await marked(s.webshop, holdId, 'orders'),
      invoices: await marked(s.webshop, holdId, 'invoices'),
      newsletter_signups: await marked(s.webshop, holdId, 'newsletter_signups'),
      cases: await marked(s.service, holdId, 'cases'),
    });

    const sverige = await place('nestit-sverige');
    expect(sverige.companies).toEqual(['nestit-sverige']);
    expect(await table(sverige.id)).toEqual({
      customers: 1,
      orders,
      invoices: sverigeInvoices,
      newsletter_signups: 0,
      cases,
    });

    const provendo = await place('provendo');
    expect(provendo).toMatchObject({ companies: ['provendo'], rowsHeld: 0 });
    expect(await table(provendo.id)).toEqual({
      customers: 0,
      orders: 0,
      invoices: 0,
      newsletter_signups: 0,
      cases: 0,
    });

    // NestIT Group is the contact point of the joint marketing arrangement: the sign-ups are its to hold.
    const contactPoint = await place('nestit-group');
    expect((await table(contactPoint.id)).newsletter_signups).toBe(signups);
    expect((await table(contactPoint.id)).customers).toBe(0);
  }, 180_000);
});
