/**
 * The retention bench (bench/retention) at a small size: both sides must do the same work, and that work
 * must be what the rules say, counted here with plain SQL and cut-off days written by hand, so the bench
 * cannot silently measure something else.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { benchRetention } from '../../bench/retention/bench.ts';
import { dropDb, pgAdmin, seededTemplate, withDb } from '../../bench/retention/copies.ts';
import { PG_ADMIN_URL } from '../support/db.ts';

const CUSTOMERS = 2000;
const suffix = `_t${randomBytes(3).toString('hex')}${(process.env.OMBUD_TEST_DB_SUFFIX ?? '').replace(/[^a-z0-9]/gi, '')}`;
const template = `retention_bench_${CUSTOMERS}_seed${suffix}`;
afterAll(() => dropDb(PG_ADMIN_URL, template));

/** One number from plain SQL over the seeded web shop. */
const count = (sqlText: string) =>
  pgAdmin(withDb(PG_ADMIN_URL, template), async (c) => Number((await c.query(sqlText)).rows[0].n));

describe('retention bench', () => {
  test('P10 P12 P13 P20 both sides do the same work on both days, and it is what the rules say: 3 years, 24, 12 and 36 months, bookkeeping to the year-end', async () => {
    await seededTemplate({
      pgUrl: PG_ADMIN_URL,
      customers: CUSTOMERS,
      seed: 42,
      reseed: true,
      suffix,
      log: () => {},
    });
    // On 2025-06-10 a period of 3 years has run out for triggers before 2022-06-10, 24 months before
    // 2023-06-10, 12 months before 2024-06-10, 36 months before 2022-06-10. Invoices of former customers:
    // Swedish ones (kept to the end of the 7th year after the invoice's year) are all kept; Norwegian ones
    // (5 years after the year-end) from 2020 on are kept, those of 2019 are deleted.
    const former = `SELECT id, customer_number FROM customers WHERE last_activity_at < '2022-06-10'`;
    const formerInvoices = `FROM invoices WHERE customer_number IN (SELECT customer_number FROM (${former}) f)`;
    const expected: Record<string, number> = {
      'customers delete order-data': await count(`SELECT COUNT(*) AS n FROM (${former}) f`),
      'accounts delete order-data': await count(
        `SELECT COUNT(*) AS n FROM accounts WHERE customer_id IN (SELECT id FROM (${former}) f)`,
      ),
      'orders delete order-data': await count(
        `SELECT COUNT(*) AS n FROM orders WHERE customer_id IN (SELECT id FROM (${former}) f)`,
      ),
      'order_lines delete order-data': await count(
        `SELECT COUNT(*) AS n FROM order_lines WHERE order_id IN
           (SELECT id FROM orders WHERE customer_id IN (SELECT id FROM (${former}) f))`,
      ),
      'invoices keep bookkeeping-se': await count(
        `SELECT COUNT(*) AS n ${formerInvoices} AND seller_org = 'nestit-sverige'`,
      ),
      'invoices keep bookkeeping-no': await count(
        `SELECT COUNT(*) AS n ${formerInvoices} AND seller_org = 'provendo' AND invoice_date >= '2020-01-01'`,
      ),
      'invoices delete order-data': await count(
        `SELECT COUNT(*) AS n ${formerInvoices} AND seller_org = 'provendo' AND invoice_date < '2020-01-01'`,
      ),
      'reviews delete reviews': await count(
        `SELECT COUNT(*) AS n FROM reviews WHERE published_at < '2022-06-10'`,
      ),
      'newsletter_signups delete marketing-profile': await count(
        `SELECT COUNT(*) AS n FROM newsletter_signups s WHERE
           EXISTS (SELECT 1 FROM customers c WHERE c.email = s.email AND c.last_activity_at < '2023-06-10')`,
      ),
      // 30 days before 2025-06-10.
      'analysis_extracts delete customer-analysis-identified': await count(
        `SELECT COUNT(*) AS n FROM analysis_extracts WHERE extracted_at < '2025-05-11'`,
      ),
      'survey_answers anonymise survey-answers': await count(
        `SELECT COUNT(*) AS n FROM survey_answers WHERE answered_at < '2024-06-10'`,
      ),
      'order_analytics anonymise customer-analysis': await count(
        `SELECT COUNT(*) AS n FROM order_analytics WHERE collected_at < '2022-06-10'`,
      ),
    };
    // Every rule has rows to act on at this size (else the comparison proves little).
    for (const [k, n] of Object.entries(expected)) expect(n, k).toBeGreaterThan(0);
    // The Norwegian invoices of 2020 kept on the first day may go from 2026-01-01: the second day erases them.
    const norwegian2020 = await count(
      `SELECT COUNT(*) AS n ${formerInvoices} AND seller_org = 'provendo' AND invoice_date >= '2020-01-01' AND invoice_date < '2021-01-01'`,
    );
    expect(norwegian2020).toBeGreaterThan(0);

    const r = await benchRetention({
      pgUrl: PG_ADMIN_URL,
      customers: CUSTOMERS,
      days: ['2025-06-10', '2026-01-02'],
      suffix,
    });
    expect(r.problems).toEqual([]);
    const [first, second] = r.days;
    expect(first!.ombud.actions).toEqual(expected);
    expect(first!.hand.actions).toEqual(expected);
    expect(second!.ombud.actions['invoices erase-due bookkeeping-no']).toBe(norwegian2020);
    expect(second!.hand.actions).toEqual(second!.ombud.actions);
    // What is left: the seeded rows less those deleted on the two days (anonymised rows stay).
    const deleted = (t: string) =>
      r.days.reduce(
        (n, d) =>
          n +
          Object.entries(d.ombud.actions)
            .filter(([k]) => k.startsWith(`${t} delete `) || k.startsWith(`${t} erase-due `))
            .reduce((m, [, v]) => m + v, 0),
        0,
      );
    for (const t of ['customers', 'orders', 'order_lines', 'invoices', 'survey_answers', 'order_analytics'])
      expect(second!.after.ombud[t]!.rows, t).toBe(r.seeded[t]! - deleted(t));
    // Markers: every kept invoice has one; those erased on the second day have none.
    const kept = (d: (typeof r.days)[number]) =>
      Object.entries(d.ombud.actions)
        .filter(([k]) => k.startsWith('invoices keep '))
        .reduce((m, [, v]) => m + v, 0);
    expect(second!.after.ombud.ombud_restrictions!.rows).toBe(kept(first!) + kept(second!) - norwegian2020);
  }, 300_000);
});
