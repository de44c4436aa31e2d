/**
 * The baseline: the demo web shop's retention for one day written by hand, as a developer who knows this
 * schema and the register's rules would write it for PostgreSQL, in one transaction:
 *
 * - order-data (3 years after the customer's last activity): the former customers' order lines, orders
 *   and accounts are deleted; their invoices are kept while the bookkeeping acts run (Swedish sellers: to
 *   the end of the 7th year after the financial year; Norwegian: 5 years after it), restricted, with the
 *   first day they may be erased and a 'retention' marker in ombud_restrictions, or deleted when that day
 *   has come; then the customers themselves (unless a row that stays still points at them);
 * - reviews (3 years after publication): deleted;
 * - marketing-profile (24 months after the customer's last activity) and prospect-subscription (12 months
 *   after signing up, when no customer has the address): newsletter sign-ups deleted;
 * - customer-analysis-identified (30 days): analysis extracts with the e-mail address deleted;
 * - survey-answers (12 months) and customer-analysis (36 months): anonymised (identifiers and free text
 *   set to NULL, the date cut to its month).
 *
 * - invoices kept by an earlier run whose day has come: deleted, with their markers.
 *
 * A period of P runs out on day D for a trigger before D − P (the trigger day does not count; PostgreSQL's
 * interval arithmetic clamps to the month's last day as the register's rules do). The same work as
 * Ombud's run on this data: restrictions (Art. 18) and legal holds, which Ombud also honours, are not
 * written here, as the bench's copies have none.
 */
import pg from 'pg';
import type { IsoDate } from '../../src/core/deadlines/iso-date.ts';
import { MARKER_TABLE } from '../../src/services/fulfilment/engine.ts';

/** Rows per collection, action and rule, keyed as Ombud's outcomes are summed ("invoices keep bookkeeping-se"). */
export type Actions = Record<string, number>;

const SWEDISH_SELLERS = ['nestit-sverige', 'bokhylla', 'nestit-group'];
const NORWEGIAN_SELLERS = ['provendo'];

export async function handRun(opts: {
  url: string;
  day: IsoDate;
}): Promise<{ ms: number; actions: Actions }> {
  const c = new pg.Client({ connectionString: opts.url });
  await c.connect();
  const actions: Actions = {};
  const add = (key: string, n: number | null) => {
    if (n) actions[key] = (actions[key] ?? 0) + n;
  };
  try {
    const t0 = performance.now();
    await c.query('BEGIN');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.day)) throw new Error('day: YYYY-MM-DD');
    const day = `DATE '${opts.day}'`;
    const cut = (period: string) => `(${day} - interval '${period}')`;
    const q = async (text: string, params: unknown[] = []) => (await c.query(text, params)).rowCount;
    // Invoices kept by an earlier run whose bookkeeping has ended: deleted, with their markers.
    const due = await c.query<{ rule_id: string; n: string }>(
      `WITH m AS (
         DELETE FROM ${MARKER_TABLE} WHERE collection_name = 'invoices' AND reason = 'retention'
            AND erase_on <= ${day} RETURNING row_key, rule_id),
       d AS (DELETE FROM invoices i USING m WHERE i.id::text = m.row_key RETURNING m.rule_id)
       SELECT rule_id, COUNT(*) AS n FROM d GROUP BY rule_id`,
    );
    for (const r of due.rows) add(`invoices erase-due ${r.rule_id}`, Number(r.n));
    // Former customers: no purchase, login or contact for 3 years.
    await c.query(
      `CREATE TEMP TABLE former ON COMMIT DROP AS
         SELECT id, customer_number FROM customers WHERE last_activity_at < ${cut('3 years')}`,
    );
    await c.query('ALTER TABLE former ADD PRIMARY KEY (id)');
    await c.query('ANALYZE former');
    add(
      'order_lines delete order-data',
      await q(
        `DELETE FROM order_lines l USING orders o, former f WHERE l.order_id = o.id AND o.customer_id = f.id`,
        [],
      ),
    );
    add(
      'orders delete order-data',
      await q('DELETE FROM orders o USING former f WHERE o.customer_id = f.id', []),
    );
    add(
      'accounts delete order-data',
      await q('DELETE FROM accounts a USING former f WHERE a.customer_id = f.id', []),
    );
    // Their invoices: the first day each may be erased under its seller's bookkeeping act.
    await c.query(
      `CREATE TEMP TABLE former_invoices ON COMMIT DROP AS
         SELECT i.id,
                CASE WHEN i.seller_org = ANY($1) THEN 'bookkeeping-se' ELSE 'bookkeeping-no' END AS rule_id,
                CASE WHEN i.seller_org = ANY($1) THEN make_date(extract(year FROM i.invoice_date)::int + 8, 1, 1)
                     ELSE make_date(extract(year FROM i.invoice_date)::int + 6, 1, 1) END AS erase_on
           FROM invoices i JOIN former f ON f.customer_number = i.customer_number
          WHERE i.seller_org = ANY($1) OR i.seller_org = ANY($2)`,
      [SWEDISH_SELLERS, NORWEGIAN_SELLERS],
    );
    const kept = await c.query<{ rule_id: string; n: string }>(
      `WITH k AS (
         UPDATE invoices i SET restricted = TRUE, erase_on = fi.erase_on
           FROM former_invoices fi WHERE i.id = fi.id AND fi.erase_on > ${day}
         RETURNING i.id, fi.rule_id, fi.erase_on),
       m AS (
         INSERT INTO ${MARKER_TABLE} (collection_name, row_key, request_id, reason, rule_id, erase_on)
         SELECT 'invoices', k.id::text, 'retention:${opts.day}', 'retention', k.rule_id, k.erase_on FROM k)
       SELECT rule_id, COUNT(*) AS n FROM k GROUP BY rule_id`,
    );
    for (const r of kept.rows) add(`invoices keep ${r.rule_id}`, Number(r.n));
    // The rest of their invoices: bookkeeping over, or under no bookkeeping act.
    add(
      'invoices delete order-data',
      await q(
        `DELETE FROM invoices i USING former f WHERE i.customer_number = f.customer_number
           AND NOT EXISTS (SELECT 1 FROM former_invoices fi WHERE fi.id = i.id AND fi.erase_on > ${day})`,
      ),
    );
    add('reviews delete reviews', await q(`DELETE FROM reviews WHERE published_at < ${cut('3 years')}`));
    // Potential customers (no customer has the address): 12 months after signing up.
    add(
      'newsletter_signups delete prospect-subscription',
      await q(
        `DELETE FROM newsletter_signups n
          WHERE n.signed_up_at < ${cut('12 months')}
            AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.email = n.email AND c.last_activity_at IS NOT NULL)`,
      ),
    );
    add(
      'newsletter_signups delete marketing-profile',
      await q(
        `DELETE FROM newsletter_signups n
          WHERE EXISTS (SELECT 1 FROM customers c WHERE c.email = n.email AND c.last_activity_at < ${cut('24 months')})`,
      ),
    );
    add(
      'analysis_extracts delete customer-analysis-identified',
      await q(`DELETE FROM analysis_extracts WHERE extracted_at < ${cut('30 days')}`),
    );
    add(
      'survey_answers anonymise survey-answers',
      await q(
        `UPDATE survey_answers SET customer_number = NULL, email = NULL, order_number = NULL, comment = NULL,
                answered_at = date_trunc('month', answered_at)
          WHERE answered_at < ${cut('12 months')}
            AND (customer_number IS NOT NULL OR email IS NOT NULL OR order_number IS NOT NULL
                 OR comment IS NOT NULL OR answered_at <> date_trunc('month', answered_at))`,
      ),
    );
    add(
      'order_analytics anonymise customer-analysis',
      await q(
        `UPDATE order_analytics SET customer_number = NULL, collected_at = date_trunc('month', collected_at)
          WHERE collected_at < ${cut('36 months')}
            AND (customer_number IS NOT NULL OR collected_at <> date_trunc('month', collected_at))`,
      ),
    );
    // The customers last: those no remaining account, order or review points at.
    add(
      'customers delete order-data',
      await q(
        `DELETE FROM customers c USING former f WHERE c.id = f.id
           AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.customer_id = c.id)`,
        [],
      ),
    );
    await c.query('COMMIT');
    return { ms: performance.now() - t0, actions };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
}
